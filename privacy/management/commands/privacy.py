"""`manage.py privacy`: the privacy staff's command-line tool."""

import json
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from privacy import selectors, services
from privacy.commands import subcommands
from privacy.models import APIClient
from privacy.tasks import build_export, run_erasure
from privacy.typing import Customer


class Command(BaseCommand):
    help = "Privacy staff tools: inventory, export, erase, verify-audit, api-client, and those other apps add."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

        inventory = commands.add_parser("inventory", help="Print everything declared about a customer, as JSON.")
        inventory.add_argument("email")

        export = commands.add_parser("export", help="Ask for an export of a customer's data.")
        export.add_argument("email")
        export.add_argument("--now", action="store_true", help="Build it here and now instead of on a worker.")

        erase = commands.add_parser("erase", help="Erase a customer's data (staff-initiated).")
        erase.add_argument("email")
        erase.add_argument("--now", action="store_true", help="No grace period or approval; run here and now.")
        erase.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

        commands.add_parser(
            "verify-audit",
            help="Check the audit trail's keyed hash chain and compare it with its checkpoints; report what is wrong.",
        )

        api_client = commands.add_parser("api-client", help="Manage the API clients of the business's systems.")
        actions = api_client.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Create a client and print its token (once).")
        create.add_argument("name")
        create.add_argument(
            "--scopes", required=True, help=f"Comma-separated, from: {', '.join(APIClient.Scope.values)}"
        )
        actions.add_parser("list", help="List the clients (never their tokens).")
        revoke = actions.add_parser("revoke", help="Stop a client's token from working.")
        revoke.add_argument("name")

        # Contributed by other apps (see privacy.commands).
        for subcommand in subcommands.values():
            subcommand.add_arguments(commands.add_parser(subcommand.name, help=subcommand.help))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] in subcommands:
            subcommands[options["command"]].handle(self, options)
            return
        handler = {
            "inventory": self.inventory,
            "export": self.export,
            "erase": self.erase,
            "api-client": self.api_client,
            "verify-audit": self.verify_audit,
        }[options["command"]]
        handler(options)

    def _customer(self, email: str) -> Customer:
        user: Customer | None = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No customer with the address {email}.")
        return user

    def export(self, options: dict[str, Any]) -> None:
        user = self._customer(options["email"])
        try:
            with transaction.atomic():
                request = services.export_request_create(user=user)
                if options["now"]:
                    # Claimed here, before commit, so the queued message finds it taken.
                    services.export_claim(request_id=request.pk, task_id=f"cli-{request.pk}")
        except services.RequestRefused as refusal:
            raise CommandError(str(refusal)) from None
        if options["now"]:
            result = build_export.apply(args=(request.pk,), task_id=f"cli-{request.pk}", throw=False)
            request.refresh_from_db()
            if request.status != "completed":
                raise CommandError(f"Export request #{request.pk} failed ({request.failure_detail or result.result}).")
            self.stdout.write(
                f"Export request #{request.pk} built: {request.archive.size} bytes; the customer is e-mailed."
            )
        else:
            self.stdout.write(f"Export request #{request.pk} queued; a worker builds it.")

    def erase(self, options: dict[str, Any]) -> None:
        user = self._customer(options["email"])
        if not options["yes"]:
            answer = input(f"Erase all data of customer #{user.pk}? This cannot be undone. Type 'erase' to go on: ")
            if answer.strip() != "erase":
                raise CommandError("Nothing was done.")
        try:
            with transaction.atomic():
                request = services.erasure_request_create(user=user, skip_grace=options["now"])
                if options["now"]:
                    services.erasure_claim(request_id=request.pk, task_id=f"cli-{request.pk}")
        except services.RequestRefused as refusal:
            raise CommandError(str(refusal)) from None
        if options["now"]:
            run_erasure.apply(args=(request.pk,), task_id=f"cli-{request.pk}", throw=False)
            request.refresh_from_db()
            if request.status != "completed":
                raise CommandError(f"Erasure request #{request.pk} stopped ({request.failure_detail}); retry it.")
            self.stdout.write(f"Erasure request #{request.pk} completed; the receipt is on its way.")
        else:
            self.stdout.write(f"Erasure request #{request.pk} created: {request.get_status_display().lower()}.")

    def verify_audit(self, options: dict[str, Any]) -> None:
        report = selectors.audit_trail_verify()
        if report.problems:
            raise CommandError("Audit trail check failed:\n  " + "\n  ".join(report.problems))
        if report.checkpoints:
            newest = max(report.checkpoints, key=lambda stored: stored.checkpoint.sequence)
            count = len(report.checkpoints)
            agree = "1 checkpoint agrees" if count == 1 else f"{count} checkpoints agree"
            checked = f"{agree} (the newest, {newest}, at event #{newest.checkpoint.sequence})"
        else:
            checked = "no checkpoint yet to compare with"
        self.stdout.write(
            f"Audit trail intact: {report.events} events, every link verified with the audit key; {checked}."
        )

    def inventory(self, options: dict[str, Any]) -> None:
        user = self._customer(options["email"])
        data = selectors.personal_data_inventory(user=user)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder))

    def api_client(self, options: dict[str, Any]) -> None:
        if options["action"] == "create":
            scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
            if APIClient.objects.filter(name=options["name"]).exists():
                raise CommandError(f"An API client named {options['name']!r} exists already.")
            try:
                client, token = services.api_client_create(name=options["name"], scopes=scopes)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Created API client {client.name!r} with scopes {', '.join(client.scopes)}.")
            self.stdout.write("Its token (shown only now; store it in the calling system's secrets):")
            self.stdout.write(token)
        elif options["action"] == "list":
            for client in APIClient.objects.all():
                state = "active" if client.is_active else "revoked"
                self.stdout.write(f"{client.name}\t{client.token_prefix}…\t{','.join(client.scopes)}\t{state}")
        else:
            revoked = APIClient.objects.filter(name=options["name"]).first()
            if revoked is None:
                raise CommandError(f"No API client named {options['name']!r}.")
            services.api_client_revoke(client=revoked)
            self.stdout.write(f"Revoked {revoked.name!r}: its token no longer works.")
