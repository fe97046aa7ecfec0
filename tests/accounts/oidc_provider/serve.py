"""`python -m tests.accounts.oidc_provider.serve PORT`: make the provider's database, its people and
applications (seed.json), then serve it on 127.0.0.1:PORT until stopped."""

import sys

import django
from django.core.management import call_command


def main(port: str) -> None:
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for person in settings.SEED["people"]:
        User.objects.create_user(person["username"], person["claims"].get("email", ""), person["password"])
    for app in settings.SEED["applications"]:
        Application.objects.create(
            name=app["client_id"],
            client_id=app["client_id"],
            client_secret=app["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(app["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
        )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True, use_threading=True)


if __name__ == "__main__":
    main(sys.argv[1])
