"""The reference page: for signed-in people only, and within the content security policy (no inline script)."""

from __future__ import annotations

import re

from django.test import Client

from tests.coordination import Org


def test_the_reference_page_is_for_signed_in_people_only(org: Org) -> None:
    client = Client()
    assert client.get("/api/v1/docs/").status_code == 302
    assert client.get("/api/v1/schema/").status_code in (401, 403)
    client.force_login(org.officer, backend="accounts.backends.LocalBackend")
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script: refused by the CSP"
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content
    assert client.get("/api/v1/schema/").status_code == 200
