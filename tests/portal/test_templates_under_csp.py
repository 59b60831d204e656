"""No template served under the Content Security Policy styles anything inline.

The CSP (portal/settings.py SECURE_CSP) allows style only from the portal's own
stylesheets, so a browser ignores a `style=` attribute or a <style> element and
the page silently loses the look it was written for (the staff guidelines were
one run-on paragraph for that reason). Styles belong in static/css. E-mail
templates are the exception: mail programs drop stylesheets, and no CSP governs
a message.
"""

import re
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
INLINE_STYLE = re.compile(r"\bstyle\s*=|<style[\s>]", re.IGNORECASE)
COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def served_templates() -> list[Path]:
    """The portal's own templates (third-party packages' aside), e-mails excepted."""
    engines: list[dict[str, Any]] = settings.TEMPLATES
    folders = [Path(folder) for engine in engines for folder in engine.get("DIRS", [])]
    folders += [Path(config.path) / "templates" for config in apps.get_app_configs()]
    found = []
    for folder in folders:
        if not folder.is_dir() or ROOT not in folder.resolve().parents or ".venv" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            if "email" not in path.relative_to(folder).parts:
                found.append(path)
    return found


def test_the_walk_finds_the_portals_templates():
    names = {str(path.relative_to(ROOT)) for path in served_templates()}
    assert "templates/portal/base.html" in names
    assert "templates/privacy/admin/acknowledge.html" in names
    assert not any("/email/" in name for name in names)


def test_no_template_served_under_the_csp_styles_inline():
    offenders = []
    for path in served_templates():
        text = COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), path.read_text())
        for number, line in enumerate(text.splitlines(), start=1):
            if INLINE_STYLE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "inline style, which the CSP blocks (use a class in static/css):\n" + "\n".join(offenders)
