"""What the public status page may show about a decided case: per allegation, the category and the
final outcome in plain words. Nothing else (no officer names, no rationale, no internal notes)."""

from django.utils.translation import get_language

from complaints.models import Allegation

from .models import Disposition
from .outcomes import outcome_sentence


def public_outcomes(*, complaint_id: int) -> list[tuple[str, str, str]]:
    """(category, disposition label, plain sentence) for each allegation with a final disposition."""
    language = get_language()
    allegations = (
        Allegation.objects.filter(complaint_id=complaint_id, finding__final_disposition__gt="")
        .select_related("category", "finding")
        .order_by("id")
    )
    return [
        (
            a.category.localized_name(language) if a.category_id else "",
            str(Disposition(a.finding.final_disposition).label),
            str(outcome_sentence(a.finding.final_disposition)),
        )
        for a in allegations
    ]
