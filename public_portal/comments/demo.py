"""Demo public comments: two proposed policy recommendations.

- One **open for comment** for two more weeks, with approved comments (some in Spanish) on its
  public page and comments waiting for moderation in the staff's queue (``/staff/comments/``).
- One whose comment period **closed** last week, with its approved and rejected comments: its
  summary for the meeting packet is on the staff's page.

Both are proposed by the demo board chair (``board``); comments are moderated by the demo
publication officer (``publisher``).
"""

from datetime import UTC, date, datetime, time, timedelta

from oversight.demo import DemoContext, register
from oversight.models import Agency
from public_portal.models import PolicyRecommendation

from .models import CommentPeriod, PublicComment

State = PublicComment.State

OPEN = {
    "proposed_days_ago": 12,
    "title": "Explain the reason for a stop in the person's language",
    "text": (
        "At the start of every stop, officers should tell the person why they were stopped, in a language "
        "the person understands, using the telephone interpreter line when needed.\n\n"
        "The department should record in its stop data whether an interpreter was offered."
    ),
    "themes": "stops; language access",
    "related_cases": 7,
    "closes_in": 14,
    "comments": [
        # (days ago, name, language, state, text)
        (
            10,
            "Rosa Martínez",
            "es",
            State.APPROVED,
            "Mi padre no habla inglés y cuando lo pararon no entendió nada de lo que le decían. Esta recomendación "
            "es muy necesaria.",
        ),
        (
            9,
            "",
            "en",
            State.APPROVED,
            "I support this. Officers should also hand out a card with the reason written on it, so people can "
            "read it later.",
        ),
        (8, "James O.", "en", State.APPROVED, "How long does it take to reach the interpreter line at night?"),
        (5, "", "es", State.APPROVED, "Gracias por pedir nuestra opinión. Ojalá el departamento la acepte."),
        (3, "Daniel", "en", State.PENDING, "The interpreter line should be available in Vietnamese and Tagalog too."),
        (1, "", "es", State.PENDING, "¿Esto también aplica a la policía de tránsito?"),
    ],
}
CLOSED = {
    "proposed_days_ago": 60,
    "title": "Publish the use-of-force policy in plain language",
    "text": (
        "The department should publish its use-of-force policy on its website in plain English and Spanish, "
        "with a summary a resident can read in five minutes."
    ),
    "themes": "use of force; transparency",
    "related_cases": 4,
    "opened_days_ago": 50,
    "closed_days_ago": 8,
    "comments": [
        (45, "Ana", "es", State.APPROVED, "Muy buena idea. Que también lo expliquen en las reuniones del barrio."),
        (
            40,
            "",
            "en",
            State.APPROVED,
            "Plain language matters. Most people never read the policy because of the jargon.",
        ),
        (30, "", "en", State.REJECTED, "Buy cheap watches at our online store!"),
        (20, "M. Chen", "en", State.APPROVED, "Please include the rules on chasing people on foot."),
    ],
}
REJECTED_REASON = "Advertising, not about the recommendation."


def _moment(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _number(year: int) -> str:
    prefix = f"PR-{year}-"
    taken = PolicyRecommendation.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    highest = max((int(n.removeprefix(prefix)) for n in taken if n.removeprefix(prefix).isdigit()), default=0)
    return f"{prefix}{highest + 1:02d}"


def _proposal(ctx: DemoContext, spec: dict, chair, department) -> PolicyRecommendation:
    proposed_on = ctx.as_of - timedelta(days=spec["proposed_days_ago"])
    recommendation = PolicyRecommendation.objects.create(
        number=_number(proposed_on.year),
        title=spec["title"],
        text=spec["text"],
        stage=PolicyRecommendation.Stage.PROPOSED,
        proposed_on=proposed_on,
        themes=spec["themes"],
        related_cases=spec["related_cases"],
        department=department,
        created_by=chair,
    )
    PolicyRecommendation.objects.filter(pk=recommendation.pk).update(
        created_at=_moment(proposed_on), updated_at=_moment(proposed_on)
    )
    return recommendation


def _comments(ctx: DemoContext, recommendation: PolicyRecommendation, spec: dict, moderator) -> int:
    name = (moderator.get_full_name() or moderator.get_username()) if moderator else ""
    rows = []
    for n, (days_ago, person, language, state, text) in enumerate(spec["comments"]):
        received = _moment(ctx.as_of - timedelta(days=days_ago), 9 + n % 8)
        moderated = state != State.PENDING
        rows.append(
            PublicComment(
                recommendation=recommendation,
                name=person,
                text=text,
                language=language,
                received_at=received,
                state=state,
                moderated_at=received + timedelta(hours=20) if moderated else None,
                moderated_by=moderator if moderated else None,
                moderated_by_name=name if moderated else "",
                moderation_reason=REJECTED_REASON if state == State.REJECTED else "",
                idempotency_key=f"demo-comment-{recommendation.number}-{n:03d}",
            )
        )
    PublicComment.objects.bulk_create(rows)
    # The public page last changed when a comment was last approved or taken down (as the
    # moderation service records it), in the demo's calendar rather than the machine's.
    moderated = [row.moderated_at for row in rows if row.moderated_at is not None]
    if moderated:
        PolicyRecommendation.objects.filter(pk=recommendation.pk).update(updated_at=max(moderated))
    return len(rows)


@register("public comments")
def seed_public_comments(ctx: DemoContext) -> None:
    if CommentPeriod.objects.exists():
        return
    users = ctx.shared.get("users", {})
    chair, moderator = users.get("board"), users.get("publisher")
    opener = chair or users.get("supervisor")
    opener_name = (opener.get_full_name() or opener.get_username()) if opener else ""
    department = Agency.objects.filter(short_name="MPD").first()

    # The older proposal first, so that the numbers follow the dates.
    closed_one = _proposal(ctx, CLOSED, chair, department)
    CommentPeriod.objects.create(
        recommendation=closed_one,
        opened_on=ctx.as_of - timedelta(days=CLOSED["opened_days_ago"]),
        closes_on=ctx.as_of - timedelta(days=CLOSED["closed_days_ago"]),
        opened_by=opener,
        opened_by_name=opener_name,
    )
    count = _comments(ctx, closed_one, CLOSED, moderator)
    open_one = _proposal(ctx, OPEN, chair, department)
    CommentPeriod.objects.create(
        recommendation=open_one,
        opened_on=open_one.proposed_on,
        closes_on=ctx.as_of + timedelta(days=OPEN["closes_in"]),
        opened_by=opener,
        opened_by_name=opener_name,
    )
    count += _comments(ctx, open_one, OPEN, moderator)

    ctx.count("proposed recommendations", 2)
    ctx.count("public comments", count)
    ctx.log(
        f"  public comments: {open_one.number} is open for comment at /recommendations/{open_one.number}/comment/; "
        f"{closed_one.number}'s comment period has closed"
    )
