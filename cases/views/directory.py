from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/directory/search.html")


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "cases/directory/province.html")


@login_required
def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "cases/directory/district.html")
