#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    if sys.argv[1:2] == ["makemigrations"]:
        # Writing or checking migrations reads the models only: a throwaway key, never used to sign anything.
        import secrets

        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings, which refuse an insecure start)
    except ImproperlyConfigured as exc:
        # One clear line instead of a traceback; production stays refused, a developer learns the way in.
        sys.exit(
            f"{exc}\nOn a developer's machine: DEBUG=1 {' '.join(sys.argv)}  (or a .env, see .env.example)"
        )
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
