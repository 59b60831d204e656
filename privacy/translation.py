"""The texts staff write that customers read, each with a field per language.

django-modeltranslation adds `<field>_<code>` for every language in
settings.LANGUAGES (`notice_text_de`, ...); reading `purpose.notice_text`
gives the active language's text, or English when that is empty. Pages show
such a fallback with the note "(not yet translated)" (privacy/translated_text.py).
"""

from modeltranslation.translator import TranslationOptions, register

from privacy.models import AIPurpose, AIPurposeNotice, AISystem, PrivacyRequest, StaffGuidelines


@register(AIPurpose)
class AIPurposeTranslation(TranslationOptions):
    fields = ("name", "description", "data_used", "notice_text")


@register(AIPurposeNotice)
class AIPurposeNoticeTranslation(TranslationOptions):
    # One version holds the notice in every language: a consent records the
    # version and the language it was shown in.
    fields = ("text",)


@register(AISystem)
class AISystemTranslation(TranslationOptions):
    fields = ("name", "description", "decisions", "human_oversight", "bias_audit_note")


@register(StaffGuidelines)
class StaffGuidelinesTranslation(TranslationOptions):
    fields = ("text",)


@register(PrivacyRequest)
class PrivacyRequestTranslation(TranslationOptions):
    # The reasons the customer reads when staff deny or extend their request.
    fields = ("denial_reason", "extension_reason")
