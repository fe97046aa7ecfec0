from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.services.demo import DEMO_PASSWORD, demo_logins, demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo organisation (once; running it again changes nothing). --list prints the sign-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Only print the demo sign-ins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["list"]:
            created = demo_seed()
            self.stdout.write(
                "Demo organisation created." if created else "Demo organisation already present."
            )
            return
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<40} {login.username:<14} {login.name} {login.scope}".rstrip())
