"""A source's words, translated once per language and process: each language keeps its own, and a
source declared afresh is read afresh."""

import dataclasses

from django.test import override_settings
from django.utils import translation

from privacy import kept
from privacy.registry import registry
from privacy.source_words import few_values, source_words


def profile():
    return registry.source("accounts.user")


def test_each_language_reads_its_own_words_whichever_was_asked_first():
    with translation.override("en"):
        english = source_words(profile())
    with translation.override("de"):
        german = source_words(profile())
    with translation.override("en"):
        again = source_words(profile())
    assert english.label == "Your profile" and german.label == "Ihr Profil"
    assert again is english  # worked out once, then kept
    assert german.field_labels["full_name"] == "Vollständiger Name"
    assert german.legal_basis == "Erforderlich, um den von Ihnen gewählten Dienst zu erbringen"


def test_the_words_are_plain_strings_a_page_renders_without_translating_again():
    with translation.override("es"):
        words = source_words(profile())
    for value in [words.label, words.description, words.purpose, words.retention, words.recipients, words.erasure]:
        assert type(value) is str and value
    assert all(type(label) is str for label in words.field_labels.values())


def test_a_source_declared_afresh_where_another_was_is_read_afresh_not_mistaken_for_the_one_before():
    renamed = dataclasses.replace(profile(), label="Your renamed profile")
    with translation.override("en"):
        # As if `renamed` had been given the id of a source kept before it (ids are reused once freed).
        kept._KEPT[("words", id(renamed), "en")] = (profile(), source_words(profile()))
        assert source_words(renamed).label == "Your renamed profile"
        assert source_words(profile()).label == "Your profile"


def test_a_column_of_few_values_has_a_word_for_each_in_the_active_language():
    source = registry.source("account.emailaddress")
    verified = next(f for f in source.fields if f.name == "verified")
    with translation.override("de"):
        assert few_values(source, verified) == {True: "Ja", False: "Nein", None: "—"}
    with translation.override("en"):
        assert few_values(source, verified)[True] == "Yes"


def test_changing_the_languages_setting_forgets_the_words_worked_out_before():
    with translation.override("en"):
        before = source_words(profile())
        with override_settings(LANGUAGES=[("en", "English")]):
            assert source_words(profile()) is not before
