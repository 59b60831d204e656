"""Personal data held by the privacy app itself."""

from privacy.models import OutboundEmail
from privacy.registry import Erasure, LegalBasis, PersonalField, Source, registry

registry.declare(
    Source(
        model=OutboundEmail,
        subject_path="user",
        label="E-mails we sent you",
        description="Which e-mails we sent you and when. Their text is deleted once delivered.",
        fields=(
            PersonalField("subject", "user.account", label="Subject"),
            PersonalField("recipients", "user.contact.email", label="Sent to"),
            PersonalField("status", "user.account", label="Delivery"),
            PersonalField("created_at", "user.account", label="Written"),
            PersonalField("sent_at", "user.account", label="Delivered"),
        ),
        purpose="To send you sign-in codes, security notices and news about your requests, and to retry when delivery fails.",
        legal_basis=LegalBasis.CONTRACT,
        retention="90 days.",
        recipients=("Our e-mail delivery provider",),
        erasure=Erasure.delete(),
        ordering=("-created_at",),
        secret_fields=("body_text", "body_html"),
    )
)
