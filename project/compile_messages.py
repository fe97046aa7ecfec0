"""Compile the project's .po catalogues to .mo with polib, so that no GNU gettext is needed to run."""

from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted((BASE_DIR / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
