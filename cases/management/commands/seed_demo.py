from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.services.demo import DEMO_PASSWORD, demo_country_seed, demo_logins, demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo organisation, the people of every province and the reporting cycles (once; running "
        "it again changes nothing). --list prints the sign-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Only print the demo sign-ins.")

    def handle(self, *args: Any, **options: Any) -> None:
        from reporting.services.demo import demo_reporting_seed

        if not options["list"]:
            created = demo_seed()
            self.stdout.write(
                "Demo organisation created." if created else "Demo organisation already present."
            )
            if demo_country_seed():
                self.stdout.write("People of every province created.")
            if demo_reporting_seed() is not None:
                self.stdout.write("Reporting cycles created.")
            line = self._reporting_line()
            if line:
                self.stdout.write(line)
            return
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<40} {login.username:<14} {login.name} {login.scope}".rstrip())
        line = self._reporting_line()
        if line:
            self.stdout.write(line)

    def _reporting_line(self) -> str:
        """One line on the reporting demo: the cycle in progress and how far the country is."""
        from reporting.models import ReportingCycle
        from reporting.services.demo import demo_reporting_current

        cycle = demo_reporting_current()
        if cycle is None:
            return ""
        reports = cycle.reports.all()
        closed = ReportingCycle.objects.filter(status=ReportingCycle.Status.CLOSED).count()
        return (
            f"Reporting: {cycle.label} in progress, {reports.filter(complete=True).count()} of {reports.count()} "
            f"districts complete ({closed} closed cycles before it): central → {cycle.get_absolute_url()}"
        )
