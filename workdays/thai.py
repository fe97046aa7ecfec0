"""Thai dictionary order, the one way the whole service sorts Thai text.

Where the database sorts, order by ``thai_order("name_th")``: the column under the collation
``th-x-icu``, which is PostgreSQL's ICU collation for Thai. SQLite has no ICU, so every SQLite
connection gets a collation of that name computed by ``thai_key``; the same query then runs on both.
Where Python sorts, ``sorted(names, key=thai_key)``.

``thai_key`` gives the order of ICU's Thai collation (it matched PostgreSQL's ``th-x-icu`` on the 77
provinces, the 928 districts and the demo's people and units): a leading vowel (เ แ โ ใ ไ) sorts after
its consonant, so เชียงใหม่ comes under ช, before อ่างทอง; tone marks and other signs decide only between
words that are otherwise equal; Thai comes before Latin letters, and case does not matter."""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import F, OrderBy
from django.db.models.functions import Collate

THAI_COLLATION = "th-x-icu"

_LEADING_VOWELS = "เแโใไ"
# Tone marks and the signs above a consonant (็ ่ ้ ๊ ๋ ์ ํ ๎): second-level differences only.
_SIGNS = str.maketrans("", "", "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


def _logical(text: str) -> str:
    """The text with each leading vowel moved after the consonant it is spoken after."""
    chars = list(text)
    i = 0
    while i < len(chars) - 1:
        if chars[i] in _LEADING_VOWELS:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            i += 2
        else:
            i += 1
    return "".join(chars)


def _after_thai(char: str) -> str:
    """Letters of other scripts sort after Thai (ICU's Thai collation puts Thai first)."""
    return chr(ord(char) + 0x10000) if char.isalpha() and not "\u0e00" <= char <= "\u0e7f" else char


def thai_key(text: str) -> tuple[str, str]:
    """The sort key of Thai dictionary order."""
    logical = _logical(text)
    return "".join(map(_after_thai, logical.translate(_SIGNS).casefold())), logical


def thai_order(field: str, *, descending: bool = False) -> OrderBy:
    """An ``order_by`` term: the field in Thai dictionary order."""
    collated = Collate(F(field), THAI_COLLATION)
    return collated.desc() if descending else collated.asc()


def _compare(a: str, b: str) -> int:
    key_a, key_b = thai_key(a), thai_key(b)
    return (key_a > key_b) - (key_a < key_b)


def _sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(THAI_COLLATION, _compare)


connection_created.connect(_sqlite_collation, dispatch_uid="workdays.thai.sqlite_collation")
