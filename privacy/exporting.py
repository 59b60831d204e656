"""Building a customer's export archive, generic over the personal-data registry.

The archive is a ZIP with:

- data.json — every source, its fields, categories, purpose, legal basis,
  retention and recipients, and every row, under the names programs use
  (schema: privacy/export_schema.json);
- sources/<what it holds>.csv — one table per kind of data the customer has,
  named after its label (messages-in-your-conversations.csv) and headed with
  the labels of "My data", its values in words (Yes/No, choice labels, times
  a spreadsheet sorts); text a spreadsheet would run as a formula is
  neutralised (SpreadsheetSafeWriter);
- index.html — the same as a self-contained page a person can read, with the
  words, values and groups of "My data" in the customer's language (the
  newest 1,000 entries of each kind; the CSV and JSON hold them all);
- README.txt — what the files are.

Everything streams: rows are read in chunks (`values_list()` through a
server-side cursor, no model instances unless a field can only be read from
its row) and written straight into the ZIP entry for the CSV and into
temporary files for the JSON and HTML, which are then copied into the ZIP —
so memory does not grow with the size of the history. The report reads its
(at most 1,000) rows of a kind again as model instances, so that each value
reads exactly as on "My data" (privacy.values.display_value).
"""

import contextlib
import csv
import datetime
import hashlib
import html
import io
import json
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from pathlib import Path
from typing import IO, Any, TextIO

from django.conf import settings
from django.db import connections
from django.db.models import Field, Model
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext

from privacy.languages import customer_language
from privacy.registry import PersonalField, Source, registry
from privacy.source_words import few_values, source_words
from privacy.taxonomy import CATEGORIES, GROUPS
from privacy.translated_text import sql_lookups
from privacy.typing import Customer
from privacy.values import display_confidence, display_value

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

Step = Callable[[Any], Any] | None


class SourceReader:
    """Reads one source's rows for one customer as plain JSON-safe dicts."""

    def __init__(self, source: Source):
        self.source = source
        self.columns: list[str] = []  # the names in each row dict
        lookups: list[str] = []
        self._related: dict[int, tuple[type[Model], dict[Any, str]]] = {}  # column index -> (model, id -> label)
        self._converters: list[Step] = []
        # The same for values read from a model instance, whose JSON fields are already parsed.
        self._instance_converters: list[Step] = []
        for personal_field in source.fields:
            self._add(personal_field.name, personal_field.name, lookups)
            if personal_field.derived_by_ai:
                self._add(f"{personal_field.name}__ai_system", personal_field.ai_system_field, lookups)
                if personal_field.confidence_field:
                    self._add(f"{personal_field.name}__confidence", personal_field.confidence_field, lookups)
        self.lookups = lookups
        # A field with its own way of reading (`display`) is read from its row,
        # a model instance; every other value from its column alone.
        self.needs_rows = any(f.display is not None for f in source.fields)

    def _add(self, column: str, field_name: str, lookups: list[str]) -> None:
        model_field = self.source.model._meta.get_field(field_name)
        if model_field.is_relation and isinstance(model_field, Field) and isinstance(model_field.related_model, type):
            self._related[len(lookups)] = (model_field.related_model, {})
            self._converters.append(None)
            self._instance_converters.append(None)
            lookups.append(model_field.attname)
        else:
            internal_type = model_field.get_internal_type()
            self._converters.append(_CONVERTERS.get(internal_type))
            self._instance_converters.append(None if internal_type == "JSONField" else _CONVERTERS.get(internal_type))
            lookups.append(field_name)
        self.columns.append(column)

    def _label(self, index: int, pk: Any) -> str | None:
        if pk is None:
            return None
        model, labels = self._related[index]
        if pk not in labels:  # few distinct values (AI systems, purposes): one query each
            labels[pk] = str(model._default_manager.filter(pk=pk).first() or pk)
        return labels[pk]

    def _steps(self, converters: list[Step]) -> list[Step]:
        return [self._labeller(i) if i in self._related else converter for i, converter in enumerate(converters)]

    def _labeller(self, index: int) -> Callable[[Any], str | None]:
        return lambda pk: self._label(index, pk)

    def rows(self, user: Customer) -> Iterator[dict[str, Any]]:
        """The rows, newest first, read in chunks through a server-side cursor.

        The ORM writes the SQL; the rows skip its per-value converters (the
        export's hot loop) and get this reader's own, chosen per column.
        """
        queryset = sql_lookups(self.source.rows_for(user).order_by(*self.source.ordering), self.lookups)
        sql, params = queryset.query.sql_with_params()
        columns = self.columns
        steps = self._steps(self._converters)
        connection = connections[queryset.db]
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK_SIZE):
                for values in chunk:
                    yield {
                        column: (value if step is None or value is None else step(value))
                        for column, step, value in zip(columns, steps, values, strict=True)
                    }

    def records(self, user: Customer) -> Iterator[tuple[dict[str, Any], Model | None]]:
        """The rows as `rows` gives them, each with its model instance when a
        field can only be read from it (`needs_rows`); otherwise with None, and
        no instance is built."""
        if not self.needs_rows:
            for converted in self.rows(user):
                yield converted, None
            return
        # Related rows are not joined in (half the instances to build): this
        # reader names them itself, once per distinct one, and the `display`
        # functions declared today read the row's own values only.
        queryset = self.source.rows_for(user).order_by(*self.source.ordering)
        columns, lookups = self.columns, self.lookups
        steps = self._steps(self._instance_converters)
        for row in queryset.iterator(chunk_size=CHUNK_SIZE):
            values = [getattr(row, lookup) for lookup in lookups]
            yield (
                {
                    column: (value if step is None or value is None else step(value))
                    for column, step, value in zip(columns, steps, values, strict=True)
                },
                row,
            )


def source_metadata(source: Source) -> dict[str, Any]:
    return {
        "source": source.key,
        # The keys and the machine names ("source", "legal_basis", a field's
        # "name" and "category") are the same in every archive; the words
        # beside them are in the customer's language.
        "label": str(source.label),
        "description": str(source.description),
        "purpose": str(source.purpose),
        "legal_basis": str(source.legal_basis),
        "legal_basis_label": source.legal_basis.label,
        "retention": str(source.retention),
        "recipients": [str(recipient) for recipient in source.recipients],
        "erasure": source.erasure_description,
        "fields": [
            {
                "name": f.name,
                "label": source.field_label(f),
                "category": f.category,
                "category_label": str(CATEGORIES[f.category].label),
                "derived_by_ai": f.derived_by_ai,
            }
            for f in source.fields
        ],
    }


def csv_file_names(sources: Iterable[Source]) -> dict[str, str]:
    """Each source's CSV in the archive, named by what it holds: its English
    label as a slug ("sources/messages-in-your-conversations.csv", in every
    language: programs and the README rely on the name), made unique with a
    number. Given every declared source in the registry's order, a kind's file
    has the same name in every archive, whatever else the customer holds."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for source in sources:
        base = source.slug
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names[source.key] = f"sources/{name}.csv"
    return names


# --- The CSV: the labels and values of "My data", for spreadsheets -----------------------------------------

# How a column's JSON-safe value (or None) becomes its cell in the CSV (None:
# as it is). Mapped over a column of every chunk of histories with hundreds of
# thousands of rows, so a look-up or a cut rather than a parse where it can be.
Formatter = Callable[[Any], Any] | None


class _Words(dict[Any, Any]):
    """A column's words for each of its values; a value without words (a code
    no choice names) stays as it is."""

    def __missing__(self, value: Any) -> Any:
        return value


def _spreadsheet_time() -> Callable[[str | None], str | None]:
    # data.json's ISO 8601 time in UTC, as spreadsheets read and sort a time:
    # local (TIME_ZONE), to the minute ("2026-03-14 09:30").
    zone = timezone.get_current_timezone()
    if zone.utcoffset(None) == datetime.timedelta(0):  # UTC (a zone with summer time has no fixed offset)

        def in_utc(value: str | None) -> str | None:
            return None if value is None else f"{value[:10]} {value[11:16]}"  # already UTC: cut, not parsed

        return in_utc

    def local(value: str | None) -> str | None:
        if value is None:
            return None
        return datetime.datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return local


def _spreadsheet_number(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _spreadsheet_json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value)  # as display_value joins a list
    return json.dumps(value, ensure_ascii=False)


def _spreadsheet_columns(
    source: Source, reader: SourceReader
) -> tuple[list[str], list[Formatter], list[tuple[int, "_Displayed"]]]:
    """The CSV's header ("My data"'s labels), a formatter per column, and the
    columns of fields with their own `display`, which read the row instead."""
    header: list[str] = []
    formatters: list[Formatter] = []
    displayed: list[tuple[int, _Displayed]] = []
    for personal_field in source.fields:
        label = source.field_label(personal_field)
        header.append(label)
        model_field = source.model._meta.get_field(personal_field.name)
        kind = model_field.get_internal_type()
        formatter: Formatter = None
        if personal_field.display is not None:
            displayed.append((len(formatters), _Displayed(source, personal_field)))
        elif words := few_values(source, personal_field):
            formatter = _Words({value: "" if shown == "—" else shown for value, shown in words.items()}).__getitem__
        elif kind == "DateTimeField":
            formatter = _spreadsheet_time()
        elif kind == "JSONField":
            formatter = _spreadsheet_json
        formatters.append(formatter)
        if personal_field.derived_by_ai:
            header.append(gettext("%(label)s: AI system") % {"label": label})
            formatters.append(None)
            if personal_field.confidence_field:
                # A number, so a spreadsheet can sort and average it (0.82, not the float 0.8200000000000001).
                header.append(gettext("%(label)s: how sure the AI was (0 to 1)") % {"label": label})
                formatters.append(_spreadsheet_number)
    if len(formatters) != len(reader.columns):  # pragma: no cover - both follow source.fields
        raise AssertionError(f"{source.key}: the CSV's columns do not match the reader's")
    return header, formatters, displayed


class _Displayed:
    """A field with its own `display`: read from the row, whatever its own value (even none)."""

    def __init__(self, source: Source, personal_field: PersonalField) -> None:
        self.source, self.personal_field = source, personal_field

    def __call__(self, row: Model | None) -> str:
        if row is None:  # pragma: no cover - SourceReader.records gives the row of such a source
            raise ValueError(f"{self.source.key}.{self.personal_field.name} is read from its row")
        shown = display_value(row, self.source, self.personal_field)
        return "" if shown == "—" else shown  # an empty cell, as for every other empty value


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
        self.writerows([cells])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        triggers = FORMULA_TRIGGERS
        self._writer.writerows(
            ["'" + cell if isinstance(cell, str) and cell.startswith(triggers) else cell for cell in cells]
            for cells in rows
        )


# --- index.html: "My data" as a page of its own ------------------------------------------------------------

# In the customer's language like index.html: translated as one text (the
# translator keeps the {placeholders} and the column layout).
README = gettext_noop("""Your data, as {portal_name} held it on {generated_at}
===========================================================

This archive holds a copy of every piece of personal data we hold about you,
including what our AI systems concluded about you.

index.html     Open it in any web browser: everything, readable, in one page,
               grouped and worded as on the portal's "My data" page (up to the
               newest 1,000 entries of each kind; the files below hold every
               entry). It loads nothing from the internet.
sources/       One table per kind of data we hold about you, for spreadsheets
               (CSV, UTF-8), named after what it holds, e.g.
               sources/messages-in-your-conversations.csv. Columns carry the
               names you see on the portal; times read YYYY-MM-DD HH:MM
               ({time_zone}). Values an AI derived are followed by the AI
               system and how sure it was (0 to 1).
data.json      The same, for programs: one entry per kind of data ("source")
               with why we hold it, the legal basis, how long we keep it, who
               receives it, what erasure would do, and every value, under
               stable machine-friendly names. Values an AI derived are marked
               "derived_by_ai"; their AI system and confidence are in the
               "<field>__ai_system" and "<field>__confidence" columns. Times
               are in ISO 8601 (UTC). Its format is described by
               data.schema.json (JSON Schema), version {schema_version}.

Secrets — your password, two-factor secrets and recovery codes, session
keys — are never exported.

Questions: reply to the e-mail that told you this archive was ready, or use
the privacy portal.
""")

REPORT_STYLE = """
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1f2937;
margin:0 auto;max-width:72rem;padding:1.5rem 1rem 4rem;overflow-wrap:break-word}
h1,h2,h3{line-height:1.25}
h2{margin-top:3rem;padding-bottom:.3rem;border-bottom:2px solid #e5e7eb}
h3{margin:2.2rem 0 .3rem}
a{color:#1d4ed8}
.lead{font-size:1.1rem}
.muted,small{color:#4b5563}
.figures,.facts,.single{display:grid;grid-template-columns:fit-content(24rem) minmax(0,1fr);gap:.25rem 1rem;margin:.6rem 0 1rem}
.figures dt,.facts dt,.single dt{font-weight:600}
.figures dd,.facts dd,.single dd{margin:0}
.facts{font-size:.92rem}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.6rem 0 1rem}
th,td{border:1px solid #d1d5db;padding:.35rem .5rem;text-align:left;vertical-align:top;hyphens:auto}
.long{overflow-wrap:anywhere}
.rows{overflow-x:auto}
th{background:#f3f4f6}
.ai{display:inline-block;background:#ede4ff;color:#3f1d8a;padding:0 .35rem;border-radius:.3rem;font-size:.8em;font-weight:600}
.count{font-weight:600}
details{margin:.6rem 0 1rem}
summary{cursor:pointer;font-weight:600}
#nothing-held{margin-top:3rem;padding-top:1rem;border-top:2px solid #e5e7eb}
#nothing-held summary{font-size:1.25rem}
nav ul ul{margin:.2rem 0 .6rem}
@media (max-width:40rem){
.figures,.facts,.single{grid-template-columns:minmax(0,1fr);gap:0}
.figures dd,.facts dd,.single dd{margin-bottom:.5rem}
table,tbody,tr,td{display:block;width:100%}
thead{display:none}
tr{border:1px solid #d1d5db;border-radius:.3rem;margin-bottom:.7rem;padding:.35rem .6rem}
td{border:0;padding:.15rem 0}
td::before{content:attr(data-label) ": ";font-weight:600}
}
@media print{details{display:block}summary{display:none}a{color:inherit}}
"""

# A page a person reads, not a dump: beyond this many rows of one kind the
# report says so and points to the CSV and JSON, which hold every row.
HTML_ROWS_PER_SOURCE = 1000


# Longer than any word: the text of a value that may break anywhere to fit its column.
_LONG_WORD = re.compile(r"\S{30,}")


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


class _ReportCells:
    """How each value of a row reads in the report: exactly as display_value
    shows it on "My data", without a model instance per row.

    A field with its own `display` reads the row (SourceReader.records gives
    it); a field with few values (Yes/No, choices) reads as display_value read
    each of them once; a related row by the label the reader looked up, as
    display_value names it; any other value is handed to display_value on one
    unsaved row of the model, holding one value at a time.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self._holder = source.model()  # never saved
        # Per field, how it is read: "row", "few" (with the words for each value), "label" (a related
        # row) or "holder" (with its attribute and the parser of its data.json form, if any).
        self._plan: list[tuple[PersonalField, str, Any]] = []
        for personal_field in source.fields:
            model_field = source.model._meta.get_field(personal_field.name)
            if personal_field.display is not None:
                self._plan.append((personal_field, "row", None))
            elif words := few_values(source, personal_field):
                self._plan.append((personal_field, "few", words))
            elif model_field.is_relation:
                self._plan.append((personal_field, "label", None))
            else:
                attname = getattr(model_field, "attname", personal_field.name)
                parse = _PARSERS.get(model_field.get_internal_type())
                self._plan.append((personal_field, "holder", (attname, parse)))

    def row(self, values: dict[str, Any], row: Model | None) -> list[str]:
        """A row's cells, from its data.json values (and its instance, for the fields that read it)."""
        cells = []
        for personal_field, how, what in self._plan:
            value = values[personal_field.name]
            if how == "row" and row is not None:
                shown = display_value(row, self.source, personal_field)
            elif how == "few":
                shown = what.get(value, "—" if value is None else str(value))
            elif how == "label" or how == "row":
                shown = "—" if value is None or value == "" else str(value)
            else:
                attname, parse = what
                setattr(self._holder, attname, value if parse is None or value is None else parse(value))
                shown = display_value(self._holder, self.source, personal_field)
            cells.append(self._cell(shown, personal_field, values))
        return cells

    @staticmethod
    def _cell(shown: str, personal_field: PersonalField, values: dict[str, Any]) -> str:
        e = html.escape
        cell = e(shown)
        if len(shown) >= 30 and _LONG_WORD.search(shown):  # an ID, a browser's name: may break anywhere
            cell = f'<span class="long">{cell}</span>'
        if not personal_field.derived_by_ai:
            return cell
        system = values.get(f"{personal_field.name}__ai_system")
        confidence = display_confidence(values.get(f"{personal_field.name}__confidence"))
        about = " · ".join(part for part in (str(system or ""), confidence) if part)
        ai = gettext("AI")
        cell += f' <span class="ai">{e(ai)}</span>'
        return cell + (f" <small>{e(about)}</small>" if about else "")


# data.json's forms of the values display_value reads as Python objects.
_PARSERS: dict[str, Callable[[Any], Any]] = {
    "DateTimeField": datetime.datetime.fromisoformat,
    "DateField": datetime.date.fromisoformat,
}


class _Report:
    """index.html, written while the archive is: one section per kind of data
    the customer has (or that applies to them, such as AI choices in force),
    under the groups of "My data", a contents list with the counts at the top,
    and the kinds we hold nothing of folded into one line at the end.

    The sections go to a scratch file as each kind is read; the top, which
    needs every count, is written last, in front of them, into the ZIP.
    """

    def __init__(self, out: TextIO, user: Customer) -> None:
        self.out, self.user = out, user
        self.contents: dict[str, list[tuple[str, str, str]]] = {}  # group -> (anchor, label, count)
        self.nothing_held: list[Source] = []
        self._group = ""

    def source(self, source: Source, *, total: int, csv_name: str, rows: list[list[str]]) -> None:
        """One kind's section; `rows` are the cells of its newest rows (_ReportCells)."""
        if not source.listed_for(self.user, count=total):
            return  # a staff-only kind, to a customer it cannot apply to
        if not total and source.in_force is None:
            self.nothing_held.append(source)
            return
        e = html.escape
        anchor = source.slug  # the same link into every archive, whatever its language
        group = source.group_key
        if group != self._group:
            if self._group:
                self.out.write("</section>\n")
            self.out.write(f'<section id="group-{e(group)}"><h2>{e(str(GROUPS.get(group, group)))}</h2>\n')
            self._group = group
        self.contents.setdefault(group, []).append((anchor, str(source.label), source.count_in_words(total)))
        self.out.write(f'<article id="{e(anchor)}"><h3>{e(str(source.label))}')
        if source.derived_by_ai:
            ai_derived = gettext("AI-derived")
            self.out.write(f' <span class="ai">{e(ai_derived)}</span>')
        self.out.write(f"</h3>\n<p>{e(str(source.description))}</p>\n")
        self._facts(source)
        if source.in_force is not None:
            self._in_force(source)
        if total:
            where = gettext("Also in %(file)s and in data.json.") % {"file": csv_name}
            self.out.write(f'<p><span class="count">{e(source.count_in_words(total))}</span> · {e(where)}</p>\n')
            self._rows(source, rows, total=total)
        self.out.write("</article>\n")

    def _facts(self, source: Source) -> None:
        e = html.escape
        words = source_words(source)
        self.out.write('<dl class="facts">')
        for label, value in (
            (gettext("Kinds of data"), words.categories),
            (gettext("Why we hold it"), words.purpose),
            (gettext("Legal basis"), words.legal_basis),
            (gettext("How long we keep it"), words.retention),
            (gettext("Who receives it"), words.recipients),
            (gettext("If you ask us to erase your data"), words.erasure),
        ):
            self.out.write(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>")
        self.out.write("</dl>\n")

    def _in_force(self, source: Source) -> None:
        e = html.escape
        in_force = source.in_force
        assert in_force is not None
        labels = [str(column) for column in in_force.columns]
        # Each text outside its f-string: makemessages does not look inside one.
        applies = gettext("What applies to you now:")
        self.out.write(f'<p>{e(applies)}</p>\n<div class="rows"><table><thead><tr>')
        self.out.write("".join(f'<th scope="col">{e(label)}</th>' for label in labels))
        self.out.write("</tr></thead><tbody>\n")
        for values in in_force.rows(self.user):
            cells = (
                f'<td data-label="{e(label)}">{e(str(value))}</td>' for label, value in zip(labels, values, strict=True)
            )
            self.out.write("<tr>" + "".join(cells) + "</tr>\n")
        self.out.write("</tbody></table></div>\n")

    def _rows(self, source: Source, rows: list[list[str]], *, total: int) -> None:
        """The newest rows as "My data" shows them: one list of label and value
        for a kind with one entry, a table (stacked on a phone) for more."""
        e = html.escape
        labels = [e(source.field_label(f)) for f in source.fields]
        if total == 1:
            self.out.write('<dl class="single">')
            self.out.write(
                "".join(f"<dt>{label}</dt><dd>{cell}</dd>" for label, cell in zip(labels, rows[0], strict=True))
            )
            self.out.write("</dl>\n")
            return
        # A table too wide for the window scrolls inside its box, never the page.
        self.out.write('<div class="rows"><table><thead><tr>')
        self.out.write("".join(f'<th scope="col">{label}</th>' for label in labels))
        self.out.write("</tr></thead><tbody>\n")
        for cells in rows:
            tds = (f'<td data-label="{label}">{cell}</td>' for label, cell in zip(labels, cells, strict=True))
            self.out.write("<tr>" + "".join(tds) + "</tr>\n")
        self.out.write("</tbody></table></div>\n")
        if total > HTML_ROWS_PER_SOURCE:
            note = gettext("The newest %(shown)s of %(total)s entries are shown here.") % {
                "shown": _number(HTML_ROWS_PER_SOURCE),
                "total": _number(total),
            }
            self.out.write(f"<p><strong>{e(note)}</strong></p>\n")

    def top(self, *, portal_name: str, generated_at: str) -> str:
        """Everything above the sections: title, introduction, the customer's figures, contents."""
        e = html.escape
        title = gettext("Your data — %(portal)s") % {"portal": portal_name}
        # Each text outside its f-string: makemessages does not look inside one.
        heading, ai, contents = gettext("Your data"), gettext("AI"), gettext("Contents")
        language = translation.get_language() or settings.LANGUAGE_CODE
        parts = [
            f'<!DOCTYPE html>\n<html lang="{e(language)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title><style>{REPORT_STYLE}</style></head><body>\n",
            f"<header><h1>{e(heading)}</h1>\n",
            '<p class="lead">'
            + e(
                gettext("Everything %(portal)s held about you on %(date)s, including what our AI systems concluded.")
                % {"portal": portal_name, "date": generated_at}
            )
            + "</p>\n",
            "<p>"
            + e(gettext("Values marked"))
            + f' <span class="ai">{e(ai)}</span> '
            + e(gettext("were derived by an AI system, which is named beside them with how sure it was."))
            + "</p>\n<p>"
            + e(
                gettext(
                    "The files beside this page hold every entry: one spreadsheet (CSV) per kind of data in the "
                    "sources folder, and data.json for programs."
                )
            )
            + "</p></header>\n",
        ]
        for summary in registry.summaries:
            figures = summary.provider(self.user)
            parts.append(f'<section><h2>{e(str(summary.title))}</h2><dl class="figures">')
            parts.extend(f"<dt>{e(str(label))}</dt><dd>{e(str(value))}</dd>" for label, value in figures)
            parts.append("</dl></section>\n")
        parts.append(f'<nav aria-labelledby="contents"><h2 id="contents">{e(contents)}</h2><ul>')
        for group, entries in self.contents.items():
            parts.append(f'<li><a href="#group-{e(group)}">{e(str(GROUPS.get(group, group)))}</a><ul>')
            parts.extend(
                f'<li><a href="#{e(anchor)}">{e(label)}</a> <small>({e(count)})</small></li>'
                for anchor, label, count in entries
            )
            parts.append("</ul></li>")
        if self.nothing_held:
            parts.append(f'<li><a href="#nothing-held">{e(self._nothing_held_title())}</a></li>')
        parts.append("</ul></nav>\n")
        return "".join(parts)

    def _nothing_held_title(self) -> str:
        count = len(self.nothing_held)
        return ngettext(
            "%(count)s other kind of data: we hold none of it about you",
            "%(count)s other kinds of data: we hold none of these about you",
            count,
        ) % {"count": _number(count)}

    def bottom(self) -> str:
        """The kinds we hold nothing of, folded into one line, and the end of the page."""
        e = html.escape
        parts = ["</section>\n" if self._group else ""]
        if self.nothing_held:
            why = gettext("Why we would hold it:")  # outside the f-string, where makemessages sees it
            parts.append(f'<section id="nothing-held"><details><summary>{e(self._nothing_held_title())}</summary><ul>')
            parts.extend(
                f"<li><strong>{e(str(source.label))}</strong> — {e(str(source.description))} "
                f'<span class="muted">{e(why)} {e(str(source.purpose))}</span></li>'
                for source in self.nothing_held
            )
            parts.append("</ul></details></section>\n")
        parts.append("</body></html>\n")
        return "".join(parts)


class _SpreadsheetTable:
    """One kind's CSV in the archive. Opened at its first row, so no kind the
    customer has nothing of leaves an empty table; written a chunk of rows at a
    time and formatted column by column (a `map` per column rather than a
    Python loop per cell), through SpreadsheetSafeWriter."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        name: str,
        stamp: datetime.datetime,
        header: list[str],
        formatters: list[Formatter],
        displayed: list[tuple[int, "_Displayed"]],
    ) -> None:
        self._archive, self._name, self._stamp, self._header = archive, name, stamp, header
        self._formatted = [(position, formatter) for position, formatter in enumerate(formatters) if formatter]
        self._displayed = displayed
        self._lines: list[tuple[Any, ...]] = []
        self._rows: list[Model | None] = []  # for the fields read from their row
        self._entry: IO[bytes] | None = None
        self._text: io.TextIOWrapper | None = None
        self._writer: SpreadsheetSafeWriter | None = None

    def write(self, chunk: Iterable[tuple[dict[str, Any], Model | None]]) -> None:
        """Rows as SourceReader gives them (each with its instance, or None)."""
        self._lines.extend(tuple(values.values()) for values, _ in chunk)
        if self._displayed:
            self._rows.extend(row for _, row in chunk)
        if len(self._lines) >= CHUNK_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self._lines:
            return
        if self._writer is None:
            self._entry = _entry(self._archive, self._name, self._stamp)
            self._text = io.TextIOWrapper(self._entry, encoding="utf-8", newline="")
            self._writer = SpreadsheetSafeWriter(self._text)
            self._writer.writerow(self._header)
        columns: list[Iterable[Any]] = list(zip(*self._lines, strict=True))
        for position, formatter in self._formatted:
            columns[position] = map(formatter, columns[position])
        for position, display in self._displayed:
            columns[position] = map(display, self._rows)
        self._writer.writerows(zip(*columns, strict=True))  # the csv module writes None as an empty cell
        self._lines.clear()
        self._rows.clear()

    def close(self) -> None:
        self._flush()
        if self._text is not None and self._entry is not None:
            self._text.flush()
            self._text.detach()
            self._entry.close()


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
    caller removes it, also after a crash. Words, dates and numbers follow the
    customer's language, as the e-mails they get do.
    """
    with translation.override(customer_language(user)):
        return _build_archive(
            user=user,
            portal_name=portal_name,
            target=target,
            on_progress=on_progress,
            heartbeat=heartbeat,
            scratch_dir=scratch_dir,
        )


def _build_archive(
    *,
    user: Customer,
    portal_name: str,
    target: Path,
    on_progress: Callable[[int, int], None],
    heartbeat: Callable[[], None],
    scratch_dir: Path | None,
) -> tuple[int, str]:
    sources = registry.sources_in_group_order()  # as on "My data" (every file follows it, data.json too)
    # Imported here: privacy.selectors ("My data") imports this module.
    from privacy.selectors.source_counts import source_row_counts

    # One query counts them all: most kinds hold nothing of a customer, and their rows are not asked for.
    counts = source_row_counts(user=user, sources=sources)
    csv_names = csv_file_names(registry.sources)
    now = timezone.now()
    generated_at = now.isoformat(timespec="seconds")
    shown_at = formats.date_format(timezone.localtime(now), "DATETIME_FORMAT")
    on_progress(0, len(sources))
    with (
        (
            contextlib.nullcontext(str(scratch_dir))
            if scratch_dir
            else tempfile.TemporaryDirectory(prefix="portal-export-")
        ) as scratch,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        json_path, sections_path = Path(scratch) / "data.json", Path(scratch) / "report-sections.html"
        with open(json_path, "w", encoding="utf-8") as data, open(sections_path, "w", encoding="utf-8") as sections:
            report = _Report(sections, user)
            data.write(
                f'{{"schema_version": {SCHEMA_VERSION:d}, "generated_at": {json.dumps(generated_at)}, '
                f'"subject": {{"customer_id": {json.dumps(str(user.public_id))}}}, "sources": ['
            )
            for index, source in enumerate(sources):
                reader = SourceReader(source)
                head = json.dumps(source_metadata(source), ensure_ascii=False)[:-1]  # reopen the object to add "rows"
                data.write(("," if index else "") + head + ', "rows": [')
                header, formatters, displayed = _spreadsheet_columns(source, reader)
                # A kind of data the customer holds nothing of costs no query.
                records: Iterable[tuple[dict[str, Any], Model | None]] = (
                    reader.records(user) if counts[source.key] else ()
                )
                report_cells, report_rows = _ReportCells(source), list[list[str]]()
                table = _SpreadsheetTable(archive, csv_names[source.key], now, header, formatters, displayed)
                total = 0
                try:
                    # A chunk at a time: one JSON encoding and one CSV write per chunk rather than per row.
                    for chunk in batched(records, CHUNK_SIZE):
                        encoded = json.dumps([values for values, _ in chunk], ensure_ascii=False)[1:-1]
                        data.write(("," if total else "") + encoded)
                        table.write(chunk)
                        report_rows.extend(
                            report_cells.row(values, row)
                            for values, row in chunk[: max(0, HTML_ROWS_PER_SOURCE - total)]
                        )
                        if total // 10_000 != (total + len(chunk)) // 10_000:
                            heartbeat()
                        total += len(chunk)
                finally:
                    table.close()
                data.write("]}")
                report.source(source, total=total, csv_name=csv_names[source.key], rows=report_rows)
                on_progress(index + 1, len(sources))
            data.write("]}")
        with _entry(archive, "data.json", now) as entry, open(json_path, "rb") as json_file:
            shutil.copyfileobj(json_file, entry, 1024 * 1024)
        with _entry(archive, "index.html", now) as entry, open(sections_path, "rb") as sections_file:
            entry.write(report.top(portal_name=portal_name, generated_at=shown_at).encode())
            shutil.copyfileobj(sections_file, entry, 1024 * 1024)
            entry.write(report.bottom().encode())
        with _entry(archive, "data.schema.json", now) as entry:
            entry.write(SCHEMA_PATH.read_bytes())
        with _entry(archive, "README.txt", now) as entry:
            entry.write(
                gettext(README)
                .format(
                    portal_name=portal_name,
                    generated_at=shown_at,
                    schema_version=SCHEMA_VERSION,
                    time_zone=settings.TIME_ZONE,
                )
                .encode()
            )
    digest = hashlib.sha256()
    with open(target, "rb") as built:
        for block in iter(lambda: built.read(1024 * 1024), b""):
            digest.update(block)
    return target.stat().st_size, digest.hexdigest()
