"""Demo messages: on two open cases of the demo investigator (``investigator``), a conversation
with the complainant.

- An **anonymous** complaint with the investigator's question waiting for an answer: open it on the
  status page (``/status/``) with its tracking number, which ``seed_demo`` prints, and the demo
  status code ``DEMO-CODE-2026``, then answer it.
- A **named** complaint in Spanish (English when the demo has none) where the complainant already
  answered, with the answer not yet read: it shows on the investigator's dashboard and as
  "Messages (1 new)" on the case.

The cases are the first that fit in received order, so the same demo gives the same cases.
"""

from datetime import UTC, datetime, time, timedelta

from django.db.models import QuerySet

from complaints.demo import DEMO_STATUS_CODE
from complaints.models import Complaint, Party
from oversight.demo import DemoContext, register

from .models import Message

S = Complaint.Status
OPEN = [S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED]

QUESTION_ANONYMOUS = (
    "Thank you for your complaint. We are asking the department for the records of that evening. "
    "Do you remember the number on the side of the patrol car, or about what time the officers arrived? "
    "Any detail helps us find the right recordings. You can answer here; you do not have to give your name."
)
QUESTIONS_NAMED = {
    "es": (
        "Gracias por su queja. ¿Alguien grabó lo que pasó, con un teléfono o una cámara de seguridad? "
        "Si es así, ¿nos puede decir quién, o enviarnos el video aquí?",
        "Sí. Mi vecina del segundo piso grabó casi todo desde su ventana. Ella está dispuesta a hablar con "
        "ustedes. La tienda de la esquina también tiene una cámara que da a la calle.",
    ),
    "en": (
        "Thank you for your complaint. Did anyone record what happened, on a phone or a security camera? "
        "If so, can you tell us who, or send us the video here?",
        "Yes. My upstairs neighbor recorded most of it from her window and is willing to talk to you. The "
        "corner store also has a camera that faces the street.",
    ),
}


def _moment(ctx: DemoContext, days_before: int, hour: int) -> datetime:
    return datetime.combine(ctx.as_of - timedelta(days=days_before), time(hour), tzinfo=UTC)


def _cases_of(investigator) -> QuerySet[Complaint]:
    return Complaint.objects.filter(
        status__in=OPEN,
        investigation__assignments__investigator=investigator,
        investigation__assignments__ended_at__isnull=True,
    ).order_by("received_at", "id")


@register("messages with complainants")
def seed_messages(ctx: DemoContext) -> None:
    if Message.objects.exists():
        return
    investigator = ctx.shared.get("users", {}).get("investigator")
    if investigator is None:
        return
    cases = _cases_of(investigator)
    author = investigator.get_full_name() or investigator.get_username()
    anonymous = cases.filter(anonymity=Complaint.Anonymity.ANONYMOUS).first()
    if anonymous is not None:
        Message.objects.create(
            complaint=anonymous,
            direction=Message.Direction.TO_COMPLAINANT,
            body=QUESTION_ANONYMOUS,
            author=investigator,
            author_name=author,
            created_at=_moment(ctx, 2, 15),
        )
        ctx.count("messages", 1)
        ctx.log(
            f"  messages: anonymous complaint {anonymous.tracking_number} has a question waiting; "
            f"open it at /status/ with the code {DEMO_STATUS_CODE}"
        )
    named_cases = cases.exclude(anonymity=Complaint.Anonymity.ANONYMOUS).filter(parties__role=Party.Role.COMPLAINANT)
    named = named_cases.filter(language="es").first() or named_cases.first()
    if named is None:
        return
    question_text, answer_text = QUESTIONS_NAMED.get(named.language, QUESTIONS_NAMED["en"])
    question = Message.objects.create(
        complaint=named,
        direction=Message.Direction.TO_COMPLAINANT,
        body=question_text,
        author=investigator,
        author_name=author,
        created_at=_moment(ctx, 6, 14),
        read_at=_moment(ctx, 5, 19),
    )
    Message.objects.create(
        complaint=named,
        direction=Message.Direction.FROM_COMPLAINANT,
        body=answer_text,
        in_reply_to=question,
        created_at=_moment(ctx, 5, 19),
    )
    ctx.count("messages", 2)
    ctx.log(f"  messages: named complaint {named.tracking_number} has an answer nobody has read yet")
