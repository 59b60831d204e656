from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from privacy import selectors
from privacy.typing import signed_in


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    overview = selectors.personal_data_overview(user=signed_in(request))
    return render(
        request,
        "privacy/my_data.html",
        {
            "groups": overview.groups,
            "empty": overview.empty,
            "any_ai": any(
                view.any_ai or (view.count and view.source.derived_by_ai) for g in overview.groups for view in g.sources
            ),
            "summaries": selectors.personal_data_summaries(user=signed_in(request)),
        },
    )


@login_required
def my_data_source(request: HttpRequest, source_key: str) -> HttpResponse:
    try:
        view = selectors.personal_data_source_page(
            user=signed_in(request), source_key=source_key, page_number=request.GET.get("page")
        )
    except KeyError:
        raise Http404("No such kind of data") from None
    return render(request, "privacy/my_data_source.html", {"view": view})
