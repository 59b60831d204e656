#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line
    from django.core.management.base import CommandParser, handle_default_options

    from portal.env import exit_on_bad_environment

    # Settings are loaded early (for a one-line message on a bad variable), so
    # --settings and --pythonpath must be applied first, as Django would.
    early = CommandParser(add_help=False, allow_abbrev=False)
    early.add_argument("--settings")
    early.add_argument("--pythonpath")
    options, _ = early.parse_known_args(sys.argv[2:])
    handle_default_options(options)

    exit_on_bad_environment()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
