"""Personal data held by accounts and the third-party apps behind sign-in."""

import uuid

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.labels import PROFILE_LABELS
from accounts.models import StaffMFAInvitation, User
from privacy.audit_words import AuditDetail, chosen, describe_audit_actions
from privacy.registry import Erasure, LegalBasis, PersonalField, Source, registry
from privacy.roles import PRIVACY_OFFICER, grant_to_role
from privacy.typing import Customer


def _sign_out_sessions(user_sessions: QuerySet[UserSession], user: Customer) -> None:
    # Ends each session in the session store too: deleting the rows alone
    # would leave the browsers signed in.
    for user_session in user_sessions:
        user_session.end()


ACCOUNT_RETENTION = _("For as long as you have an account; removed when you ask us to erase it.")

registry.declare(
    Source(
        model=User,
        subject_path="",
        label=_("Your profile"),
        counted_as=ngettext_lazy("%(count)s profile", "%(count)s profiles", "count"),
        description=_("The details you gave us when you signed up or edited your profile."),
        fields=(
            PersonalField("full_name", "user.name", label=PROFILE_LABELS["full_name"]),
            PersonalField("email", "user.contact.email", label=_("E-mail address")),
            PersonalField("phone", "user.contact.phone_number", label=PROFILE_LABELS["phone"]),
            PersonalField("address_line1", "user.contact.address.street", label=PROFILE_LABELS["address_line1"]),
            PersonalField("address_line2", "user.contact.address.street", label=PROFILE_LABELS["address_line2"]),
            PersonalField("postal_code", "user.contact.address.postal_code", label=PROFILE_LABELS["postal_code"]),
            PersonalField("city", "user.contact.address.city", label=PROFILE_LABELS["city"]),
            PersonalField("country", "user.contact.address.country", label=PROFILE_LABELS["country"]),
            PersonalField(
                "preferred_language", "user.demographic.language", label=PROFILE_LABELS["preferred_language"]
            ),
            PersonalField("public_id", "user.unique_id", label=_("Customer ID")),
            PersonalField("date_joined", "user.account", label=_("Customer since")),
            PersonalField("last_login", "user.account", label=_("Last sign-in")),
        ),
        purpose=_("To run your account, contact you and serve you in your language."),
        legal_basis=LegalBasis.CONTRACT,
        retention=ACCOUNT_RETENTION,
        recipients=(_("Our customer-service and privacy teams"),),
        # The row stays (requests and audit entries point at it) but nothing
        # in it identifies you any more, and it can never sign in again.
        erasure=Erasure.anonymize(
            email=Concat(Value("erased-"), Cast("pk", CharField()), Value("@erased.invalid")),
            full_name="",
            phone="",
            address_line1="",
            address_line2="",
            postal_code="",
            city="",
            country="",
            password="!erased",  # noqa: S106 - "!" starts an unusable hash: the account can never sign in
            is_active=False,
            # A new random public ID: downstream systems told of the erasure
            # know the old one; nothing links the anonymised row to it.
            public_id=uuid.uuid4,
        ),
        secret_fields=("password",),
    )
)

registry.declare(
    Source(
        model=EmailAddress,
        subject_path="user",
        label=_("Your e-mail addresses"),
        counted_as=ngettext_lazy("%(count)s e-mail address", "%(count)s e-mail addresses", "count"),
        description=_("The addresses you can sign in with, and whether you confirmed them."),
        fields=(
            PersonalField("email", "user.contact.email", label=_("E-mail address")),
            PersonalField("verified", "user.account", label=_("Confirmed")),
            PersonalField("primary", "user.account", label=_("Main address")),
        ),
        purpose=_("To sign you in, send you codes and notices, and confirm it is really you."),
        legal_basis=LegalBasis.CONTRACT,
        retention=ACCOUNT_RETENTION,
        recipients=(_("Our e-mail delivery provider"),),
        erasure=Erasure.delete(),
    )
)

registry.declare(
    Source(
        model=EmailConfirmation,
        subject_path="email_address__user",
        label=_("E-mail confirmations sent"),
        counted_as=ngettext_lazy("%(count)s confirmation", "%(count)s confirmations", "count"),
        description=_("When we sent a link to confirm an address."),
        fields=(
            PersonalField("created", "user.account", label=_("Created")),
            PersonalField("sent", "user.account", label=_("Sent")),
        ),
        purpose=_("To confirm that you own the address."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("Until the address is confirmed or removed."),
        recipients=(),
        erasure=Erasure.delete(),
        secret_fields=("key",),
    )
)

registry.declare(
    Source(
        model=Authenticator,
        subject_path="user",
        label=_("Your two-factor authentication"),
        counted_as=ngettext_lazy("%(count)s second factor", "%(count)s second factors", "count"),
        description=_("Which second factors you set up, and when you last used them. Their secrets are never shown."),
        fields=(
            PersonalField("type", "user.authorization", label=_("Kind")),
            PersonalField("created_at", "user.authorization", label=_("Set up")),
            PersonalField("last_used_at", "user.authorization", label=_("Last used")),
        ),
        purpose=_("To protect your account with a second factor."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("Until you remove the factor or your account."),
        recipients=(),
        erasure=Erasure.delete(),
        secret_fields=("data",),
    )
)

registry.declare(
    Source(
        model=UserSession,
        subject_path="user",
        label=_("Where you are signed in"),
        counted_as=ngettext_lazy("%(count)s browser or device", "%(count)s browsers or devices", "count"),
        description=_("Each browser or device signed in to your account."),
        fields=(
            PersonalField("ip", "user.device.ip_address", label=_("IP address")),
            PersonalField("user_agent", "user.device", label=_("Browser")),
            PersonalField("created_at", "user.device", label=_("Signed in")),
            PersonalField("last_seen_at", "user.device", label=_("Last active")),
        ),
        purpose=_("To show you where you are signed in and let you sign other devices out."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        retention=_("Until you sign out or the session expires (14 days of inactivity)."),
        recipients=(),
        erasure=Erasure.delete(),
        ordering=("-last_seen_at",),
        secret_fields=("session_key",),
        before_erasure=_sign_out_sessions,
    )
)

registry.declare(
    Source(
        model=LogEntry,
        subject_path="user",
        label=_("Changes you made in the staff admin"),
        counted_as=ngettext_lazy("%(count)s change", "%(count)s changes", "count"),
        description=_("For staff only: when you added, changed or deleted a record in the admin."),
        # Not object_repr or change_message: they describe other people's records.
        fields=(
            PersonalField("action_time", "user.account", label=_("When")),
            PersonalField("action_flag", "user.account", label=_("Action")),
            PersonalField("content_type", "user.account", label=_("Kind of record")),
            PersonalField("object_id", "user.account", label=_("Record ID")),
        ),
        purpose=_("Accountability for changes staff make to customers' records."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Six years after the change."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(
            _("We must be able to show who changed a customer's records and when (GDPR Art. 5(2), accountability).")
        ),
        ordering=("-action_time",),
        staff_only=True,
    )
)

registry.declare(
    Source(
        model=StaffMFAInvitation,
        subject_path="user",
        label=_("Invitations to set up two-factor authentication"),
        counted_as=ngettext_lazy("%(count)s invitation", "%(count)s invitations", "count"),
        description=_(
            "For staff only: when a privacy officer invited you to set up your second factor, and when you did."
        ),
        fields=(
            PersonalField("created_at", "user.authorization", label=_("Invited")),
            PersonalField("expires_at", "user.authorization", label=_("Valid until")),
            PersonalField("accepted_at", "user.authorization", label=_("Link opened")),
            PersonalField("used_at", "user.authorization", label=_("Factor set up")),
        ),
        purpose=_("So that a password alone never gives anyone the staff admin."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        retention=_("Until the account is removed."),
        recipients=(_("Our privacy team"),),
        erasure=Erasure.delete(),
        secret_fields=("token_hash",),
        staff_only=True,
    )
)

# Support agents never browse customers' accounts (privacy/roles.py says why).
grant_to_role(PRIVACY_OFFICER, app_label="accounts", codenames=["view_user", "invite_staff_mfa"])

# The staff sign-in and two-factor events this app records, in words for the audit trail's readers.
describe_audit_actions(
    "staff",
    actions={
        "signed_in": "Staff member signed in",
        "mfa_invited": "Invited to set up two-factor authentication",
        "mfa_invitation_opened": "Two-factor invitation opened",
        "mfa_added": "Second factor added",
        "mfa_removed": "Second factor removed",
        "mfa_recovery_codes_reset": "New recovery codes generated",
    },
    details={
        "user": AuditDetail("Staff member", person=True),
        "invitation": AuditDetail("Invitation", show=lambda pk: f"#{pk}" if pk else "none"),
        "kind": AuditDetail(
            "Factor",
            show=chosen({"totp": "authenticator app", "webauthn": "security key", "recovery_codes": "recovery codes"}),
        ),
    },
)
