"""A real HTTP receiver on loopback for webhook tests: it checks signatures
as a downstream system would and answers with the statuses it is told to.
Beside it, what a receiver needs around it: a name server that answers as
told, and a certificate authority for receivers that speak TLS."""

import datetime
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from privacy.webhooks import verify


@dataclass
class Received:
    event: str
    body: dict[str, Any]
    signature_ok: bool


@dataclass
class Receiver:
    secret: str = ""
    # Status codes to answer, in order; the last repeats.
    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    url: str = ""
    # Speak TLS with this context (see CertificateAuthority.server_context).
    tls: ssl.SSLContext | None = None

    def __enter__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    Received(
                        event=self.headers["X-Portal-Event"],
                        body=json.loads(raw),
                        signature_ok=verify(receiver.secret, self.headers["X-Portal-Signature"], raw),
                    )
                )
                status = receiver.statuses[min(len(receiver.received), len(receiver.statuses)) - 1]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        if self.tls is not None:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class NameServer:
    """Stands in for DNS: answers a lookup of `name` with the next address of
    `answers` (the last repeats), as a rebinding attacker's server would.
    Every other name, and every address, resolves as usual."""

    def __init__(self, monkeypatch, name: str, answers: list[str]):
        self.name, self.answers, self.lookups = name, answers, 0
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host != name:
                return real(host, port, *args, **kwargs)
            answer = answers[min(self.lookups, len(answers) - 1)]
            self.lookups += 1
            return real(answer, port, *args, **kwargs)  # an address "resolves" to itself, no lookup

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class CertificateAuthority:
    """A private CA for TLS receivers; `ca_file` is what a client trusts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Webhook test CA")])
        self.cert = (
            self._builder(name, name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    @staticmethod
    def _builder(subject, issuer, public_key):
        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
        )

    def server_context(self, host_name: str, *, names_asked: list[str] | None = None) -> ssl.SSLContext:
        """A receiver's TLS context with a certificate for `host_name`; SNI names go to `names_asked`."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name)])
        cert = (
            self._builder(subject, self.cert.subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host_name)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_file, key_file = self.folder / f"{host_name}.pem", self.folder / f"{host_name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        if names_asked is not None:

            def note_name(sock, name, context):
                names_asked.append(name)

            context.sni_callback = note_name
        return context
