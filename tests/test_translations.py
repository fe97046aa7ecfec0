"""Thai first: every string of ours has a Thai translation (Django's own catalogue is incomplete)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
CATALOGUE = BASE_DIR / "locale" / "th" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "accounts",
    "api",
    "cases",
    "deadlines",
    "demo",
    "flows",
    "health",
    "notifications",
    "organisation",
    "project",
    "reporting",
    "templates",
    "workdays",
]


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_the_thai_catalogue_translates_every_entry() -> None:
    po = polib.pofile(str(CATALOGUE))

    assert len(po) > 100
    assert untranslated(po) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext: apt-get install gettext")
def test_every_string_in_the_code_is_in_the_thai_catalogue(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the sources: a new string without a translation fails."""
    for name in SOURCES:
        shutil.copytree(
            BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copytree(BASE_DIR / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "th", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "project.settings"},
    )

    missing = untranslated(polib.pofile(str(tmp_path / "locale" / "th" / "LC_MESSAGES" / "django.po")))
    assert missing == [], f"{len(missing)} strings need a Thai translation: run `make messages-update`"
