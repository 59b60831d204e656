"""Subcommands other apps add to `manage.py privacy`.

An app registers one in its own `privacy.py` (discovered at start-up), so the
privacy staff's tool offers, say, `privacy fairness-audit` without privacy
importing the app that does the work.
"""

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    # add_arguments(parser): the subcommand's own options.
    add_arguments: Callable[[ArgumentParser], None]
    # handle(command, options): `command` is the running BaseCommand (for
    # stdout and CommandError), `options` its parsed options.
    handle: Callable[[BaseCommand, dict[str, Any]], None]


subcommands: dict[str, Subcommand] = {}


def register_subcommand(
    name: str,
    *,
    help: str,
    add_arguments: Callable[[ArgumentParser], None],
    handle: Callable[[BaseCommand, dict[str, Any]], None],
) -> Subcommand:
    if name in subcommands:
        raise ValueError(f"`privacy {name}` is registered twice")
    subcommands[name] = Subcommand(name, help, add_arguments, handle)
    return subcommands[name]
