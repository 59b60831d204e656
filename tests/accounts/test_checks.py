from accounts.checks import check_email_verification, check_rate_limit_cache


def test_a_dummy_cache_fails_the_checks_because_it_disables_rate_limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [error.id for error in check_rate_limit_cache(None)] == ["accounts.E001"]


def test_a_real_cache_passes(settings):
    assert check_rate_limit_cache(None) == []


def test_optional_email_verification_fails_the_checks(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    assert [error.id for error in check_email_verification(None)] == ["accounts.E002"]
