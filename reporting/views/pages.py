"""Pages of officers, directors and the centre's cycle management (to be written)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


my_reports = review_queue = report_detail = report_review = report_reopen = _todo
cycle_list = cycle_new = cycle_open = cycle_progress = cycle_close = cycle_extend = task_redirect = _todo
