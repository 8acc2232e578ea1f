"""Demo policy recommendations: four the board adopted over the demo's last year, recorded by the
demo chair, with one to three status updates each and every kind of response among them.

The dates count back from the demo's "today", so the same ``--as-of`` gives the same data.
"""

from datetime import UTC, date, datetime, time, timedelta

from oversight.demo import DemoContext, register
from oversight.models import Agency

from .models import PolicyRecommendation, RecommendationStatusUpdate

R = RecommendationStatusUpdate.Response
I = RecommendationStatusUpdate.Implementation  # noqa: E741

# (days before today adopted, title, text, themes, related cases, [(days after adoption, response,
# implementation, public note)])
RECOMMENDATIONS = [
    (
        330,
        "Turn on body-worn cameras before arriving at a call",
        "Officers should start recording on their body-worn cameras when they are sent to a call, not "
        "when they arrive. In several cases the first minutes of the encounter were not recorded.",
        "body-worn cameras; evidence",
        7,
        [
            (
                45,
                R.ACCEPTED,
                I.IN_PROGRESS,
                "The department accepted the recommendation and is changing its camera policy.",
            ),
            (150, R.ACCEPTED, I.IMPLEMENTED, "The new camera policy took effect and officers have been trained on it."),
        ],
    ),
    (
        240,
        "Report every use of a takedown as a use of force",
        "Every takedown should be reported and reviewed by a supervisor as a use of force, whatever "
        "the injury. Takedowns without injury are not reported today.",
        "use of force; supervision",
        5,
        [
            (30, R.AWAITING, I.NOT_STARTED, "The department said it would answer after its legal review."),
            (90, R.PARTLY_ACCEPTED, I.IN_PROGRESS, "The department will report takedowns but not review each one."),
            (200, R.PARTLY_ACCEPTED, I.IMPLEMENTED, "Takedowns are now reported as uses of force."),
        ],
    ),
    (
        120,
        "Give a written reason for every traffic stop",
        "Officers should give the driver a card with the reason for the stop and how to file a "
        "complaint, in English or Spanish.",
        "traffic stops; courtesy; language access",
        4,
        [(60, R.REJECTED, I.NOT_IMPLEMENTED, "The department said the citation or warning already gives the reason.")],
    ),
    (
        40,
        "Offer an interpreter at the scene",
        "When a resident does not speak English well, officers should call the telephone interpreter "
        "line before questioning them.",
        "language access",
        3,
        [
            (
                20,
                R.AWAITING,
                I.NOT_STARTED,
                "The recommendation was sent to the department. Its answer is due in 60 days.",
            )
        ],
    ),
]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


@register("policy recommendations")
def seed_recommendations(ctx: DemoContext) -> None:
    if PolicyRecommendation.objects.exists():
        return
    chair = ctx.shared.get("users", {}).get("board")
    department = Agency.objects.filter(short_name="MPD").first()
    numbers: dict[int, int] = {}
    for days_before, title, text, themes, related, updates in RECOMMENDATIONS:
        adopted_on = ctx.as_of - timedelta(days=days_before)
        numbers[adopted_on.year] = numbers.get(adopted_on.year, 0) + 1
        recommendation = PolicyRecommendation.objects.create(
            number=f"PR-{adopted_on.year}-{numbers[adopted_on.year]:02d}",
            title=title,
            text=text,
            adopted_on=adopted_on,
            themes=themes,
            related_cases=related,
            department=department,
            created_by=chair,
        )
        last = adopted_on
        for days_after, response, implementation, note in updates:
            recorded_on = min(adopted_on + timedelta(days=days_after), ctx.as_of)
            update = RecommendationStatusUpdate.objects.create(
                recommendation=recommendation,
                recorded_on=recorded_on,
                department_response=response,
                implementation=implementation,
                note=note,
                recorded_by=chair,
            )
            RecommendationStatusUpdate.objects.filter(pk=update.pk).update(created_at=_moment(recorded_on))
            last = max(last, recorded_on)
        # When the public page last changed, in the demo's calendar rather than the machine's.
        PolicyRecommendation.objects.filter(pk=recommendation.pk).update(
            created_at=_moment(adopted_on), updated_at=_moment(last)
        )
    ctx.count("policy recommendations", len(RECOMMENDATIONS))
