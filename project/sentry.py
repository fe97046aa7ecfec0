"""Error reports to Sentry (or a service that speaks its protocol, e.g. GlitchTip): on only when SENTRY_DSN
is set; settings.py calls this then, and nothing else initialises the SDK, so without it nothing is sent."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def sentry_start(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Officers' names, e-mails, citizen ids and addresses stay here: no cookies, headers' personal
        # data or user details in the reports. The request id (a tag) finds the report from the 500 page.
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
