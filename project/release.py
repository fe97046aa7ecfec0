"""Which release of the service is running: the name a deploy gives it (RELEASE), or else a digest of what the
service draws its pages with (its code, templates, translations and static files).

What is held in the shared cache made by the code is kept under the release's name (settings.CACHES["held"], which
{% cache %} uses as "template_fragments"): pages held rendered, figures and directories held as Python objects. A
release never shows a fragment drawn by the one before it (old markup, a link to a page that has moved, a
stylesheet's old hashed name) nor unpickles an object whose class it has changed. The sessions and the version
stamps are kept across releases: nobody is signed out by a deploy, and a write by either release renews them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

# What a held fragment is drawn from; the tests, the run's files and the environment are not.
DRAWN_FROM = frozenset({".py", ".html", ".po", ".css", ".js", ".svg"})
NOT_DRAWN_FROM = frozenset({".git", ".venv", "var", "tests", "node_modules", "__pycache__", "docs"})


def code_digest(root: Path) -> str:
    """A short digest of the name and content of every file under `root` that a page is drawn from (about 400
    files, a few milliseconds, once per process)."""
    digest = hashlib.blake2b(digest_size=6)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_DRAWN_FROM and name[0] != ".")
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in DRAWN_FROM:
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def release_name(given: str, root: Path) -> str:
    """The deploy's name for the release if it gave one (letters, digits, dots, dashes), else the code's digest."""
    cleaned = "".join(c for c in given if c.isascii() and (c.isalnum() or c in ".-_"))[:40]
    return cleaned or code_digest(root)


def caches_for(default: dict[str, Any], release: str) -> dict[str, dict[str, Any]]:
    """settings.CACHES around the default cache: the cache of what is held made by the code (`held`, and
    `template_fragments`, which {% cache %} uses) is the default cache's store under the release's own key prefix
    (the store is shared: emptying the default cache empties it too)."""
    prefix = ":".join(part for part in (default.get("KEY_PREFIX", ""), "release", release) if part)
    held = {**default, "KEY_PREFIX": prefix}
    return {"default": default, "held": held, "template_fragments": held}
