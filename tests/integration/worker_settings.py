"""Settings of the worker processes the reliability tests start: the test settings, except that the e-mail
backend comes from the environment (project.test_settings pins locmem), so that a worker can send through
a real SMTP server (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend, EMAIL_HOST, EMAIL_PORT)."""

import os

from project.test_settings import *  # noqa: F403

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", EMAIL_BACKEND)  # noqa: F405
