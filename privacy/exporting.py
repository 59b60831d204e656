"""Building a customer's export archive, generic over the personal-data registry.

The archive is a ZIP with:

- data.json — every source, its fields, categories, purpose, legal basis,
  retention and recipients, and every row (schema: privacy/export_schema.json);
- sources/<source>.csv — one table per source (text a spreadsheet would run
  as a formula is neutralised: SpreadsheetSafeWriter);
- index.html — the same, as a self-contained page a person can read (the
  newest 1,000 entries of each kind; the CSV and JSON hold them all);
- README.txt — what the files are.

Everything streams: rows are read in chunks (`values_list().iterator()`, no
model instances) and written straight into the ZIP entry for the CSV and into
temporary files for the JSON and HTML, which are then copied into the ZIP —
so memory does not grow with the size of the history.
"""

import contextlib
import csv
import datetime
import hashlib
import html
import io
import json
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from django.db import connections
from django.db.models import Field, Model
from django.utils import timezone

from privacy.registry import Source, registry
from privacy.taxonomy import CATEGORIES
from privacy.typing import Customer

SCHEMA_VERSION = 1
CHUNK_SIZE = 2000
SCHEMA_PATH = Path(__file__).with_name("export_schema.json")


def _datetime(value: str | datetime.datetime) -> str:
    # Times are stored in UTC. SQLite hands back text or a naive datetime,
    # PostgreSQL an aware one; all become the same ISO 8601 string.
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:]}+00:00"
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.isoformat()


def _date(value: str | datetime.date) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _uuid(value: str | uuid.UUID) -> str:
    return str(uuid.UUID(value)) if isinstance(value, str) else str(value)


def _json(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# Raw database values of these field types need a JSON-safe form; chosen once
# per column, not tested per value, as this runs for every cell of histories
# with hundreds of thousands of rows.
_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DateTimeField": _datetime,
    "DateField": _date,
    "UUIDField": _uuid,
    "JSONField": _json,
    "BooleanField": bool,
    "DecimalField": str,
}


class SourceReader:
    """Reads one source's rows for one customer as plain JSON-safe dicts."""

    def __init__(self, source: Source):
        self.source = source
        self.columns: list[str] = []  # the names in each row dict
        lookups: list[str] = []
        self._related: dict[int, tuple[type[Model], dict[Any, str]]] = {}  # column index -> (model, id -> label)
        self._converters: list[Callable[[Any], Any] | None] = []
        for personal_field in source.fields:
            self._add(personal_field.name, personal_field.name, lookups)
            if personal_field.derived_by_ai:
                self._add(f"{personal_field.name}__ai_system", personal_field.ai_system_field, lookups)
                if personal_field.confidence_field:
                    self._add(f"{personal_field.name}__confidence", personal_field.confidence_field, lookups)
        self.lookups = lookups

    def _add(self, column: str, field_name: str, lookups: list[str]) -> None:
        model_field = self.source.model._meta.get_field(field_name)
        if model_field.is_relation and isinstance(model_field, Field) and isinstance(model_field.related_model, type):
            self._related[len(lookups)] = (model_field.related_model, {})
            self._converters.append(None)
            lookups.append(model_field.attname)
        else:
            self._converters.append(_CONVERTERS.get(model_field.get_internal_type()))
            lookups.append(field_name)
        self.columns.append(column)

    def _label(self, index: int, pk: Any) -> str | None:
        if pk is None:
            return None
        model, labels = self._related[index]
        if pk not in labels:  # few distinct values (AI systems, purposes): one query each
            labels[pk] = str(model._default_manager.filter(pk=pk).first() or pk)
        return labels[pk]

    def rows(self, user: Customer) -> Iterator[dict[str, Any]]:
        """The rows, newest first, read in chunks through a server-side cursor.

        The ORM writes the SQL; the rows skip its per-value converters (the
        export's hot loop) and get this reader's own, chosen per column.
        """
        queryset = self.source.rows_for(user).order_by(*self.source.ordering).values_list(*self.lookups)
        sql, params = queryset.query.sql_with_params()
        columns = self.columns
        steps = [
            (lambda value, i=i: self._label(i, value)) if i in self._related else converter
            for i, converter in enumerate(self._converters)
        ]
        connection = connections[queryset.db]
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK_SIZE):
                for values in chunk:
                    yield {
                        column: (value if step is None or value is None else step(value))
                        for column, step, value in zip(columns, steps, values, strict=True)
                    }


def source_metadata(source: Source) -> dict[str, Any]:
    return {
        "source": source.key,
        "label": source.label,
        "description": source.description,
        "purpose": source.purpose,
        "legal_basis": str(source.legal_basis),
        "legal_basis_label": source.legal_basis.label,
        "retention": source.retention,
        "recipients": list(source.recipients),
        "erasure": source.erasure.description,
        "fields": [
            {
                "name": f.name,
                "label": source.field_label(f),
                "category": f.category,
                "category_label": CATEGORIES[f.category].label,
                "derived_by_ai": f.derived_by_ai,
            }
            for f in source.fields
        ],
    }


README = """Your data, as {portal_name} held it on {generated_at}
===========================================================

This archive holds a copy of every piece of personal data we hold about you,
including what our AI systems concluded about you.

index.html     Open it in any web browser: everything, readable, in one page
               (up to the newest 1,000 entries of each kind; the files below
               hold every entry).
data.json      The same, for programs: one entry per kind of data ("source")
               with why we hold it, the legal basis, how long we keep it, who
               receives it, what erasure would do, and every value. Values an
               AI derived are marked "derived_by_ai"; their AI system and
               confidence are in the "<field>__ai_system" and
               "<field>__confidence" columns. Its format is described by
               data.schema.json (JSON Schema), version {schema_version}.
sources/*.csv  One table per kind of data, for spreadsheets (UTF-8).

Times are in ISO 8601 (UTC). Secrets — your password, two-factor secrets and
recovery codes, session keys — are never exported.

Questions: reply to the e-mail that told you this archive was ready, or use
the privacy portal.
"""

HTML_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Your data — {portal_name}</title>
<style>
body{{font-family:system-ui,sans-serif;line-height:1.5;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1f2937}}
table{{border-collapse:collapse;width:100%;font-size:.9rem;margin:1rem 0 2rem}}
th,td{{border:1px solid #d1d5db;padding:.3rem .5rem;text-align:left;vertical-align:top}}
th{{background:#f3f4f6}} dt{{font-weight:600}} .ai{{background:#ede4ff;color:#3f1d8a;padding:0 .3rem;border-radius:.3rem}}
</style></head><body>
<h1>Your data</h1>
<p>Everything {portal_name} held about you on {generated_at}. Values marked <span class="ai">AI</span> were derived by an AI system.</p>
"""


# A page a person reads, not a dump: beyond this many rows of one kind the
# report says so and points to the CSV and JSON, which hold every row.
HTML_ROWS_PER_SOURCE = 1000


class _HtmlSection:
    def __init__(self, out: TextIO, source: Source, metadata: dict[str, Any], columns: list[str]) -> None:
        self.out, self.columns, self.key = out, columns, source.key
        derived = {f.name for f in source.fields if f.derived_by_ai}
        e = html.escape
        out.write(f"<section><h2>{e(source.label)}</h2><p>{e(source.description)}</p><dl>")
        for label, value in (
            ("Why we hold it", metadata["purpose"]),
            ("Legal basis", metadata["legal_basis_label"]),
            ("How long we keep it", metadata["retention"]),
            ("Who receives it", ", ".join(metadata["recipients"]) or "Nobody outside our company"),
            ("If you ask us to erase your data", metadata["erasure"]),
        ):
            out.write(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>")
        out.write("</dl><table><tr>")
        for column in columns:
            name = column.split("__")[0]
            mark = ' <span class="ai">AI</span>' if name in derived else ""
            out.write(f"<th>{e(column.replace('__', ' '))}{mark}</th>")
        out.write("</tr>\n")

    def row(self, values: dict[str, Any]) -> None:
        # One escape per row, not per cell (the separator cannot occur in escaped text).
        text = "\x1f".join("" if values[c] is None else str(values[c]).replace("\x1f", " ") for c in self.columns)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        self.out.write("<tr><td>" + text.replace("\x1f", "</td><td>") + "</td></tr>\n")

    def close(self, total: int) -> None:
        if not total:
            self.out.write(f'<tr><td colspan="{len(self.columns)}">Nothing of this kind.</td></tr>')
        self.out.write("</table>")
        if total > HTML_ROWS_PER_SOURCE:
            self.out.write(
                f"<p><strong>The newest {HTML_ROWS_PER_SOURCE:,} of {total:,} entries are shown here.</strong> "
                f"All of them are in data.json and in sources/{html.escape(self.key)}.csv.</p>"
            )
        self.out.write("</section>\n")


# A cell beginning with one of these is a formula to a spreadsheet program
# (OWASP, "CSV Injection"): =HYPERLINK(...) can send the customer's other
# cells away, and DDE formulas can run programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetSafeWriter:
    """The one way a CSV of the archive is written: every text cell that a
    spreadsheet would run as a formula gets a leading single quote (OWASP's
    rule), so it shows as the text it is.

    Every such text cell, even "-5" or "+44 20 7946 0011": telling harmless
    text from a formula is where such filters fail, and the quote keeps the
    text readable (a phone number keeps its "+" instead of becoming 4.42E+11).
    Values the database holds as numbers (int, float) are not text and are
    written as they are. data.json is data for programs and keeps every value
    exactly.
    """

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, cells: Iterable[Any]) -> None:
        triggers = FORMULA_TRIGGERS
        self._writer.writerow(
            ["'" + cell if isinstance(cell, str) and cell.startswith(triggers) else cell for cell in cells]
        )


def _entry(archive: zipfile.ZipFile, name: str, stamp: datetime.datetime) -> IO[bytes]:
    """A streamed ZIP entry with a real date and ordinary file permissions."""
    info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return archive.open(info, "w", force_zip64=True)


def build_archive(
    *,
    user: Customer,
    portal_name: str,
    target: Path,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    heartbeat: Callable[[], None] = lambda: None,
    scratch_dir: Path | None = None,
) -> tuple[int, str]:
    """Write the archive for `user` to `target`; return (size, sha256).

    Working files go to `scratch_dir` (a temporary folder if not given); the
    caller removes it, also after a crash.
    """
    sources = registry.sources
    now = timezone.now()
    generated_at = now.isoformat(timespec="seconds")
    on_progress(0, len(sources))
    with (
        (
            contextlib.nullcontext(str(scratch_dir))
            if scratch_dir
            else tempfile.TemporaryDirectory(prefix="portal-export-")
        ) as scratch,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        json_path, html_path = Path(scratch) / "data.json", Path(scratch) / "index.html"
        with open(json_path, "w", encoding="utf-8") as data, open(html_path, "w", encoding="utf-8") as page:
            data.write(
                f'{{"schema_version": {SCHEMA_VERSION:d}, "generated_at": {json.dumps(generated_at)}, '
                f'"subject": {{"customer_id": {json.dumps(str(user.public_id))}}}, "sources": ['
            )
            page.write(HTML_HEAD.format(portal_name=html.escape(portal_name), generated_at=generated_at))
            for index, source in enumerate(sources):
                reader = SourceReader(source)
                metadata = source_metadata(source)
                head = json.dumps(metadata, ensure_ascii=False)[:-1]  # reopen the object to add "rows"
                data.write(("," if index else "") + head + ', "rows": [')
                section = _HtmlSection(page, source, metadata, reader.columns)
                with _entry(archive, f"sources/{source.key}.csv", now) as raw:
                    table = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    writer = SpreadsheetSafeWriter(table)
                    writer.writerow(reader.columns)
                    dumps, write_json, write_csv = json.dumps, data.write, writer.writerow
                    total = 0
                    for count, values in enumerate(reader.rows(user)):
                        write_json(("," if count else "") + dumps(values, ensure_ascii=False))
                        write_csv(values.values())  # the csv module writes None as an empty cell
                        if count < HTML_ROWS_PER_SOURCE:
                            section.row(values)
                        if count and count % 10_000 == 0:
                            heartbeat()
                        total = count + 1
                    table.flush()
                    table.detach()
                data.write("]}")
                section.close(total)
                on_progress(index + 1, len(sources))
            data.write("]}")
            page.write("</body></html>\n")
        for name, path in (("data.json", json_path), ("index.html", html_path)):
            with open(path, "rb") as source_file, _entry(archive, name, now) as entry:
                shutil.copyfileobj(source_file, entry, 1024 * 1024)
        with _entry(archive, "data.schema.json", now) as entry:
            entry.write(SCHEMA_PATH.read_bytes())
        with _entry(archive, "README.txt", now) as entry:
            entry.write(
                README.format(
                    portal_name=portal_name, generated_at=generated_at, schema_version=SCHEMA_VERSION
                ).encode()
            )
    digest = hashlib.sha256()
    with open(target, "rb") as built:
        for block in iter(lambda: built.read(1024 * 1024), b""):
            digest.update(block)
    return target.stat().st_size, digest.hexdigest()
