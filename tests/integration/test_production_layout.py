"""The production layout, rehearsed: what the README's "Running in production"
says, run as it says it, on PostgreSQL, Redis, an S3 bucket and an SMTP server.

The commands are read from the README's shell blocks, not copied here, so the
README cannot drift from what this test runs: its `export` line is the
environment (each value taken as written, except where the site differs: the
secrets' files, the database, Redis, the mail server and the bucket), its
`python manage.py` lines run first, in order (collectstatic's output is reused
while its inputs are unchanged: see collect_static), and every `gunicorn` and
`celery` line becomes a process. Secrets are given only as files (`*_FILE`).

A TLS-terminating proxy stands in front of gunicorn (TLSProxy below), so the
portal sees HTTPS as it does in production: Secure cookies, CSRF's origin
check, the redirect of anything that did not come through the proxy. Through
it two customers sign in with allauth's form; Alice asks for an export, reads
the e-mail, downloads the archive the worker put in the bucket; Bob cannot get
it. Bob's export is queued while the privacy-jobs worker is stopped and is
built exactly once when it starts again. Alice's erasure runs to the end, and
every process stops on SIGTERM with a clean exit.
"""

import base64
import contextlib
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shlex
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from celery.utils.nodenames import host_format
from cryptography.fernet import Fernet
from django.conf import global_settings
from django.utils.crypto import get_random_string
from requests.adapters import HTTPAdapter

from accounts.models import User
from portal.celery import app as celery_app
from privacy.models import ExportArchive, OutboundEmail, PrivacyRequest
from tests.conftest import PASSWORD, make_customer
from tests.factories import give_history
from tests.s3_server import REGION, S3Server, free_port, new_bucket_name
from tests.workers import require_services, wait_for, worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "privacy.example.com"
PORTAL = f"https://{HOST}"
READY = "Your data is ready to download"  # the e-mail's subject
ERASED = "Your data has been erased"
STOP_TIMEOUT = 30  # seconds a process may take to stop on SIGTERM


# --- The README's commands ----------------------------------------------------


@dataclass
class ProductionLayout:
    environment: dict[str, str]  # the README's `export`, as written
    setup: list[list[str]]  # `python manage.py ...`, in order
    processes: list[list[str]]  # `gunicorn ...` and `celery ...`


def readme_production_layout() -> ProductionLayout:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Running in production\n", 1)[1].split("\n## ", 1)[0]
    layout = ProductionLayout({}, [], [])
    for block in re.findall(r"^ *```sh\n(.*?)^ *```", section, flags=re.DOTALL | re.MULTILINE):
        for line in re.sub(r"\\\n", " ", block).splitlines():
            argv = shlex.split(line, comments=True)
            if not argv:
                continue
            if argv[0] == "export":
                layout.environment.update(word.split("=", 1) for word in argv[1:])  # type: ignore[misc]
            elif argv[:2] == ["python", "manage.py"]:
                layout.setup.append(argv)
            elif argv[0] in ("gunicorn", "celery"):
                layout.processes.append(argv)
            else:
                raise AssertionError(f"the README's production block runs what this test does not: {line!r}")
    return layout


def test_the_readme_names_a_web_server_a_worker_for_every_queue_and_one_beat() -> None:
    from django.conf import settings

    layout = readme_production_layout()
    assert layout.environment["PORTAL_ENV"] == "production"
    assert layout.environment["PORTAL_URL"] == PORTAL  # the host the proxy below answers for
    assert [argv[2:] for argv in layout.setup] == [
        ["check", "--deploy", "--fail-level", "WARNING"],
        ["migrate"],
        ["collectstatic", "--noinput"],
    ]
    assert sum(argv[0] == "gunicorn" for argv in layout.processes) == 1
    assert sum(argv[1:4] == ["-A", "portal", "beat"] for argv in layout.processes) == 1
    served = [queue for argv in layout.processes if "-Q" in argv for queue in argv[argv.index("-Q") + 1].split(",")]
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert sorted(served) == sorted(routed), "every queue has exactly one kind of worker"
    # Several workers on one machine need names of their own.
    names = [argv[argv.index("-n") + 1] for argv in layout.processes if "worker" in argv]
    assert len(names) == len(set(names)) == sum("worker" in argv for argv in layout.processes)


# --- The site around the portal -------------------------------------------------


class TLSProxy(HTTPAdapter):
    """The TLS-terminating proxy the README puts in front of gunicorn.

    The client speaks to https://privacy.example.com; this hands the request to
    gunicorn over plain HTTP with what the proxy adds (the scheme it was reached
    by, the client's address) and the browser's Origin on unsafe methods, and
    gives the answer back as coming from the https:// address, so cookies and
    redirects behave as in a browser.
    """

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:  # type: ignore[override]
        upstream = request.copy()
        upstream.url = (request.url or "").replace(PORTAL, f"http://127.0.0.1:{self.port}", 1)
        upstream.headers["Host"] = HOST
        upstream.headers["X-Forwarded-Proto"] = "https"
        upstream.headers["X-Forwarded-For"] = "203.0.113.7"
        if request.method not in ("GET", "HEAD"):
            upstream.headers["Origin"] = PORTAL
        response = super().send(upstream, **{**kwargs, "timeout": kwargs.get("timeout") or 30})
        response.request, response.url = request, request.url or ""
        return response


def browser(port: int) -> requests.Session:
    session = requests.Session()
    session.mount(PORTAL, TLSProxy(port))
    return session


class MailServer(socketserver.ThreadingTCPServer):
    """A small SMTP server that keeps what it is given (the portal's production
    settings send by SMTP) and requires the credentials from the README's
    EMAIL_HOST_USER and EMAIL_HOST_PASSWORD_FILE."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, user: str, password: str) -> None:
        self.credentials = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        self.messages: list[EmailMessage] = []
        super().__init__(("127.0.0.1", 0), SMTPHandler)

    def to(self, address: str, subject: str) -> list[EmailMessage]:
        return [m for m in list(self.messages) if address in str(m["To"]) and subject in str(m["Subject"])]


class SMTPHandler(socketserver.StreamRequestHandler):
    server: MailServer

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 mail.test ESMTP")
        authenticated = False
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-mail.test\r\n250 AUTH PLAIN\r\n")
            elif verb == "AUTH":
                authenticated = command.split(" ")[1:] == ["PLAIN", self.server.credentials]
                self.reply("235 OK" if authenticated else "535 Authentication failed")
            elif verb in ("MAIL", "RCPT") and not authenticated:
                self.reply("530 Authentication required")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP", "HELO"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(message_from_bytes(data, policy=policy.default))
                self.reply("250 Queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer("portal", get_random_string(24))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# --- The portal's processes ---------------------------------------------------


@dataclass
class Process:
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def name(self) -> str:
        return shlex.join([Path(self.argv[0]).name, *self.argv[1:]])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            # A session of its own: on the way out only its own group is killed.
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def sigterm(self) -> None:
        """To the main process only, as an orchestrator sends it (it stops its own children)."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGTERM)

    def exit_code(self) -> int:
        assert self.popen is not None
        try:
            return self.popen.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not stop within {STOP_TIMEOUT}s of SIGTERM:\n{self.log()}") from None

    def terminate(self) -> int:
        self.sigterm()
        return self.exit_code()

    def kill(self) -> None:
        if self.running():
            assert self.popen is not None
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


def executable(argv: list[str]) -> list[str]:
    """The README's command with this virtualenv's programs."""
    program = sys.executable if argv[0] == "python" else str(BIN / argv[0])
    return [program, *argv[1:]]


def static_fingerprint(argv: list[str]) -> str:
    """What collectstatic's output depends on: every file the finders find, the
    packages that hash and compress them, the settings that choose how, the command."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(shlex.join(argv).encode())
    for package in ("django", "whitenoise", "brotli"):
        digest.update(f"{package}={importlib.metadata.version(package)}".encode())
    settings_text = (ROOT / "portal" / "settings.py").read_text()
    digest.update("".join(re.findall(r".*(?:STATIC|WHITENOISE|staticfiles).*", settings_text)).encode())
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            # By content (a dozen megabytes, read in a moment), not by time: a
            # fresh clone's files are all new, and what it collects is not.
            digest.update(f"{path}:".encode() + hashlib.sha256(Path(storage.path(path)).read_bytes()).digest())
    return digest.hexdigest()[:16]


def collect_static(argv: list[str], env: dict[str, str]) -> None:
    """The README's collectstatic, its output kept between runs while its inputs are unchanged.

    With production's storage it hashes every file and compresses each with
    gzip and brotli (the API docs' bundles and source maps are megabytes):
    minutes on a busy machine. The same inputs give the same folder, so the
    command runs when they change and its output is reused until then.
    """
    static_root = Path(env["PORTAL_DATA_DIR"]) / "static"
    cached = Path(tempfile.gettempdir()) / "portal-production-static" / static_fingerprint(argv)
    if not cached.is_dir():
        done = subprocess.run(executable(argv), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{shlex.join(argv)}:\n{done.stdout}\n{done.stderr}"
        assert (static_root / "staticfiles.json").is_file()
        building = cached.with_name(f"{cached.name}.{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        shutil.copytree(static_root, building)
        building.rename(cached)  # whole or not at all
    shutil.rmtree(static_root, ignore_errors=True)
    shutil.copytree(cached, static_root)


def wait_until_ready(process: Process, port: int) -> None:
    last_answer = ["none"]

    def ready() -> bool:
        if not process.running():
            raise AssertionError(f"{process.name} exited:\n{process.log()}")
        if process.argv[0].endswith("gunicorn"):
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST}, timeout=5)
            except requests.RequestException as error:  # not listening yet, or still booting
                last_answer[0] = repr(error)
                return False
            last_answer[0] = f"{health.status_code} {health.text[:500]}"
            return health.status_code == 200
        if "beat" in process.argv:
            # Beat logs nothing at its default level; it opens its schedule when it starts.
            return any(Path(process.env["PORTAL_DATA_DIR"]).glob("celerybeat-schedule*"))
        # A worker logs nothing at its default level either: ask it over the broker.
        name = host_format(process.argv[process.argv.index("-n") + 1])
        return bool(celery_app.control.ping(destination=[name], timeout=0.5))

    try:
        wait_for(ready, timeout=120, what=f"{process.name} to start")
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}; last answer: {last_answer[0]}\n{process.log()}") from None


# --- The customer's side -------------------------------------------------------


def csrf_token(page: requests.Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no form on {page.url}"
    return match.group(1)


def sign_in(session: requests.Session, email: str) -> None:
    form = session.get(f"{PORTAL}/accounts/login/")
    assert form.status_code == 200
    signed_in = session.post(
        f"{PORTAL}/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(form)},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    # HTTPS only: the session and CSRF cookies never travel over plain HTTP.
    assert {cookie.name for cookie in session.cookies if cookie.secure} >= {"sessionid", "csrftoken"}


def open_sensitive_page(session: requests.Session, path: str) -> requests.Response:
    """GET a page, proving the password again if the portal asks first."""
    page = session.get(f"{PORTAL}{path}")
    if "/accounts/reauthenticate/" in page.url:
        proved = session.post(page.url, {"password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)})
        assert proved.url == f"{PORTAL}{path}", proved.text[:2000]
        page = proved
    assert page.status_code == 200, page.text[:2000]
    return page


def ask_for_export(session: requests.Session) -> tuple[int, str]:
    """The new request's ID, and the X-Request-ID of the web request that asked for it."""
    page = open_sensitive_page(session, "/requests/export/")
    asked = session.post(f"{PORTAL}/requests/export/", {"csrfmiddlewaretoken": csrf_token(page)}, allow_redirects=False)
    assert asked.status_code == 302, asked.text[:2000]
    match = re.fullmatch(r"/requests/(\d+)/", asked.headers["Location"])
    assert match, asked.headers["Location"]
    return int(match.group(1)), asked.headers["X-Request-ID"]


def json_lines(log: str) -> list[dict[str, Any]]:
    """The JSON log lines of a process's output (LOG_FORMAT=json), skipping anything else it printed."""
    lines = []
    for line in log.splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return [line for line in lines if isinstance(line, dict)]


def download(session: requests.Session, request_id: int) -> requests.Response:
    return session.get(f"{PORTAL}/requests/{request_id}/download/", allow_redirects=False)


def unzipped(archive: requests.Response) -> str:
    """Every file of a downloaded archive, as one text."""
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        return "\n".join(files.read(name).decode() for name in files.namelist())


def status_of(request_id: int) -> str:
    return PrivacyRequest.objects.get(pk=request_id).status


# --- The rehearsal -------------------------------------------------------------


def test_the_production_layout_runs_a_customers_export_and_erasure_and_stops_cleanly(
    transactional_db, settings, tmp_path, s3_server: S3Server, mail_server: MailServer
) -> None:
    started = time.monotonic()

    def phase(name: str) -> None:  # printed: the test's output says where its time went
        sys.stdout.write(f"{time.monotonic() - started:6.1f}s {name}\n")

    redis_url = require_services()
    layout = readme_production_layout()

    # Secrets, each in a file only its owner reads (as Docker/Kubernetes mount them).
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir(mode=0o700)
    secrets = {
        "SECRET_KEY_FILE": get_random_string(64),
        "AUDIT_KEY_FILE": get_random_string(48),
        "MFA_ENCRYPTION_KEY_FILE": Fernet.generate_key().decode(),
        "METRICS_TOKEN_FILE": get_random_string(40),
        "EMAIL_HOST_PASSWORD_FILE": base64.b64decode(mail_server.credentials).decode().split("\0")[2],
        "EXPORTS_S3_SECRET_KEY_FILE": get_random_string(40),
    }
    site = {}
    for name, value in secrets.items():
        path = secrets_dir / name.lower()
        path.write_text(value + "\n")  # a trailing newline, as `echo` leaves it
        path.chmod(0o600)
        site[name] = str(path)
    bucket = new_bucket_name()
    s3_server.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    redis_base = re.sub(r"/\d*$", "", redis_url)
    site |= {
        "DATABASE_URL": worker_database_url(),  # the test's database
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": f"{redis_base}/15",
        "EMAIL_HOST": "127.0.0.1",
        "EXPORTS_S3_BUCKET": bucket,
    }
    assert set(site) <= set(layout.environment), "the README's environment names every variable the site sets"
    assert "SECRET_KEY" not in layout.environment, "secrets come as files"
    # What a site adds that the README's example leaves at its default, and
    # what this rehearsal needs besides: a mail server and a bucket on local
    # ports without TLS, a data folder of its own, and erasures that start at
    # once (no staff approval, no grace period) so the test can watch one end.
    local = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "EMAIL_PORT": str(mail_server.server_address[1]),
        "EMAIL_USE_TLS": "false",
        "EXPORTS_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "ERASURE_APPROVAL_REQUIRED": "false",
        "ERASURE_GRACE_DAYS": "0",
    }
    env = {**layout.environment, **site, **local}

    # The portal's processes verify passwords with production's hashers.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    alice = make_customer("alice@example.com", "Alice Archer")
    bob = make_customer("bob@example.com", "Bob Brennan")
    give_history(alice, conversations=1, marker="ALICE-ONLY")
    give_history(bob, conversations=1, marker="BOB-ONLY")

    for argv in layout.setup:
        if argv[2] == "collectstatic":
            collect_static(argv, env)
            continue
        done = subprocess.run(executable(argv), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{shlex.join(argv)}:\n{done.stdout}\n{done.stderr}"

    phase("set-up commands done")
    port = free_port()
    processes = []
    for number, argv in enumerate(layout.processes):
        if argv[0] == "gunicorn":
            argv = [*argv[: argv.index("--bind") + 1], f"127.0.0.1:{port}", *argv[argv.index("--bind") + 2 :]]
        processes.append(Process(executable(argv), env, tmp_path / f"process-{number}.log"))
    privacy_jobs = next(p for p in processes if "-Q" in p.argv and "exports" in p.argv[p.argv.index("-Q") + 1])
    try:
        for process in processes:
            process.start()
        for process in processes:
            wait_until_ready(process, port)

        phase("processes ready")
        # Past the proxy (plain HTTP, no X-Forwarded-Proto) everything is sent to HTTPS ...
        plain = requests.get(
            f"http://127.0.0.1:{port}/accounts/login/", headers={"Host": HOST}, allow_redirects=False, timeout=30
        )
        assert (plain.status_code, plain.headers["Location"]) == (301, f"{PORTAL}/accounts/login/")
        # A probe sends the portal's host name: ALLOWED_HOSTS holds for /healthz too.
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 400
        # What came through the proxy is told to stay on HTTPS.
        home = browser(port).get(f"{PORTAL}/")
        assert home.status_code == 200 and "max-age=" in home.headers["Strict-Transport-Security"]
        # The metrics token came from its file.
        token = secrets["METRICS_TOKEN_FILE"]
        metrics = browser(port).get(f"{PORTAL}/metrics", headers={"Authorization": f"Bearer {token}"})
        assert metrics.status_code == 200 and "portal_celery_broker_up 1.0" in metrics.text

        # Alice asks for her data; the worker builds it into the bucket and e-mails her.
        alice_browser = browser(port)
        sign_in(alice_browser, alice.email)
        alice_export, asked_in = ask_for_export(alice_browser)
        wait_for(lambda: status_of(alice_export) == "completed", timeout=60, what="Alice's export")

        # The worker's JSON lines of her job name the web request that queued it, and a task
        # (its line is written just after the request is marked completed: waited for).
        def built_lines() -> list[dict[str, Any]]:
            log = json_lines(privacy_jobs.log())
            return [line for line in log if f"export request id={alice_export} " in line["message"]]

        built = wait_for(built_lines, what="the worker's line on Alice's export")
        assert [(line["request_id"], bool(line["task_id"])) for line in built] == [(asked_in, True)], privacy_jobs.log()
        alice_object = ExportArchive.objects.get(request_id=alice_export).storage_name
        assert s3_server.object_names(bucket) == [alice_object]
        ready = wait_for(lambda: mail_server.to(alice.email, READY), what="the e-mail saying the archive is ready")
        link = re.search(rf"{re.escape(PORTAL)}/requests/\d+/", ready[0].get_body(("plain",)).get_content())
        assert link and link.group(0) == f"{PORTAL}/requests/{alice_export}/"
        assert alice_browser.get(link.group(0)).status_code == 200
        archive = download(alice_browser, alice_export)
        assert archive.status_code == 200
        assert archive.headers["Content-Disposition"].startswith("attachment;")
        assert "no-store" in archive.headers["Cache-Control"]
        assert "ALICE-ONLY" in unzipped(archive) and "BOB-ONLY" not in unzipped(archive)

        phase("Alice's export downloaded")
        # Bob, signed in, cannot reach Alice's request or her archive.
        bob_browser = browser(port)
        sign_in(bob_browser, bob.email)
        assert bob_browser.get(f"{PORTAL}/requests/{alice_export}/").status_code == 404
        assert download(bob_browser, alice_export).status_code == 404

        # The privacy-jobs worker stops on SIGTERM; Bob's export waits in Redis for it ...
        assert privacy_jobs.terminate() == 0, privacy_jobs.log()
        waiting = redis.Redis.from_url(redis_url).llen("exports")
        bob_export, _ = ask_for_export(bob_browser)  # published when the request committed
        assert status_of(bob_export) == "approved"
        assert redis.Redis.from_url(redis_url).llen("exports") == waiting + 1
        # ... and is built once, when the same command starts it again.
        privacy_jobs.start()
        wait_until_ready(privacy_jobs, port)
        wait_for(lambda: status_of(bob_export) == "completed", timeout=60, what="Bob's export after the restart")
        wait_for(lambda: mail_server.to(bob.email, READY), what="Bob's e-mail")
        time.sleep(1)  # room for a second build or e-mail, if there were one
        assert ExportArchive.objects.filter(request__user=bob).count() == 1
        assert len(mail_server.to(bob.email, READY)) == 1
        assert OutboundEmail.objects.filter(user=bob, template="privacy/email/export_ready").count() == 1
        assert len(s3_server.object_names(bucket)) == 2
        assert "BOB-ONLY" in unzipped(download(bob_browser, bob_export))

        phase("Bob's export after the restart")
        # Alice erases her account: her archive leaves the bucket, her session ends.
        page = open_sensitive_page(alice_browser, "/requests/erasure/")
        phrase = re.search(r"To confirm, type “([^”]+)”", page.text)
        assert phrase, page.text[:3000]
        asked = alice_browser.post(
            f"{PORTAL}/requests/erasure/",
            {"confirmation": phrase.group(1), "shown_in": "en", "csrfmiddlewaretoken": csrf_token(page)},
            allow_redirects=False,
        )
        assert asked.status_code == 302, asked.text[:2000]
        erasure = int(re.fullmatch(r"/requests/(\d+)/", asked.headers["Location"]).group(1))  # type: ignore[union-attr]
        wait_for(lambda: status_of(erasure) == "completed", timeout=60, what="Alice's erasure")
        assert not User.objects.filter(email=alice.email).exists()
        assert alice_object not in s3_server.object_names(bucket)
        assert len(s3_server.object_names(bucket)) == 1  # Bob's is untouched
        assert "/accounts/login/" in alice_browser.get(f"{PORTAL}/dashboard/").url
        wait_for(lambda: mail_server.to(alice.email, ERASED), what="Alice's receipt")

        phase("Alice erased")
        # SIGTERM stops every process, each with a clean exit.
        for process in processes:
            process.sigterm()
        exits = {process.name: process.exit_code() for process in processes}
        assert exits == dict.fromkeys(exits, 0), "\n\n".join(p.log() for p in processes)
        phase("stopped")
    finally:
        for process in processes:
            process.kill()
