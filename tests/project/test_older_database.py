"""`make run` on a var/db.sqlite3 made before the migrations were rebuilt says so in one line."""

import sqlite3
from pathlib import Path

from project import older_database


def _database(path: Path, rows: list[tuple[str, str]]) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT)")
        connection.executemany("INSERT INTO django_migrations (app, name) VALUES (?, ?)", rows)
    return path


def test_the_migrations_of_the_old_layout_are_found(tmp_path, monkeypatch) -> None:
    old = _database(
        tmp_path / "db.sqlite3",
        [
            ("contenttypes", "0001_initial"),
            ("cases", "0001_organisation"),
            ("cases", "0008_deadline_pool_unit"),
        ],
    )

    assert older_database.stale_migrations(old) == [
        "cases.0001_organisation",
        "cases.0008_deadline_pool_unit",
    ]


def test_the_message_names_the_file_to_remove(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "cases" / "migrations").mkdir(parents=True)
    (tmp_path / "cases" / "migrations" / "0001_coordination_requests.py").write_text("")
    old = _database(tmp_path / "var" / "db.sqlite3", [("cases", "0008_deadline_pool_unit")])
    monkeypatch.setattr(older_database, "BASE_DIR", tmp_path)
    monkeypatch.setattr(older_database, "DATABASE", old)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert older_database.main() == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "var/db.sqlite3 was made by an older version of the service: remove it (rm var/db.sqlite3) and run "
        "make run again."
    ]


def test_a_current_database_or_none_passes(tmp_path, monkeypatch) -> None:
    (tmp_path / "cases" / "migrations").mkdir(parents=True)
    (tmp_path / "cases" / "migrations" / "0001_coordination_requests.py").write_text("")
    monkeypatch.setattr(older_database, "BASE_DIR", tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    current = _database(
        tmp_path / "db.sqlite3", [("cases", "0001_coordination_requests"), ("auth", "0001_initial")]
    )

    assert older_database.stale_migrations(current) == []
    assert older_database.stale_migrations(tmp_path / "none.sqlite3") == []
