"""The load test's server (tests/bench_load.py): the production settings, with the URLs of tests/load_urls.py
(the service's own plus a bare "hello" view that exists only for the bench)."""

import os

from project.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load_urls"
# A cache namespace of the bench run's own: nothing left from an earlier run (sessions, scopes, the centre
# in the footer) is read, and nobody else's keys in the same Redis database are touched.
CACHES = caches_for(  # noqa: F405
    {**CACHES["default"], "KEY_PREFIX": os.environ.get("BENCH_LOAD_CACHE_PREFIX", "dla-bench-load")},  # noqa: F405
    RELEASE,  # noqa: F405
)
