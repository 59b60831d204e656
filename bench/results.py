"""The machine-readable line each benchmark prints beside its human output.

    from results import result
    result("export", "time", engine="postgres", measured=2.1, floor=1.6, unit="s", at_most=1.5)

prints one line `RESULT {...}` (JSON) that bench/all.py collects into its table.
A figure is judged against its target here, where the target is known:

- `at_most` / `at_least`: a bound on measured ÷ floor (a ratio);
- `under`: a bound on the measured figure itself (an absolute target, e.g. 300 ms);
- `growth_at_most`: a bound on measured - floor (memory: big run minus small run, in MB).
"""

import json


def result(
    bench: str,
    figure: str,
    *,
    engine: str,
    measured: float,
    floor: float | None = None,
    unit: str = "s",
    at_most: float | None = None,
    at_least: float | None = None,
    under: float | None = None,
    growth_at_most: float | None = None,
    note: str = "",
) -> dict:
    ratio = measured / floor if floor else None
    if at_most is not None:
        target, ok = f"<= {at_most:g}x", ratio is not None and ratio <= at_most
    elif at_least is not None:
        target, ok = f">= {at_least:.0%}", ratio is not None and ratio >= at_least
    elif under is not None:
        target, ok = f"< {under:g} {unit}", measured < under
    elif growth_at_most is not None:
        target, ok = f"<= +{growth_at_most:g} {unit}", floor is not None and measured - floor <= growth_at_most
        ratio = None  # a difference, not a ratio: the floor column holds the small run's figure
    else:
        target, ok = "-", True
    line = {
        "bench": bench,
        "figure": figure,
        "engine": engine,
        "measured": measured,
        "floor": floor,
        "unit": unit,
        "ratio": ratio,
        "target": target,
        "ok": ok,
        "note": note,
    }
    print("RESULT " + json.dumps(line), flush=True)
    return line
