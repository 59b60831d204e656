"""The staff guidelines: each save publishes a new version; acknowledgements listed per version."""

from django.contrib import admin
from django.db.models import Count

from privacy import services
from privacy.models import GuidelinesAcknowledgement, StaffGuidelines


class GuidelinesAcknowledgementInline(admin.TabularInline):
    model = GuidelinesAcknowledgement
    extra = 0
    fields = ("user", "acknowledged_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StaffGuidelines)
class StaffGuidelinesAdmin(admin.ModelAdmin):
    """Each save publishes a new version; everyone must acknowledge it again."""

    list_display = ("version", "published_at", "published_by", "acknowledgement_count")
    fields = ("text",)
    inlines = [GuidelinesAcknowledgementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("published_by").annotate(_acks=Count("acknowledgements"))

    @admin.display(description="acknowledged by")
    def acknowledgement_count(self, obj):
        return obj._acks

    def has_change_permission(self, request, obj=None):
        return False  # a published version is never edited: publish a new one

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = services.guidelines_publish(text=form.cleaned_data["text"], staff_user=request.user)
        obj.__dict__.update(published.__dict__)
