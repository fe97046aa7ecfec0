from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Newest first by id; `page_size` from 1 to 100."""

    ordering = "-pk"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class ByCode(Cursor):
    ordering = "code"
    page_size = 100
