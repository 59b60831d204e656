from accounts.checks import check_email_verification, check_rate_limit_cache


def test_a_dummy_cache_fails_the_checks_because_it_disables_rate_limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [error.id for error in check_rate_limit_cache(None)] == ["accounts.E001"]


def test_a_real_cache_passes(settings):
    assert check_rate_limit_cache(None) == []


def test_optional_email_verification_fails_the_checks(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    assert [error.id for error in check_email_verification(None)] == ["accounts.E002"]


def test_a_language_offered_without_a_catalogue_fails_the_checks(settings, tmp_path):
    from accounts.checks import check_language_catalogues

    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "es" / "LC_MESSAGES" / "django.po").write_text('msgid ""\nmsgstr ""\n')
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [("en", "English"), ("es", "Español"), ("it", "Italiano")]
    errors = check_language_catalogues(None)
    assert [error.id for error in errors] == ["accounts.E003"]
    assert "Italiano (it)" in errors[0].msg and str(tmp_path / "it" / "LC_MESSAGES" / "django.po") in str(
        errors[0].hint
    )


def test_every_language_the_portal_offers_has_its_catalogue():
    from accounts.checks import check_language_catalogues

    assert check_language_catalogues(None) == []
