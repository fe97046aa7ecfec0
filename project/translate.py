"""Refresh the Thai catalogue from the sources, fill it from locale/pending/*.json ({"English msgid":
"Thai"}; several people can add strings at once without editing the .po file), and compile it.

    DEBUG=1 .venv/bin/python -m project.translate      (or: make messages-update)

Prints the msgids still without a translation; exits non-zero if any remain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
CATALOGUE = BASE_DIR / "locale" / "th" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "tests", "var", "scripts", "docs", "data"]


def main() -> int:
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "th", "--no-location", "--no-obsolete"]
        + [f"--ignore={name}" for name in IGNORE],
        cwd=BASE_DIR,
        check=True,
        env={**os.environ, "DEBUG": "1"},
    )
    pending: dict[str, str] = {}
    for path in sorted((BASE_DIR / "locale" / "pending").glob("*.json")):
        pending.update(json.loads(path.read_text(encoding="utf-8")))
    po = polib.pofile(str(CATALOGUE))
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid in pending and (not entry.translated() or "fuzzy" in entry.flags):
            if entry.msgid_plural:
                entry.msgstr_plural = {0: pending[entry.msgid]}
            else:
                entry.msgstr = pending[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            # The msgid makemessages guessed this one from, now that it has its own translation.
            entry.previous_msgid = entry.previous_msgid_plural = None
        if not entry.translated() or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    po.save(str(CATALOGUE))
    po.save_as_mofile(str(CATALOGUE.with_suffix(".mo")))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po)} entries, {len(missing)} untranslated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
