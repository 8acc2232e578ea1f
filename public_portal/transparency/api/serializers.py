"""How the API writes each record. Every field is read-only and comes from the publication tables,
the taxonomy, district names, the recommendation tables or the statistics snapshot."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import dispositions as disp
from ..opendata import officer_pseudonym


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable code (see /data/dictionary/).")
    label = serializers.SerializerMethodField(help_text="In the language asked for (Accept-Language).")

    def get_label(self, category: Any) -> str:
        return category.localized_name(get_language())


class DistrictSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AllegationSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The allegation's place in the case's list, from 0.")
    category_class = CategorySerializer(allow_null=True, help_text="The kind of allegation (top-level category).")
    category = CategorySerializer(allow_null=True, help_text="The allegation's category.")
    disposition = serializers.CharField(help_text="The board's finding (a disposition code).")
    disposition_label = serializers.SerializerMethodField()
    officer_label = serializers.SerializerMethodField(
        help_text="The officer's name where the law allows it to be published, else Officer A, Officer B..."
    )
    officer_disclosed = serializers.BooleanField()
    officer_name = serializers.SerializerMethodField(help_text="Empty unless the officer's name is public.")
    officer_badge = serializers.SerializerMethodField(help_text="Empty unless the officer's name is public.")
    recommended_discipline = serializers.CharField(help_text="A discipline code, or empty.")
    recommended_discipline_label = serializers.SerializerMethodField()
    department_response = serializers.CharField(help_text="accepted, modified, rejected, or empty while awaited.")
    department_response_label = serializers.SerializerMethodField()
    discipline_imposed = serializers.CharField()

    def get_disposition_label(self, allegation: Any) -> str:
        return disp.disposition_label(allegation.disposition)

    def get_officer_label(self, allegation: Any) -> str:
        if allegation.officer_disclosed and allegation.officer_name:
            return allegation.officer_name
        return officer_pseudonym(allegation.officer_label)

    def get_officer_name(self, allegation: Any) -> str:
        return allegation.officer_name if allegation.officer_disclosed else ""

    def get_officer_badge(self, allegation: Any) -> str:
        return allegation.officer_badge if allegation.officer_disclosed else ""

    def get_recommended_discipline_label(self, allegation: Any) -> str:
        return disp.discipline_label(allegation.recommended_discipline)

    def get_department_response_label(self, allegation: Any) -> str:
        return disp.department_response_label(allegation.department_response)


class AllegationListSerializer(AllegationSerializer):
    """An allegation on its own, with the case it belongs to."""

    public_id = serializers.CharField(source="publication.public_id", help_text="The case's public id.")
    decision_year = serializers.IntegerField(source="publication.decision_year", allow_null=True)
    district = DistrictSerializer(source="publication.district", allow_null=True)


class DispositionSerializer(serializers.Serializer):
    public_id = serializers.CharField(help_text="Random, and unrelated to the complaint's tracking number.")
    version = serializers.IntegerField(help_text="A correction publishes a new version.")
    corrected = serializers.SerializerMethodField(help_text="Whether this version corrects an earlier one.")
    published_at = serializers.DateTimeField(help_text="When this version was published.")
    incident_year = serializers.IntegerField(allow_null=True)
    incident_month = serializers.IntegerField(allow_null=True, help_text="1 to 12; the exact date is never published.")
    district = DistrictSerializer(allow_null=True, help_text="Where the incident happened.")
    received_year = serializers.IntegerField(allow_null=True)
    decision_date = serializers.DateField(allow_null=True)
    decision_year = serializers.IntegerField(allow_null=True)
    board_decision = serializers.CharField(help_text="adopt or modify.")
    board_decision_label = serializers.SerializerMethodField()
    summary = serializers.CharField(help_text="What happened, with names and other identifying details removed.")
    discipline_outcome = serializers.CharField()
    department_response = serializers.CharField()
    allegations = AllegationSerializer(many=True, source="allegations.all")

    def get_corrected(self, publication: Any) -> bool:
        return publication.supersedes_id is not None

    def get_board_decision_label(self, publication: Any) -> str:
        return disp.board_decision_label(publication.board_decision) if publication.board_decision else ""


class RecommendationStatusSerializer(serializers.Serializer):
    recorded_on = serializers.DateField()
    department_response = serializers.CharField(help_text="awaiting, accepted, partly_accepted or rejected.")
    department_response_text = serializers.CharField(source="response_text")
    implementation = serializers.CharField(help_text="not_started, in_progress, implemented or not_implemented.")
    implementation_text = serializers.CharField()
    note = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="PR-<year adopted>-<sequence>.")
    title = serializers.CharField()
    text = serializers.CharField()
    adopted_on = serializers.DateField()
    themes = serializers.CharField()
    related_cases = serializers.IntegerField(help_text="How many cases lay behind it (a number only).")
    department = serializers.CharField(source="department.name", allow_null=True, help_text="Who it was sent to.")
    department_response = serializers.CharField(source="current_response")
    department_response_text = serializers.CharField(source="response_text")
    implementation = serializers.CharField(source="current_implementation")
    implementation_text = serializers.CharField()
    status_as_of = serializers.DateField(allow_null=True, help_text="The date of the latest status, if any.")


class RecommendationDetailSerializer(RecommendationSerializer):
    timeline = RecommendationStatusSerializer(many=True, help_text="Status updates, oldest first.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a request that could not be read: the messages for each parameter.",
    )


# --- Statistics (documentation of the JSON the statistics views write) ------------------------------

# A count as the public may see it: a number, or what is known of a hidden one.
CELL_SCHEMA = {
    "oneOf": [
        {"type": "integer", "minimum": 0},
        {
            "type": "object",
            "description": "A hidden count: from min to max (max null: no upper bound is published).",
            "properties": {
                "suppressed": {"type": "boolean", "enum": [True]},
                "min": {"type": "integer"},
                "max": {"type": "integer", "nullable": True},
            },
            "required": ["suppressed", "min", "max"],
        },
    ]
}


@extend_schema_field(CELL_SCHEMA)
class CellField(serializers.Field):
    pass


@extend_schema_field({**CELL_SCHEMA, "nullable": True})
class OptionalCellField(serializers.Field):
    pass


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(help_text="Formatted for reading; empty when withheld.")
    raw = serializers.FloatField(allow_null=True, help_text="The number, or null when withheld.")
    note = serializers.CharField()


class TableLinkSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField(help_text="This table in the API.")


class StatisticsSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(help_text="When the numbers were computed.")
    period = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The years available, newest first.")
    threshold = serializers.IntegerField(help_text="Counts from 1 to this are hidden.")
    summary = MeasureSerializer(many=True)
    tables = TableLinkSerializer(many=True)


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()


class StatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    cells = serializers.DictField(child=CellField(), help_text="One count for each column, by column key.")
    total = OptionalCellField()


class StatisticsTableSerializer(serializers.Serializer):
    table = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    period = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateTimeField()
    threshold = serializers.IntegerField()
    row_heading = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = StatisticsRowSerializer(many=True)
    column_totals = serializers.DictField(child=CellField(), allow_null=True)
    grand_total = OptionalCellField()
    note = serializers.CharField(help_text="Why the table has no rows, when it is withheld as a whole.")
