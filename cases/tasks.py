"""Jobs of the coordination requests that beat runs."""

from celery import shared_task
from django.conf import settings
from django.utils import translation

from cases.selectors.national import national_figures_ahead


@shared_task(ignore_result=True)
def count_national_figures() -> str:
    """Every few minutes, a little more often than held figures expire: the national monitoring page's figures
    for the fiscal year so far, in every language of the pages, counted ahead of the looks that need them."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            period = national_figures_ahead()
    return period.key
