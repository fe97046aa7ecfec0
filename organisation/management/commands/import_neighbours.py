from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisation.management.commands.import_lgos import read_upload
from organisation.services.imports import ImportFailed, neighbours_import


class Command(BaseCommand):
    help = (
        "Import pairs of adjoining districts from a CSV (UTF-8) or XLSX file with the columns "
        "district_code_a,district_code_b. All or nothing; pairs already stored are kept (safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        data = read_upload(path)
        try:
            report = neighbours_import(data=data, filename=path.name)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing imported: {len(failed.errors)} error(s) in {path.name}.", returncode=1
            ) from None
        self.stdout.write(
            f"{path.name}: {report.rows} row(s) read; {report.created} new pair(s), "
            f"{report.unchanged} already stored."
        )
