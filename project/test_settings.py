"""Settings for the test suite: the same settings, with a throw-away key and fast hashing.

With DATABASE_URL and REDIS_URL set in the environment the suite runs on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-" + "k" * 40)
os.environ.setdefault("DEBUG", "0")

from project.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
ALLOWED_HOSTS = ["*"]
