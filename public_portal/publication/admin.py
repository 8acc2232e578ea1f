"""The disclosure rules in the admin, for the system administrator: the disclosure policy is data.
Every change is kept in the rule's history and recorded in the audit trail. Publications themselves
are worked only on the staff pages, through the services and the lifecycle."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight import audit

from .models import DisclosureRule


@admin.register(DisclosureRule)
class DisclosureRuleAdmin(SimpleHistoryAdmin):
    list_display = ("category", "disposition", "names_officer", "discloses_discipline")
    list_filter = ("names_officer", "discloses_discipline", "disposition")
    list_select_related = ("category", "category__parent")
    fields = ("category", "disposition", "names_officer", "discloses_discipline", "legal_basis")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "publication.policy_changed",
            target=obj,
            target_label=f"disclosure rule {obj.pk}",
            actor=request.user,
            data={
                "rule": obj.pk,
                "change": "changed" if change else "added",
                "category": obj.category.code,
                "disposition": obj.disposition,
                "names_officer": obj.names_officer,
                "discloses_discipline": obj.discloses_discipline,
            },
        )

    def delete_model(self, request, obj):
        pk, code, disposition = obj.pk, obj.category.code, obj.disposition
        super().delete_model(request, obj)
        audit.record(
            "publication.policy_changed",
            target_label=f"disclosure rule {pk}",
            actor=request.user,
            data={"rule": pk, "change": "deleted", "category": code, "disposition": disposition},
        )

    def delete_queryset(self, request, queryset):
        rules = list(queryset.values_list("pk", "category__code", "disposition"))
        super().delete_queryset(request, queryset)
        for pk, code, disposition in rules:
            audit.record(
                "publication.policy_changed",
                target_label=f"disclosure rule {pk}",
                actor=request.user,
                data={"rule": pk, "change": "deleted", "category": code, "disposition": disposition},
            )
