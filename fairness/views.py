from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fairness import selectors, services
from fairness.forms import VolunteerForm
from privacy.typing import signed_in


@require_http_methods(["GET", "POST"])
@login_required
def volunteer(request: HttpRequest) -> HttpResponse:
    customer = signed_in(request)
    answers = selectors.volunteered_answers(customer=customer)
    consent = selectors.monitoring_consent_stands(customer=customer)
    initial = {
        **{f"answer_{key}": value for key, value in answers.items()},
        "consent": consent,
        "notice_version": services.CONSENT_NOTICE_VERSION,
    }
    form = VolunteerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            given = services.volunteered_attributes_save(
                customer=customer,
                answers=form.answers(),
                consent=form.cleaned_data["consent"],
                notice_version=form.cleaned_data["notice_version"],
            )
        except ValueError as refusal:
            messages.error(request, str(refusal))
            return redirect("fairness_volunteer")
        if given:
            messages.success(
                request, _("Thank you. Your answers are saved; you can change or withdraw them here at any time.")
            )
        else:
            messages.success(request, _("You gave no answers, so we hold none."))
        return redirect("fairness_volunteer")
    return render(request, "fairness/volunteer.html", {"form": form, "answers": answers, "consent": consent})


@require_POST
@login_required
def withdraw(request: HttpRequest) -> HttpResponse:
    if services.monitoring_consent_withdraw(customer=signed_in(request)):
        messages.success(
            request,
            _(
                "Your consent is withdrawn and your answers are deleted. Our next fairness check counts you under “not given”."
            ),
        )
    return redirect("fairness_volunteer")
