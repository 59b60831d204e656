"""An e-mail backend for the embedded default: one .eml file per message.

Django's file backend appends every message of a connection to one .log
file; a newcomer wants to double-click a single message (or have a test read
it), so each message gets a file of its own, named so that `ls` sorts them by
time.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class EmlFolderBackend(BaseEmailBackend):
    """Configured in MAILERS with OPTIONS {"folder": "/path/to/folder"}."""

    def __init__(self, *, folder: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = Path(folder)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(email_messages)
