from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.organisation import DEMO_PASSWORD, demo_country_seed, demo_logins, demo_seed
from demo.reporting import demo_reporting_current, demo_reporting_seed
from demo.request_history import demo_request_history_seed
from reporting.models import ReportingCycle


class Command(BaseCommand):
    help = (
        "Create the demo organisation, the people of every province and the reporting cycles (once; running "
        "it again changes nothing). --list prints the sign-ins. For a developer's machine (DEBUG on): without "
        "DEBUG it runs only when told --force, and its accounts then have no password (they sign in through SSO)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Only print the demo sign-ins.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the accounts get no password: they sign in through SSO).",
        )

    def handle(self, *args: Any, **options: Any) -> None:

        # A shared, published password only where DEBUG says this is a developer's machine.
        password = DEMO_PASSWORD if settings.DEBUG else None
        if not options["list"]:
            if not settings.DEBUG and not options["force"]:
                raise CommandError(
                    "seed_demo fills the database with demo people and cases, for a developer's machine "
                    "(DEBUG=1, as `make run` sets it). DEBUG is off: add --force to seed anyway (the demo "
                    "accounts then get no password and sign in through SSO)."
                )
            # Demo people and cases are not changes anyone made: the audit log stays empty of them (and the
            # seed writes thousands of rows the log would read back one by one).
            with disable_auditlog():
                created = demo_seed(password=password)
                self.stdout.write(
                    "Demo organisation created." if created else "Demo organisation already present."
                )
                if created and password is None:
                    self.stdout.write("The demo accounts have no password: they sign in through SSO.")
                if demo_country_seed(password=password):
                    self.stdout.write("People of every province created.")
                if demo_reporting_seed() is not None:
                    self.stdout.write("Reporting cycles created.")
                history = demo_request_history_seed()
                if history:
                    self.stdout.write(f"A year of coordination requests created ({history:,}).")
            line = self._reporting_line()
            if line:
                self.stdout.write(line)
            return
        if password is not None:
            self.stdout.write(f"Demo sign-ins (password for all: {password}):")
        else:
            self.stdout.write("Demo sign-ins (no password: sign in through SSO):")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<40} {login.username:<14} {login.name} {login.scope}".rstrip())
        line = self._reporting_line()
        if line:
            self.stdout.write(line)

    def _reporting_line(self) -> str:
        """One line on the reporting demo: the cycle in progress and how far the country is."""

        cycle = demo_reporting_current()
        if cycle is None:
            return ""
        reports = cycle.reports.all()
        closed = ReportingCycle.objects.filter(status=ReportingCycle.Status.CLOSED).count()
        return (
            f"Reporting: {cycle.label} in progress, {reports.filter(complete=True).count()} of {reports.count()} "
            f"districts complete ({closed} closed cycles before it): central → {cycle.get_absolute_url()}"
        )
