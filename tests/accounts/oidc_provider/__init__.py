"""A real OpenID Connect provider (django-oauth-toolkit) for the OIDC tests, run as its own Django project on
127.0.0.1 by tests/accounts/test_oidc_provider.py. Nothing here belongs to the service."""
