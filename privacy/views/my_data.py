from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from privacy import selectors


@login_required
def my_data(request):
    groups = selectors.personal_data_overview(user=request.user)
    return render(
        request,
        "privacy/my_data.html",
        {
            "groups": groups,
            "any_ai": any(
                view.any_ai or (view.count and view.source.derived_by_ai) for g in groups for view in g.sources
            ),
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
