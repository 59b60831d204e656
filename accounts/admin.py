"""Accounts in the staff admin: customers and staff, their groups, addresses, second factors and sessions.

Every write here goes through a service that records it in the audit trail
(privacy/admin/audited.py), including on Django's and allauth's own admins,
which are registered again below for that.
"""

import copy
from collections.abc import Sequence
from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts import services
from accounts.forms import StaffPasswordChangeForm, StaffUserChangeForm, StaffUserCreationForm
from accounts.models import User
from privacy.admin.audited import AuditedAdmin, audited
from privacy.typing import signed_in


@admin.register(User)
class UserAdmin(AuditedAdmin[User], DjangoUserAdmin[User]):
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    change_password_form = StaffPasswordChangeForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    readonly_fields = ("public_id", "date_joined", "last_login")
    actions = ["invite_to_set_up_mfa"]

    def has_invite_staff_mfa_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.invite_staff_mfa")

    @audited
    @admin.action(
        description="Invite to set up two-factor authentication (staff only)", permissions=["invite_staff_mfa"]
    )
    def invite_to_set_up_mfa(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            if not (user.is_staff and user.is_active):
                messages.error(request, f"{user.email} is not active staff: only staff are invited.")
                continue
            services.staff_mfa_invitation_issue(staff_user=user, issued_by_id=request.user.pk)
            messages.success(request, f"{user.email} was e-mailed an invitation link (valid once, for a limited time).")

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[User],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> User:
        return services.user_save_by_staff(form=form, actor_id=signed_in(request).pk)

    @audited
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's page for setting a password, the password saved through the audited service."""
        staff_id = signed_in(request).pk

        class PasswordForm(StaffPasswordChangeForm):
            actor_id = staff_id

        # Django's view takes its form from the admin: this request's copy of
        # the admin hands it a form that knows who sends it.
        for_this_request = copy.copy(self)
        for_this_request.change_password_form = PasswordForm
        return super(UserAdmin, for_this_request).user_change_password(request, id, form_url)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str] | tuple[str, ...]:
        # Addresses live in allauth's EmailAddress rows (verified or not);
        # editing the copy on the user would sign in with an unverified one.
        if obj is not None:
            return (*self.readonly_fields, "email")
        return self.readonly_fields

    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        ("Profile", {"fields": User.PROFILE_FIELDS}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)


# --- Django's and allauth's admins, each write recorded ------------------------

for _model in (Group, EmailAddress, Authenticator, UserSession):
    admin.site.unregister(_model)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin[Group], GroupAdmin):
    """Groups and their permissions: who may do what is a change the trail must hold."""


@admin.register(EmailAddress)
class AuditedEmailAddressAdmin(AuditedAdmin[EmailAddress], EmailAddressAdmin):  # type: ignore[misc]  # allauth ships no type hints
    @audited
    @admin.action(description="Mark the selected e-mail addresses as verified")
    def make_verified(self, request: HttpRequest, queryset: QuerySet[EmailAddress]) -> None:
        for address in queryset.filter(verified=False):
            if services.email_address_verify(address=address, request=request, actor_id=signed_in(request).pk):
                messages.success(request, f"Marked {address.email} as verified.")
            else:
                messages.error(request, f"{address.email} could not be marked as verified.")


@admin.register(Authenticator)
class AuditedAuthenticatorAdmin(AuditedAdmin[Authenticator], AuthenticatorAdmin):  # type: ignore[misc]  # allauth ships no type hints
    """Second factors are set up by their owner, never typed in here; staff may only remove a lost one."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False

    def delete_audited(self, request: HttpRequest, obj: Authenticator) -> None:
        services.authenticator_delete_by_staff(authenticator=obj, actor_id=signed_in(request).pk)


@admin.register(UserSession)
class AuditedUserSessionAdmin(AuditedAdmin[UserSession], UserSessionAdmin):  # type: ignore[misc]  # allauth ships no type hints
    """Sessions begin by signing in, never here; deleting one signs that browser out."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: UserSession | None = None) -> bool:
        return False

    def delete_audited(self, request: HttpRequest, obj: UserSession) -> None:
        services.user_session_end_by_staff(session=obj, actor_id=signed_in(request).pk)
