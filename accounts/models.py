import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from privacy.languages import language_choices


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A customer of the business, or a member of its staff.

    E-mail is the identifier (there is no username). The profile fields are
    the personal data a business typically keeps about a customer.
    """

    # The customer ID shown to the business's other systems (the ingest and
    # permission APIs): random, so it reveals nothing and can't be guessed.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Stored lower-cased (the manager and allauth both normalise it), so a
    # plain unique index also rules out addresses differing only in case.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField("phone number", max_length=40, blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    preferred_language = models.CharField(max_length=8, choices=language_choices, default="en")
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Whether the user can sign in to the staff admin."
    )
    is_active = models.BooleanField("active", default=True, help_text="Unselect this instead of deleting accounts.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    # What a customer edits on their profile page (and staff in the admin).
    PROFILE_FIELDS = (
        "full_name",
        "phone",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
        "preferred_language",
    )

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        # Admin forms save through here: keep addresses lower-cased, as the
        # manager and allauth do, so the unique index also covers case.
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def postal_address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}".strip(), self.country]
        return ", ".join(part for part in parts if part)


class StaffMFAInvitation(models.Model):
    """A privacy officer's permission for one member of staff to set up their second factor.

    A password alone must never be enough to enrol the factor that opens the
    admin: the staff member also needs this invitation's link, e-mailed to
    their own address. Only a hash of its token is stored.
    """

    # Where a session that opened a valid link keeps the invitation's ID.
    SESSION_KEY = "staff_mfa_invitation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "two-factor set-up invitation"
        permissions = [("invite_staff_mfa", "Can invite staff to set up two-factor authentication")]

    def __str__(self) -> str:
        return f"Two-factor invitation #{self.pk}"
