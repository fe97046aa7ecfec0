from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API for other systems")

    def ready(self) -> None:
        from api import authentication  # noqa: F401  (registers the bearer token's schema extension)
