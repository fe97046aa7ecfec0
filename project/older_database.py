"""`make run` on a `var/db.sqlite3` made before the migrations were rebuilt (issue 10's layout): say so in
one line instead of a migration traceback. Checks only the developer's SQLite file."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = BASE_DIR / "var" / "db.sqlite3"


def stale_migrations(database: Path) -> list[str]:
    """Migrations the database records that the code no longer has, for the apps the code has."""
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        try:
            applied = connection.execute("SELECT app, name FROM django_migrations").fetchall()
        except sqlite3.DatabaseError:
            return []
    stale = []
    for app, name in applied:
        folder = BASE_DIR / app / "migrations"
        if folder.is_dir() and not (folder / f"{name}.py").exists():
            stale.append(f"{app}.{name}")
    return stale


def main() -> int:
    if os.environ.get("DATABASE_URL"):
        return 0
    if stale_migrations(DATABASE):
        print(
            f"{DATABASE.relative_to(BASE_DIR)} was made by an older version of the service: "
            f"remove it (rm {DATABASE.relative_to(BASE_DIR)}) and run make run again.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
