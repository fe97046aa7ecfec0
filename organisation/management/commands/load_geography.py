from typing import Any

from django.core.management.base import BaseCommand

from organisation.services.geography import geography_load


class Command(BaseCommand):
    help = "Load or update the provinces and districts (GeoThai) and the DLA's units. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        report = geography_load()
        if report.changed:
            self.stdout.write(
                f"GeoThai {report.version}: provinces +{report.provinces_created} ~{report.provinces_updated}, "
                f"districts +{report.districts_created} ~{report.districts_updated}, units +{report.units_created}"
            )
        else:
            self.stdout.write(f"GeoThai {report.version}: reference data already up to date.")
