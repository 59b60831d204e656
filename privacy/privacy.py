"""Personal data held by the privacy app itself."""

from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from privacy.models import (
    AIOutputFlag,
    AIPreference,
    ConsentEvent,
    CustomerAISettings,
    ErasureStep,
    ExportArchive,
    GuidelinesAcknowledgement,
    HumanReviewRequest,
    OutboundEmail,
    PreferenceBreach,
    PrivacyRequest,
    StaffGuidelines,
)
from privacy.registry import Erasure, InForce, LegalBasis, PersonalField, Source, registry
from privacy.selectors.permissions import ai_permissions
from privacy.services.exports import export_files_delete
from privacy.typing import Customer


def _delete_unlinked_emails_to(emails: QuerySet[OutboundEmail], user: Customer) -> None:
    # Rows queued without a user (an address not yet on any account, say)
    # are found by the customer's addresses, wherever an app declares them.
    addresses = registry.contact_addresses(user)
    unlinked = [
        pk
        for pk, recipients in OutboundEmail.objects.filter(user__isnull=True).values_list("pk", "recipients")
        if addresses & {r.lower() for r in recipients}
    ]
    OutboundEmail.objects.filter(pk__in=unlinked).delete()


registry.declare(
    Source(
        model=OutboundEmail,
        subject_path="user",
        label=_("E-mails we sent you"),
        counted_as=ngettext_lazy("%(count)s e-mail", "%(count)s e-mails", "count"),
        description=_("Which e-mails we sent you and when. Their text is deleted once delivered."),
        fields=(
            PersonalField("subject", "user.account", label=_("Subject")),
            PersonalField("recipients", "user.contact.email", label=_("Sent to")),
            PersonalField("status", "user.account", label=_("Delivery")),
            PersonalField("created_at", "user.account", label=_("Written")),
            PersonalField("sent_at", "user.account", label=_("Delivered")),
        ),
        purpose=_(
            "To send you sign-in codes, security notices and news about your requests, and to retry when delivery fails."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("90 days."),
        recipients=(_("Our e-mail delivery provider"),),
        erasure=Erasure.delete(),
        ordering=("-created_at",),
        secret_fields=("body_text", "body_html"),
        before_erasure=_delete_unlinked_emails_to,
    )
)

CONSENT_PROOF = _(
    "We must be able to prove what you agreed to and when (GDPR Art. 7(1)); "
    "the record holds no text you wrote and is kept for three years."
)


def _ai_choices_in_force(user: Customer) -> list[tuple[str, ...]]:
    # Every use of AI, stored choice or not: with none stored the defaults
    # apply, and a customer must see them to know what our AI does.
    return [
        (permission.purpose.name, gettext("On") if permission.allowed else gettext("Off"), permission.explanation)
        for permission in ai_permissions(user=user)
    ]


registry.declare(
    Source(
        model=AIPreference,
        subject_path="user",
        label=_("Your AI choices"),
        counted_as=ngettext_lazy("%(count)s choice", "%(count)s choices", "count"),
        description=_("What you currently allow our AI to do, and where each choice came from."),
        fields=(
            PersonalField("purpose", "user.privacy_preferences", label=_("Use of AI")),
            PersonalField("allowed", "user.privacy_preferences", label=_("Allowed")),
            PersonalField("method", "user.privacy_preferences", label=_("Chosen through")),
            PersonalField("notice_version", "user.privacy_preferences", label=_("Notice version you saw")),
            PersonalField("changed_at", "user.privacy_preferences", label=_("Since")),
        ),
        purpose=_("To respect your choices about AI, and to tell our systems what they may do."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("While you have an account."),
        recipients=(_("Our customer-service systems (through the permission API)"),),
        erasure=Erasure.delete(),
        ordering=("purpose__display_order",),
        manage_url_name="ai_preferences",
        in_force=InForce(columns=(_("Use of AI"), _("Now"), _("Why")), rows=_ai_choices_in_force),
    )
)

registry.declare(
    Source(
        model=ConsentEvent,
        subject_path="user",
        label=_("History of your AI choices"),
        counted_as=ngettext_lazy("%(count)s change", "%(count)s changes", "count"),
        description=_("Every change of your AI choices, with the version of the notice you saw."),
        fields=(
            PersonalField("created_at", "user.privacy_preferences", label=_("When")),
            PersonalField("kind", "user.privacy_preferences", label=_("About")),
            PersonalField("purpose", "user.privacy_preferences", label=_("Use of AI")),
            PersonalField("granted", "user.privacy_preferences", label=_("Allowed or switched on")),
            PersonalField("method", "user.privacy_preferences", label=_("Through")),
            PersonalField("notice_version", "user.privacy_preferences", label=_("Notice version")),
            PersonalField("language", "user.privacy_preferences", label=_("Language of the notice")),
        ),
        purpose=_("Proof of your consent and of every change to it."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Three years after the change."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(CONSENT_PROOF),
        ordering=("-created_at", "-pk"),
    )
)

registry.declare(
    Source(
        model=CustomerAISettings,
        subject_path="user",
        label=_("Your AI switches"),
        counted_as=ngettext_lazy("%(count)s set of switches", "%(count)s sets of switches", "count"),
        description=_(
            "Whether you asked to be served by people only, and when we honoured your browser's privacy signal."
        ),
        fields=(
            PersonalField("always_human", "user.privacy_preferences", label=_("Always a person")),
            PersonalField("always_human_changed_at", "user.privacy_preferences", label=_("Since")),
            PersonalField("gpc_honoured_at", "user.privacy_preferences", label=_("Browser privacy signal honoured")),
        ),
        purpose=_("To respect your choices about AI."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("While you have an account."),
        recipients=(_("Our customer-service systems (through the permission API)"),),
        erasure=Erasure.delete(),
    )
)

registry.declare(
    Source(
        model=HumanReviewRequest,
        subject_path="user",
        label=_("Your requests for a human review"),
        counted_as=ngettext_lazy("%(count)s request", "%(count)s requests", "count"),
        description=_("When you asked a person to look at what an AI did, what you said, and our answer."),
        fields=(
            PersonalField("created_at", "user.content.private", label=_("Asked")),
            PersonalField("ai_system", "user.content.private", label=_("AI system")),
            PersonalField("statement", "user.content.private", label=_("What you told us")),
            PersonalField("contests_outcome", "user.content.private", label=_("You contested the outcome")),
            PersonalField("status", "user.content.private", label=_("Status")),
            PersonalField("due_at", "user.content.private", label=_("Answer due by")),
            PersonalField("answer", "user.content.private", label=_("Our answer")),
            PersonalField("answered_at", "user.content.private", label=_("Answered")),
        ),
        purpose=_("To have a person review AI outcomes you contest (GDPR Art. 22(3))."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Three years after the answer."),
        recipients=(_("Our customer-service and privacy teams"),),
        # The texts go; that a review happened (and how fast) stays for our
        # monitoring of the AI systems.
        erasure=Erasure.anonymize(statement="", answer=""),
        ordering=("-created_at",),
    )
)

registry.declare(
    Source(
        model=AIOutputFlag,
        subject_path="user",
        label=_("AI answers you flagged"),
        counted_as=ngettext_lazy("%(count)s flagged answer", "%(count)s flagged answers", "count"),
        description=_("Answers of our AI you marked as wrong or unfair."),
        fields=(
            PersonalField("created_at", "user.content.private", label=_("When")),
            PersonalField("ai_system", "user.content.private", label=_("AI system")),
            PersonalField("reason", "user.content.private", label=_("Why")),
            PersonalField("comment", "user.content.private", label=_("Your comment")),
        ),
        purpose=_("To find and fix wrong or unfair AI answers."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        retention=_("Two years."),
        recipients=(_("Our AI governance team"),),
        erasure=Erasure.anonymize(comment=""),
        ordering=("-created_at",),
    )
)

registry.declare(
    Source(
        model=PreferenceBreach,
        subject_path="user",
        label=_("Times our systems used AI against your choice"),
        counted_as=ngettext_lazy("%(count)s time", "%(count)s times", "count"),
        description=_(
            "When one of our systems reported AI use you had switched off. Our privacy team follows each up."
        ),
        fields=(
            PersonalField("detected_at", "user.privacy_preferences", label=_("When")),
            PersonalField("purpose", "user.privacy_preferences", label=_("Use of AI")),
            PersonalField("reason", "user.privacy_preferences", label=_("Not allowed because")),
        ),
        purpose=_("Accountability: to find and stop AI use you did not allow."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Three years."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(
            _("We must be able to show regulators how we handled AI use against customers' choices (GDPR Art. 5(2)).")
        ),
        ordering=("-detected_at",),
    )
)

registry.declare(
    Source(
        model=PrivacyRequest,
        subject_path="user",
        label=_("Your privacy requests"),
        counted_as=ngettext_lazy("%(count)s request", "%(count)s requests", "count"),
        description=_("Each export or erasure you asked for, with its deadline and what became of it."),
        fields=(
            PersonalField("submitted_at", "user.privacy_preferences", label=_("Asked")),
            PersonalField("kind", "user.privacy_preferences", label=_("Request")),
            PersonalField("status", "user.privacy_preferences", label=_("Status")),
            PersonalField("due_at", "user.privacy_preferences", label=_("Due by")),
            PersonalField("finished_at", "user.privacy_preferences", label=_("Finished")),
            PersonalField("denial_reason", "user.privacy_preferences", label=_("Reason given if refused")),
        ),
        purpose=_("To carry out your requests and show we did so on time."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Three years after the request is finished."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(
            _(
                "We must be able to show that we handled your requests, and when (GDPR Art. 5(2) and 12); "
                "the record keeps only a pseudonymous reference, not your name or address."
            )
        ),
        ordering=("-submitted_at",),
        # Blanked as soon as the erasure receipt is queued.
        secret_fields=("receipt_email",),
    )
)


def _delete_archive_files(archives: QuerySet[ExportArchive], user: Customer) -> None:
    for archive in archives.select_related("request"):
        export_files_delete(archive.request)


registry.exempt(
    ErasureStep,
    reason="Holds only which kind of data an erasure handled and how many rows: no personal data.",
)

registry.declare(
    Source(
        model=ExportArchive,
        subject_path="request__user",
        label=_("Your data exports"),
        counted_as=ngettext_lazy("%(count)s archive", "%(count)s archives", "count"),
        description=_("The archives we built for you, and when each is deleted."),
        fields=(
            PersonalField("created_at", "user.privacy_preferences", label=_("Built")),
            PersonalField("size", "user.privacy_preferences", label=_("Size in bytes")),
            PersonalField("expires_at", "user.privacy_preferences", label=_("Deleted on")),
        ),
        purpose=_("To let you download a copy of your data."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Seven days after it is built."),
        recipients=(),
        erasure=Erasure.delete(),
        ordering=("-created_at",),
        secret_fields=("storage_name",),
        before_erasure=_delete_archive_files,
    )
)

STAFF_ACCOUNTABILITY = _(
    "We must be able to show which guidelines staff had accepted when they decided (GDPR Art. 5(2))."
)

registry.declare(
    Source(
        model=GuidelinesAcknowledgement,
        subject_path="user",
        label=_("Staff guidelines you acknowledged"),
        counted_as=ngettext_lazy("%(count)s acknowledgement", "%(count)s acknowledgements", "count"),
        description=_("For staff only: which version of the AI ethics and privacy guidelines you accepted, and when."),
        fields=(
            PersonalField("guidelines", "user.account", label=_("Guidelines")),
            PersonalField("acknowledged_at", "user.account", label=_("Acknowledged")),
        ),
        purpose=_("Accountability of staff decisions about customers' data and AI."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Six years."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(STAFF_ACCOUNTABILITY),
        ordering=("-acknowledged_at",),
        staff_only=True,
    )
)

registry.declare(
    Source(
        model=StaffGuidelines,
        subject_path="published_by",
        label=_("Staff guidelines you published"),
        counted_as=ngettext_lazy("%(count)s version", "%(count)s versions", "count"),
        description=_("For staff only: versions of the guidelines you published."),
        fields=(
            PersonalField("version", "user.account", label=_("Version")),
            PersonalField("published_at", "user.account", label=_("Published")),
        ),
        purpose=_("Accountability of staff decisions about customers' data and AI."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Six years."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(STAFF_ACCOUNTABILITY),
        ordering=("-published_at",),
        staff_only=True,
    )
)
