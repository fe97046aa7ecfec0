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
# Webhook receivers in the tests listen on 127.0.0.1 over plain HTTP; tests of the SSRF rules turn these off.
WEBHOOK_ALLOW_HTTP = True
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
# The cache in the test process only (Redis's is shared with the broker and other runs); cleared per test.
CACHES = caches_for({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, RELEASE)  # noqa: F405

# DLA-SSO on, against a provider that the OIDC tests stand in for (nothing listens on port 9).
OIDC_RP_CLIENT_ID = "dla-coordination-test"
OIDC_ENABLED = True
OIDC_RP_CLIENT_SECRET = "test-client-secret"
OIDC_OP_ISSUER = "http://127.0.0.1:9/o"
OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/o/authorize/"
OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/o/token/"
OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/o/userinfo/"
OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/o/.well-known/jwks.json"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.oidc.DlaOIDCBackend",
    "accounts.backends.LocalBackend",
]
