from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisation.services.imports import MAX_FILE_BYTES, ImportFailed, lgos_import


class Command(BaseCommand):
    help = (
        "Import local government organisations (อปท.) from a CSV (UTF-8) or XLSX file with the columns "
        "code,name_th,kind,district_code. All or nothing: any bad row and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        data = read_upload(path)
        try:
            report = lgos_import(data=data, filename=path.name)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing imported: {len(failed.errors)} error(s) in {path.name}.", returncode=1
            ) from None
        self.stdout.write(
            f"{path.name}: {report.rows} LGO(s) read; {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )


def read_upload(path: Path) -> bytes:
    """The file's bytes, refusing missing and oversized files before reading them."""
    if not path.is_file():
        raise CommandError(f"No such file: {path}", returncode=1)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CommandError(f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", returncode=1)
    return path.read_bytes()
