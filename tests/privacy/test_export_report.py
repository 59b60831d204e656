"""The export's index.html and CSV files: a report a person reads, in the words of "My data"."""

import csv
import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation
from django.utils.text import slugify

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from accounts.models import StaffMFAInvitation
from fairness.models import MonitoringConsent, RecordedAttribute, VolunteeredAttribute
from interactions.models import Message
from privacy.exporting import SCHEMA_PATH, build_archive, csv_file_names
from privacy.models import (
    AIOutputFlag,
    AIPurpose,
    ConsentMethod,
    ExportArchive,
    GuidelinesAcknowledgement,
    HumanReviewRequest,
    OutboundEmail,
    PreferenceBreach,
    PrivacyRequest,
    PurposeSlug,
    StaffGuidelines,
)
from privacy.registry import Source, registry
from privacy.services import always_human_set, preference_set
from privacy.values import display_value
from tests.conftest import make_customer
from tests.factories import AIDecisionFactory, give_history


def give_data_of_every_kind(customer, *, marker: str) -> None:
    """A row of every kind of data the registry declares (the staff-only kinds only for staff)."""
    now = timezone.now()
    conversations = give_history(customer, marker=marker)
    decision = AIDecisionFactory.create(customer=customer, model_version=f"{marker}-model")
    address = EmailAddress.objects.get(user=customer)
    EmailConfirmation.objects.create(email_address=address, key=f"{marker}-confirmation-key", sent=now)
    TOTP.activate(customer, DEMO_OFFICER_TOTP_SECRET)
    UserSession.objects.create(
        user=customer, ip="203.0.113.9", session_key=f"{marker}-session", user_agent=f"Firefox/128.0 ({marker})"
    )
    RecordedAttribute.objects.create(customer=customer, attribute="language", value="en")
    VolunteeredAttribute.objects.create(customer=customer, attribute="age_band", value="65_plus")
    MonitoringConsent.objects.create(customer=customer, granted=True, notice_version=1)
    OutboundEmail.objects.create(
        user=customer,
        template="privacy/email/export_ready",
        recipients=[customer.email],
        from_email="portal@example.com",
        subject=f"{marker} your archive is ready",
    )
    automated = AIPurpose.objects.get(slug=PurposeSlug.AUTOMATED_DECISIONS)
    preference_set(user=customer, purpose=automated, allowed=False, method=ConsentMethod.PORTAL)
    always_human_set(user=customer, enabled=True, method=ConsentMethod.PORTAL)
    message = Message.objects.filter(conversation=conversations[0]).first()
    assert message is not None
    HumanReviewRequest.objects.create(
        user=customer,
        content_type=ContentType.objects.get_for_model(decision),
        object_id=decision.pk,
        ai_system=decision.ai_system,
        statement=f"{marker} please look again",
        contests_outcome=True,
        due_at=now + timedelta(days=30),
    )
    AIOutputFlag.objects.create(
        user=customer,
        content_type=ContentType.objects.get_for_model(message),
        object_id=message.pk,
        ai_system=decision.ai_system,
        reason=AIOutputFlag.Reason.WRONG,
        comment=f"{marker} that is not what I asked",
    )
    PreferenceBreach.objects.create(
        user=customer,
        purpose=automated,
        reason="choice",
        content_type=ContentType.objects.get_for_model(decision),
        object_id=decision.pk,
    )
    export = PrivacyRequest.objects.create(
        kind=PrivacyRequest.Kind.EXPORT,
        user=customer,
        subject_ref=f"{marker}-ref",
        due_at=now + timedelta(days=30),
        status=PrivacyRequest.Status.COMPLETED,
        finished_at=now,
    )
    ExportArchive.objects.create(request=export, storage_name=f"{marker}.zip", size=123_456, expires_at=now)
    if customer.is_staff:
        LogEntry.objects.create(
            user=customer,
            content_type=ContentType.objects.get_for_model(PrivacyRequest),
            object_id=str(export.pk),
            object_repr="a request",
            action_flag=CHANGE,
        )
        StaffMFAInvitation.objects.create(
            user=customer, token_hash=slugify(marker).ljust(64, "0")[:64], expires_at=now + timedelta(days=1)
        )
        guidelines = StaffGuidelines.objects.create(version=1, text="Be fair.", published_by=customer)
        GuidelinesAcknowledgement.objects.create(guidelines=guidelines, user=customer)
    # Every kind is covered: a kind declared later fails here until it is given a row too.
    missing = [
        source.key
        for source in registry.sources
        if (customer.is_staff or not source.staff_only) and not source.rows_for(customer).exists()
    ]
    assert missing == []


class Report(HTMLParser):
    """index.html as a reader meets it: its text, its headings and the labels beside each value."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.text_parts: list[str] = []
        self.labels: list[str] = []  # table headers, the terms of definition lists, each cell's data-label
        self.ids: list[str] = []
        self.links: list[str] = []
        self._in: list[str] = []
        self._label = ""
        self._in_style = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if "data-label" in attributes:
            self.labels.append(attributes["data-label"] or "")
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        if tag in ("th", "dt"):
            self._in.append(tag)
            self._label = ""

    def handle_endtag(self, tag):
        self._in_style = False
        if tag in ("th", "dt") and self._in:
            self._in.pop()
            self.labels.append(" ".join(self._label.split()))

    def handle_data(self, data):
        if self._in_style:
            return
        self.text_parts.append(data)
        if self._in:
            self._label += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def archive_for(user, tmp_path: Path) -> zipfile.ZipFile:
    target = tmp_path / f"{user.pk}.zip"
    build_archive(user=user, portal_name="Example Portal", target=target)
    return zipfile.ZipFile(target)


def csv_rows(files: zipfile.ZipFile, name: str) -> list[list[str]]:
    with files.open(name) as raw:
        return list(csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


def raw_names(source: Source) -> set[str]:
    """The names a program uses for a source's values (data.json's keys)."""
    names = set()
    for personal_field in source.fields:
        names.add(personal_field.name)
        if personal_field.derived_by_ai:
            names |= {f"{personal_field.name}__ai_system", f"{personal_field.name}__confidence"}
    return names


PYTHON_VALUES = re.compile(r"\b(True|False|None)\b|\['|\{'|\[\]")
# 2026-11-30T13:24:04 or 13:24:04.637387: a time as a program writes it.
MACHINE_TIMES = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}\.\d+")


@pytest.fixture
def olivia(db):
    """A privacy officer: a member of staff, so every kind of data applies to her."""
    olivia = make_customer("olivia@example.com", "Olivia Okafor", is_staff=True, phone="+44 20 7946 0999")
    give_data_of_every_kind(olivia, marker="OLIVIA-MARK")
    return olivia


@pytest.fixture
def every_kind_alice(alice, bob):
    give_data_of_every_kind(alice, marker="ALICE-MARK")
    give_data_of_every_kind(bob, marker="BOB-MARK")
    return alice


def test_every_value_of_every_kind_reads_in_words_with_no_field_name_python_value_or_machine_time(olivia, tmp_path):
    page = archive_for(olivia, tmp_path).read("index.html").decode()
    report = Report(page)
    assert "OLIVIA-MARK" in report.text
    for source in registry.sources:
        assert str(source.label) in report.text, source.key
        for name in raw_names(source):
            # No field name is a heading or a label, and none that only a program would write appears at all.
            assert name not in report.labels, (source.key, name)
            if "_" in name:
                assert not re.search(rf"\b{name}\b", report.text), (source.key, name)
    assert not PYTHON_VALUES.search(report.text), PYTHON_VALUES.search(report.text)
    assert not MACHINE_TIMES.search(report.text), MACHINE_TIMES.search(report.text)


def test_values_read_as_on_my_data_in_the_customers_language(every_kind_alice, tmp_path):
    alice = every_kind_alice
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    text = Report(archive_for(alice, tmp_path).read("index.html").decode()).text
    with translation.override("de"):
        for source in registry.sources:
            if source.staff_only:
                continue
            newest = source.rows_for(alice).order_by(*source.ordering).first()
            assert newest is not None
            for personal_field in source.fields:
                shown = " ".join(display_value(newest, source, personal_field).split())
                assert shown in text, (source.key, personal_field.name, shown)
    assert "Ja" in text and "Nein" in text  # Yes and No, in her language


def test_a_customers_report_lists_no_staff_only_kind_and_nothing_of_bobs(every_kind_alice, bob, tmp_path):
    files = archive_for(every_kind_alice, tmp_path)
    page = files.read("index.html").decode()
    for source in registry.sources:
        if source.staff_only:
            assert str(source.label) not in page, source.key
            assert slugify(str(source.label)) not in " ".join(files.namelist()), source.key
        else:
            assert str(source.label) in page, source.key
    assert "For staff only" not in page
    everything = b"".join(files.read(name) for name in files.namelist()).decode()
    assert "ALICE-MARK" in everything
    assert "BOB-MARK" not in everything and bob.email not in everything and str(bob.public_id) not in everything


def test_kinds_holding_nothing_are_folded_into_one_line(alice, tmp_path):
    give_history(alice, marker="ALICE-MARK")
    report = Report(archive_for(alice, tmp_path).read("index.html").decode())
    held = [s for s in registry.sources if s.rows_for(alice).exists()]
    # What is in force for her (the defaults behind her AI choices) is shown even with no row stored.
    empty = [s for s in registry.sources if not (s.staff_only or s.in_force or s.rows_for(alice).exists())]
    assert held and len(empty) >= 5
    assert f"{len(empty)} other kinds of data: we hold none of these about you" in report.text
    assert "Nothing of this kind" not in report.text
    # The folded kinds have no section (and no table) of their own; the held ones do.
    for source in empty:
        assert str(source.label) in report.text and slugify(source.label) not in report.ids
    for source in held:
        assert slugify(source.label) in report.ids


def test_csv_files_are_named_by_what_they_hold_and_headed_in_words(olivia, tmp_path):
    files = archive_for(olivia, tmp_path)
    tables = [name for name in files.namelist() if name.startswith("sources/")]
    assert len(tables) == len(set(tables)) == len(registry.sources)
    for source in registry.sources:
        name = f"sources/{slugify(source.label)}.csv"
        assert name in tables, source.key
        header, *rows = csv_rows(files, name)
        assert rows, source.key
        labels = [source.field_label(f) for f in source.fields]
        assert [cell for cell in header if cell in labels] == labels, source.key
        assert not set(header) & raw_names(source), source.key
    for model_named in ("interactions.", "admin.logentry", "accounts.user", ".csv.csv"):
        assert not any(model_named in name for name in tables)
    # Values as words a spreadsheet keeps: Yes/No, choice labels, times without microseconds.
    addresses = dict(zip(*csv_rows(files, "sources/your-e-mail-addresses.csv")[:2], strict=True))
    assert addresses["Confirmed"] == "Yes" and addresses["Main address"] == "Yes"
    messages = csv_rows(files, "sources/messages-in-your-conversations.csv")
    sent = messages[0].index("Sent")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row[sent]) for row in messages[1:])
    for name in tables:
        assert not any(PYTHON_VALUES.search(cell) for row in csv_rows(files, name)[1:] for cell in row), name


def test_each_csv_value_reads_as_on_my_data_and_each_time_as_a_spreadsheet_sorts_it(olivia, tmp_path):
    files = archive_for(olivia, tmp_path)
    names = csv_file_names(registry.sources)
    for source in registry.sources:
        header, newest, *_ = csv_rows(files, names[source.key])
        cells = dict(zip(header, newest, strict=True))
        row = source.rows_for(olivia).order_by(*source.ordering).first()
        assert row is not None
        for personal_field in source.fields:
            cell = cells[source.field_label(personal_field)].removeprefix("'")  # a neutralised formula trigger
            value = getattr(row, personal_field.name)
            if isinstance(value, datetime):
                assert cell == timezone.localtime(value).strftime("%Y-%m-%d %H:%M"), (source.key, personal_field.name)
            else:
                shown = display_value(row, source, personal_field)
                assert cell == ("" if shown == "—" else shown), (source.key, personal_field.name)


def test_the_erasure_note_says_in_words_what_is_removed_never_a_column_name(every_kind_alice, tmp_path):
    files = archive_for(every_kind_alice, tmp_path)
    text = Report(files.read("index.html").decode()).text
    profile = registry.source("accounts.user")
    note = profile.erasure_description
    assert note in text
    assert "E-mail address" in note and "Full name" in note
    for column in ("password", "is_active", "full_name", "email,", "public_id"):
        assert column not in note
    for source in registry.sources:
        for name in source.erasure.replacements:
            assert not re.search(rf"\b{name}\b", text) or "_" not in name, (source.key, name)
    # data.json keeps the same words beside its machine keys.
    data = json.loads(files.read("data.json"))
    assert next(s for s in data["sources"] if s["source"] == "accounts.user")["erasure"] == note


def test_data_json_keeps_its_keys_and_schema_for_every_kind(olivia, tmp_path):
    files = archive_for(olivia, tmp_path)
    data = json.loads(files.read("data.json"))
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    exported = {s["source"]: s for s in data["sources"]}
    assert set(exported) == {source.key for source in registry.sources}
    for source in registry.sources:
        assert set(exported[source.key]["rows"][0]) == raw_names(source), source.key
    assert "README.txt" in files.namelist() and "sources/" in files.read("README.txt").decode()


def machine_names(files: zipfile.ZipFile) -> tuple[list[str], list[tuple[str, str, list[tuple[str, str]], list[str]]]]:
    """What programs rely on: the archive's file names and data.json's keys, sources, fields and columns."""
    data = json.loads(files.read("data.json"))
    return files.namelist(), [
        (
            source["source"],
            source["legal_basis"],
            [(f["name"], f["category"]) for f in source["fields"]],
            sorted({key for row in source["rows"] for key in row}),
        )
        for source in data["sources"]
    ]


def test_a_german_archive_keeps_the_english_machine_names_and_puts_every_word_in_german(
    every_kind_alice, bob, tmp_path
):
    bob_files = archive_for(bob, tmp_path)  # English, the default
    alice = every_kind_alice
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    files = archive_for(alice, tmp_path)
    # File names, keys, source and field names, legal bases: as in bob's English archive.
    names, sources = machine_names(files)
    bob_names, bob_sources = machine_names(bob_files)
    assert names == bob_names and sources == bob_sources
    assert "sources/messages-in-your-conversations.csv" in names
    # The words beside them, in German: in data.json ...
    data = {s["source"]: s for s in json.loads(files.read("data.json"))["sources"]}
    messages = data["interactions.message"]
    assert messages["label"] == "Nachrichten in Ihren Gesprächen"
    assert messages["legal_basis_label"] == "Erforderlich, um den von Ihnen gewählten Dienst zu erbringen"
    assert messages["recipients"] == ["Unser Kundenservice-Team", "Die neben jedem Eintrag genannten KI-Systeme"]
    assert [f["label"] for f in messages["fields"]][:3] == ["Gesendet", "Von", "Nachricht"]
    # ... in the CSV's header ...
    assert csv_rows(files, "sources/messages-in-your-conversations.csv")[0][:3] == ["Gesendet", "Von", "Nachricht"]
    # ... and throughout index.html, the summary figures and the AI badge included.
    report = Report(files.read("index.html").decode())
    for german in ("Nachrichten in Ihren Gesprächen", "Inhalt", "Was jetzt für Sie gilt:", "KI und Sie", "Gespräche"):
        assert german in report.text, german
    assert "Messages in your conversations" not in report.text and "What applies to you now" not in report.text
    assert '<span class="ai">KI</span>' in files.read("index.html").decode()
    # Links inside the report stay the same in every language, as the file names do.
    assert "messages-in-your-conversations" in report.ids
