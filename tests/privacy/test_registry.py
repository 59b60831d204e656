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


def test_each_kind_of_erasure_is_described_in_words_naming_what_changes():
    assert Erasure.delete().description == "Deleted"
    profile = registry.source("accounts.user")
    anonymised = profile.erasure_description
    # What changes, by the labels the customer reads on "My data"; never a column's name.
    assert anonymised.startswith("Anonymised: ") and "E-mail address" in anonymised and "Full name" in anonymised
    assert anonymised.endswith("the rest kept without anything that identifies you")
    for column in ("email", "full_name", "password", "is_active", "public_id"):
        assert column not in anonymised and column not in profile.erasure.description
    assert registry.source("privacy.humanreviewrequest").erasure_description.startswith(
        "Anonymised: What you told us, Our answer removed"
    )
    kept = registry.source("privacy.consentevent").erasure.description
    assert kept.startswith("Kept: ") and "GDPR Art. 7(1)" in kept


def test_retained_data_carries_its_legal_reason_for_the_customer():
    retained = [s for s in registry.sources if s.erasure.action == ErasureAction.RETAIN]
    assert retained and all("GDPR" in s.erasure.description or s.erasure.reason for s in retained)
    assert Erasure.retain("Tax law").description == "Kept: Tax law"
