from functools import cached_property
from typing import ClassVar

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.base.forms import AuthenticateForm as AllauthMFAAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthMFAReauthenticateForm
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.labels import PROFILE_LABELS
from accounts.models import User
from accounts.ratelimits import too_many_attempts
from accounts.selectors import SecondFactors, second_factors


class SignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth ships no type hints: its form is Any
    """allauth's sign-up form, asking also for the name we address people by."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Optional")}),
    )
    field_order = ["email", "full_name", "password1", "password2"]


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):  # type: ignore[misc]  # allauth ships no type hints: its form is Any
    """The "Send me a sign-in code" form, saying when more codes may be asked for once the limit is reached."""

    def clean_email(self) -> str:
        try:
            email: str = super().clean_email()
        except forms.ValidationError as refusal:
            if refusal.code != "too_many_login_attempts":
                raise
            # allauth counts requests per address (request_login_code in ACCOUNT_RATE_LIMITS).
            email = self.cleaned_data["email"]
            raise too_many_attempts(allauth_context.request, action="request_login_code", key=email.lower()) from None
        return email


class _SecondFactorCodeMixin:
    """A second-factor code form that knows the customer's factors and says when to try again."""

    user: User

    @cached_property
    def factors(self) -> SecondFactors:
        return second_factors(user=self.user)

    @property
    def code_digits(self) -> int:
        return int(mfa_settings.TOTP_DIGITS)

    def clean_code(self) -> str:
        try:
            code: str = super().clean_code()  # type: ignore[misc]  # the allauth form this is mixed into
        except forms.ValidationError as refusal:
            if refusal.code != "too_many_login_attempts":
                raise
            # allauth counts wrong codes per customer under this key (mfa.base.internal.flows.check_rate_limit).
            key = f"mfa-auth-user-{self.user.pk}"
            raise too_many_attempts(allauth_context.request, action="login_failed", key=key) from None
        return code


class MFAAuthenticateForm(_SecondFactorCodeMixin, AllauthMFAAuthenticateForm):  # type: ignore[misc]  # allauth's form is Any
    """The code asked for at sign-in (MFA_FORMS["authenticate"])."""


class MFAReauthenticateForm(_SecondFactorCodeMixin, AllauthMFAReauthenticateForm):  # type: ignore[misc]  # allauth's form is Any
    """The code asked for before a sensitive change (MFA_FORMS["reauthenticate"])."""


class LanguageForm(forms.Form):
    """The language switcher at the foot of every page."""

    language = forms.ChoiceField(choices=lambda: settings.LANGUAGES)
    # Where to go back to; checked by the view, which ignores it unless it is on this site.
    next = forms.CharField(required=False)


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = User.PROFILE_FIELDS
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
        }
        # In the customer's language (the model's verbose names are the staff admin's English).
        labels = PROFILE_LABELS

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        allowed = set("+0123456789 ()-./")
        if phone and (not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 5):
            raise forms.ValidationError(_("Enter a phone number using digits, spaces and + ( ) - . / only."))
        return phone


class StaffUserCreationForm(AdminUserCreationForm[User]):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes: ClassVar[dict[str, type[forms.Field]]] = {}


class StaffUserChangeForm(UserChangeForm[User]):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes: ClassVar[dict[str, type[forms.Field]]] = {}


class StaffPasswordChangeForm(AdminPasswordChangeForm[User]):
    """Django's form for staff setting someone's password, saved through the audited service."""

    # Who sends it: UserAdmin.user_change_password sets it for each request.
    actor_id: ClassVar[int | None] = None

    def save(self, commit: bool = True) -> User:
        if self.actor_id is None:
            raise RuntimeError("StaffPasswordChangeForm needs the acting staff member (UserAdmin sets actor_id)")
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        return services.user_password_set(user=self.user, password=password, actor_id=self.actor_id)
