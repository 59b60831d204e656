"""Staff screens read as good English: model names in the admin are pluralised properly."""

import re

from django.contrib import admin

# What Django's default plural (name + "s") gets wrong: breach -> "breachs", policy -> "policys", box -> "boxs".
NAIVE_PLURAL = re.compile(r"(ch|sh|s|x|z|[^aeiou]y)s$")


def is_naive_plural(name: str) -> bool:
    return bool(NAIVE_PLURAL.search(name))


def test_every_admin_model_has_a_properly_pluralised_name():
    wrong = [
        model._meta.label for model in admin.site._registry if is_naive_plural(str(model._meta.verbose_name_plural))
    ]
    assert wrong == []


def test_the_check_tells_a_naive_plural_from_a_proper_one():
    assert is_naive_plural("preference breachs") and is_naive_plural("privacy policys")
    assert not is_naive_plural("preference breaches") and not is_naive_plural("webhook deliveries")
    assert not is_naive_plural("e-mail addresses") and not is_naive_plural("AI systems")


def test_no_field_on_a_staff_screen_speaks_to_the_customer():
    # Staff read these labels; "your view" on a review's admin page reads as if it were the officer's.
    speaking_to_the_customer = [
        f"{model._meta.label}.{field.name}: {getattr(field, 'verbose_name', '')}"
        for model in admin.site._registry
        for field in model._meta.get_fields()
        if re.search(r"\byour\b", str(getattr(field, "verbose_name", "")), re.IGNORECASE)
    ]
    assert speaking_to_the_customer == []
