from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.forms import StaffUserChangeForm, StaffUserCreationForm
from accounts.models import User
from privacy.permission_cache import invalidate_customer


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    readonly_fields = ("public_id", "date_joined", "last_login")
    actions = ["invite_to_set_up_mfa"]

    def has_invite_staff_mfa_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.invite_staff_mfa")

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

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            # A deactivated customer is unknown to the permission API at once.
            invalidate_customer(obj.public_id)

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
