from django.apps import apps

from privacy.registry import Erasure, ErasureAction, registry


def test_each_apps_privacy_module_is_discovered_at_start_up():
    declared_by_app = {source.model._meta.app_label for source in registry.sources}
    assert {"accounts", "interactions", "privacy", "account", "mfa", "usersessions", "admin"} <= declared_by_app
    assert "AI and you" in [summary.title for summary in registry.summaries]


def test_the_third_party_sign_in_models_are_declared_without_their_secrets():
    authenticators = registry.source("mfa.authenticator")
    assert [f.name for f in authenticators.fields] == ["type", "created_at", "last_used_at"]
    assert authenticators.secret_fields == ("data",)
    sessions = registry.source("usersessions.usersession")
    assert {f.name for f in sessions.fields} == {"ip", "user_agent", "created_at", "last_seen_at"}
    assert "session_key" in sessions.secret_fields
    assert "password" in registry.source("accounts.user").secret_fields


def test_every_source_says_what_erasure_does_to_it():
    for source in registry.sources:
        assert source.erasure.action in ErasureAction
        assert source.erasure.description


def test_retained_data_carries_its_legal_reason_for_the_customer():
    retained = [s for s in registry.sources if s.erasure.action == ErasureAction.RETAIN]
    assert retained and all("GDPR" in s.erasure.description or s.erasure.reason for s in retained)
    assert Erasure.retain("Tax law").description == "Kept: Tax law"


def test_every_model_is_either_declared_or_has_no_path_to_a_user():
    from privacy.checks import path_to_user

    for model in apps.get_models():
        if path_to_user(model) is not None:
            assert registry.covers(model), model._meta.label
