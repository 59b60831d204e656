"""A real HTTP receiver on loopback for webhook tests: it checks signatures
as a downstream system would and answers with the statuses it is told to."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
