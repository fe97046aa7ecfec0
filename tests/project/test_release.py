"""What is held made by the code is the running release's own (project/release.py): after a deploy no page shows a
fragment drawn by the release before, and no held object of the old code is unpickled; the sessions and the
version stamps outlive it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from cases.selectors.held import held
from organisation.cached import SCOPE_VERSION_KEY, stamp, work_stamp_key
from project.release import caches_for, code_digest, release_name
from tests.coordination import Org

WORK_TABLES = re.compile(r'"(cases_|reporting_|viewflow_)')


def _released(name: str) -> override_settings:
    """The same shared store, as the release `name` sees it."""
    return override_settings(CACHES=caches_for(settings.CACHES["default"], name))


def test_the_code_digest_follows_what_pages_are_drawn_from_and_nothing_else(tmp_path: Path) -> None:
    for name, text in {
        "cases/views.py": "x = 1",
        "cases/templates/list.html": "<p>{{ x }}</p>",
        "locale/th/django.po": 'msgid "a"',
        "tests/test_list.py": "assert True",
        "var/cache/held.py": "",
        "docs/operations.md": "",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    first = code_digest(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{12}", first) and code_digest(tmp_path) == first

    (tmp_path / "tests/test_list.py").write_text("assert 1")
    (tmp_path / "var/cache/held.py").write_text("held = 2")
    (tmp_path / "docs/operations.md").write_text("more")
    assert code_digest(tmp_path) == first

    (tmp_path / "cases/templates/list.html").write_text("<p>{{ x|default:'-' }}</p>")
    assert code_digest(tmp_path) != first
    second = code_digest(tmp_path)
    (tmp_path / "locale/th/django.po").write_text('msgid "b"')
    assert code_digest(tmp_path) != second


def test_a_release_named_by_the_deploy_keeps_only_safe_characters(tmp_path: Path) -> None:
    assert release_name("2026.12-a1b2c3", tmp_path) == "2026.12-a1b2c3"
    assert release_name("v2 <script>:x\n", tmp_path) == "v2scriptx"
    assert release_name("", tmp_path) == code_digest(tmp_path)


@pytest.mark.django_db
def test_after_a_release_held_fragments_and_figures_are_made_again_and_nobody_is_signed_out(org: Org) -> None:
    fragment = Template("{% load cache %}{% cache 600 'release-test' %}{{ drawn }}{% endcache %}")
    assert fragment.render(Context({"drawn": "old"})) == "old"
    assert fragment.render(Context({"drawn": "new"})) == "old"  # held
    assert held("release-test", lambda now: "old")[0] == "old"
    assert held("release-test", lambda now: "new")[0] == "old"  # held
    client = Client()
    client.force_login(org.officer)
    client.get("/")
    with CaptureQueriesContext(connection) as held_look:
        assert client.get("/").status_code == 200
    assert not [q for q in held_look.captured_queries if WORK_TABLES.search(q["sql"])]
    stamps = stamp(SCOPE_VERSION_KEY), stamp(work_stamp_key("requests"))

    with _released("next"):
        assert fragment.render(Context({"drawn": "new"})) == "new"
        assert held("release-test", lambda now: "new")[0] == "new"
        with CaptureQueriesContext(connection) as first_look:
            response = client.get("/")
        assert response.status_code == 200  # still signed in: the session is not the release's
        assert [q for q in first_look.captured_queries if WORK_TABLES.search(q["sql"])]  # drawn anew
        assert (stamp(SCOPE_VERSION_KEY), stamp(work_stamp_key("requests"))) == stamps
