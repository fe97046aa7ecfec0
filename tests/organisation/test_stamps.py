"""The version stamps (organisation/cached.py): a request reads them once, all together, and again only after it
renews one itself; outside a request every read asks the shared cache."""

from __future__ import annotations

from unittest import mock

import pytest

from organisation import cached
from organisation.cached import (
    DIRECTORY_VERSION_KEY,
    SCOPE_VERSION_KEY,
    VERSION_KEY,
    stamp,
    stamp_anew,
    stamps_read_once,
    versions,
    work_forget,
    work_stamp_key,
)

REQUESTS = work_stamp_key("requests")

pytestmark = pytest.mark.django_db  # a renewed stamp is renewed again when its transaction commits


def test_a_request_reads_the_stamps_once_and_again_only_after_it_renews_one() -> None:
    with mock.patch.object(cached.cache, "get_many", wraps=cached.cache.get_many) as get_many:
        with stamps_read_once():
            first = versions(SCOPE_VERSION_KEY, REQUESTS)
            assert (
                stamp(VERSION_KEY) and stamp(DIRECTORY_VERSION_KEY) and stamp(REQUESTS) == first.split(":")[1]
            )
            assert get_many.call_count == 1

            work_forget("requests")  # a write to the requests, in this request
            after = versions(SCOPE_VERSION_KEY, REQUESTS)
            assert after.split(":")[0] == first.split(":")[0] and after.split(":")[1] != first.split(":")[1]
            assert get_many.call_count == 2

            scope = stamp(SCOPE_VERSION_KEY)
            stamp_anew(SCOPE_VERSION_KEY)  # a role given, in this request
            assert stamp(SCOPE_VERSION_KEY) != scope
            assert get_many.call_count == 3

        versions(VERSION_KEY)
        versions(VERSION_KEY)
        assert get_many.call_count == 5  # outside a request: each read asks


def test_a_stamp_renewed_by_another_process_is_seen_by_the_next_request() -> None:
    with stamps_read_once():
        before = stamp(REQUESTS)
    cached.cache.set(REQUESTS, "renewed-elsewhere", None)
    with stamps_read_once():
        assert stamp(REQUESTS) == "renewed-elsewhere" != before
