from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from privacy import selectors


@login_required
def my_data(request):
    return render(
        request,
        "privacy/my_data.html",
        {
            "groups": selectors.personal_data_overview(user=request.user),
            "summaries": selectors.personal_data_summaries(user=request.user),
        },
    )


@login_required
def my_data_source(request, source_key: str):
    try:
        view = selectors.personal_data_source_page(
            user=request.user, source_key=source_key, page_number=request.GET.get("page")
        )
    except KeyError:
        raise Http404("No such kind of data") from None
    return render(request, "privacy/my_data_source.html", {"view": view})
