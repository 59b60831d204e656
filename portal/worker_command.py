"""The command line of a Celery worker that a test or a benchmark starts as a process of its own.

Such a worker serves its queues and nothing else: no gossip, mingle or
heartbeat with other workers (each test's workers share a Redis with no one
else's, and those chats only slow the start), logging at INFO so that whoever
started it can read when it is ready and what it received.
"""

import sys


def worker_command(*, queues: str, concurrency: int, name: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "-Q",
        queues,
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
        "-n",
        name,
    ]
