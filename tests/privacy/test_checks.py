import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from privacy.checks import check_declarations_are_sound, check_every_user_model_is_declared, path_to_user
from privacy.registry import Erasure, LegalBasis, PersonalField, Source, registry


@pytest.fixture
def checkapp(settings):
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.checkapp"]):
        from tests.checkapp import models

        yield models
        registry.forget([models.SupportTicket, models.TicketNote, models.Warehouse])


def ticket_source(model, **overrides) -> Source:
    return Source(
        **{
            "model": model,
            "subject_path": "customer",
            "label": "Support tickets",
            "description": "Tickets you opened.",
            "fields": (PersonalField("title", "user.content.private"),),
            "purpose": "Support.",
            "legal_basis": LegalBasis.CONTRACT,
            "retention": "Two years.",
            "recipients": (),
            "erasure": Erasure.delete(),
            **overrides,
        }
    )


def test_everything_installed_today_is_declared_or_exempted():
    assert check_every_user_model_is_declared(None) == []
    assert check_declarations_are_sound(None) == []


def test_an_undeclared_model_fails_the_check_naming_it_and_its_path(checkapp):
    errors = {error.obj: error for error in check_every_user_model_is_declared(None)}
    assert set(errors) == {checkapp.SupportTicket, checkapp.TicketNote}
    assert errors[checkapp.SupportTicket].id == "privacy.E001"
    assert "checkapp.SupportTicket" in errors[checkapp.SupportTicket].msg
    assert "through customer" in errors[checkapp.SupportTicket].msg
    assert "through ticket__customer" in errors[checkapp.TicketNote].msg


@pytest.mark.django_db
def test_manage_py_check_fails_on_an_undeclared_model(checkapp):
    with pytest.raises(SystemCheckError, match=r"checkapp\.SupportTicket"):
        call_command("check")


def test_declaring_or_exempting_with_a_reason_makes_the_check_pass(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket))
    registry.exempt(checkapp.TicketNote, reason="Notes are written by staff about the ticket, not the customer.")
    assert check_every_user_model_is_declared(None) == []
    assert check_declarations_are_sound(None) == []


def test_an_exemption_without_a_reason_is_refused(checkapp):
    with pytest.raises(ValueError, match="reason"):
        registry.exempt(checkapp.SupportTicket, reason="  ")


def test_a_model_is_declared_only_once(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket))
    with pytest.raises(ValueError, match="twice"):
        registry.declare(ticket_source(checkapp.SupportTicket))


def test_a_subject_path_that_does_not_reach_the_user_fails(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket, subject_path="title"))
    assert "privacy.E002" in [error.id for error in check_declarations_are_sound(None)]


def test_an_unknown_data_category_fails(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket, fields=(PersonalField("title", "user.made_up"),)))
    assert "privacy.E003" in [error.id for error in check_declarations_are_sound(None)]


def test_a_field_the_model_lacks_fails(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket, fields=(PersonalField("nope", "user.name"),)))
    assert "privacy.E004" in [error.id for error in check_declarations_are_sound(None)]


def test_a_secret_cannot_also_be_shown(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket, secret_fields=("title",)))
    assert "privacy.E005" in [error.id for error in check_declarations_are_sound(None)]


def test_ai_derived_data_must_name_its_ai_system(checkapp):
    registry.declare(
        ticket_source(checkapp.SupportTicket, fields=(PersonalField("title", "user.name", derived_by_ai=True),))
    )
    assert "privacy.E006" in [error.id for error in check_declarations_are_sound(None)]


def test_retaining_without_a_reason_fails(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket, erasure=Erasure.retain("")))
    assert "privacy.E007" in [error.id for error in check_declarations_are_sound(None)]


def test_a_staff_only_kind_that_offers_customers_something_fails(checkapp):
    registry.declare(ticket_source(checkapp.SupportTicket, staff_only=True))
    assert check_declarations_are_sound(None) == []  # staff-only, offering customers nothing: sound
    registry.forget([checkapp.SupportTicket])
    registry.declare(ticket_source(checkapp.SupportTicket, staff_only=True, manage_url_name="ai_preferences"))
    errors = [error for error in check_declarations_are_sound(None) if error.id == "privacy.E011"]
    assert len(errors) == 1 and "manage_url_name" in errors[0].msg


def test_the_path_finder_knows_the_user_and_unrelated_models(checkapp):
    from accounts.models import User

    assert path_to_user(User) == ""
    assert path_to_user(checkapp.Warehouse) is None
