"""Log lines as JSON (LOG_FORMAT=json), each naming its request and task.

A line carries the message, the logger, the level, the time and the IDs, and
nothing else: extra attributes that Django and libraries attach to records
(the request object, with its headers and cookies) are never written. An
exception is written as its type and where it happened, without its message:
database errors repeat the values that clashed, which may be an e-mail address.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

from portal.request_context import request_id, task_id


class RequestContextFilter(logging.Filter):
    """Stamp each record with the current request and task IDs (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.task_id = task_id.get()
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # Read from the record when the filter ran, else from the context.
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "task_id": getattr(record, "task_id", None) or task_id.get(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            line["exception"] = {
                "type": exc_type.__name__,
                "frames": [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)],
            }
        return json.dumps(line, ensure_ascii=False, default=str)
