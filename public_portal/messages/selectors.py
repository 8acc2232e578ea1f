"""Every read of messages a page makes.

Staff reads go through ``case_for_messages``: the thread is part of the case work, so only someone
who may work the case (its assigned investigators and supervisors, as ``can_work`` says) reads or
writes it. Anyone else gets 404, also a board member or an intake coordinator who may see the case:
for them the thread does not exist.

Public reads take a complaint the caller already opened with its tracking number and status code
(``complaints.selectors.complaint_status_for_public``); they do no scoping of their own.
"""

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from complaints.models import Complaint
from complaints.stages import PublicStage, public_stage
from investigations.selectors import can_work, case_get_for_user
from oversight import audit, hooks, permissions

from .models import Message, MessageAttachment

PAGE_SIZE = 50


def may_message(user: Any, complaint: Complaint) -> bool:
    """Whether ``user`` may read and write the case's messages: whoever may work the case."""
    return can_work(user, complaint)


def case_for_messages(*, user: Any, tracking_number: str) -> Complaint:
    """The case, or ``Http404`` when ``user`` may not see it or may see it but not work it (the
    refusal is audited like any other denied case access)."""
    complaint = case_get_for_user(user=user, tracking_number=tracking_number)
    if not may_message(user, complaint):
        audit.record(
            "complaint.access_denied", target=complaint, outcome=audit.Outcome.DENIED, data={"perm": "messages"}
        )
        raise Http404("No complaint found")
    return complaint


def messaging_open(complaint: Complaint) -> bool:
    """Whether new messages may be written on this case, by either side: not once the complaint is
    closed (the complainant is told the outcome instead), and never on a case whose records were
    destroyed (``case.frozen``)."""
    if public_stage(complaint.status) == PublicStage.CLOSED:
        return False
    return not hooks.run("case.frozen", complaint)


def _thread(complaint_id: int) -> QuerySet[Message]:
    files = MessageAttachment.objects.order_by("id")
    return (
        Message.objects.filter(complaint_id=complaint_id)
        .select_related("author", "read_by")
        .prefetch_related(Prefetch("attachments", queryset=files))
        .order_by("created_at", "id")
    )


def case_messages(*, complaint: Complaint) -> QuerySet[Message]:
    """The case's thread, oldest first, with each message's files: two queries."""
    return _thread(complaint.pk)


def case_unread_replies(*, complaint: Complaint) -> int:
    """How many of the complainant's replies no staff member has read yet."""
    return Message.objects.filter(
        complaint=complaint, direction=Message.Direction.FROM_COMPLAINANT, read_at__isnull=True
    ).count()


def message_file_get_for_case(*, complaint: Complaint, file_id: Any) -> MessageAttachment:
    """One file sent with a message on this case; ``Http404`` if missing or on another case."""
    found = MessageAttachment.objects.filter(pk=file_id, complaint=complaint).first() if file_id else None
    if found is None:
        raise Http404("No such file")
    found.complaint = complaint
    return found


def cases_with_unread_replies(*, user: Any, limit: int = 20) -> list[tuple[str, int]]:
    """The cases ``user`` may work that hold replies nobody has read, as (tracking number, unread
    replies), the longest-waiting first: the dashboard's "Answers waiting" panel."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    complaints = Complaint.objects.all()
    if not (user.has_perm("complaints.view_all_complaints") and user.has_perm("complaints.change_complaint")):
        complaints = permissions.visible_for(user, "complaints.change_complaint", complaints)
    rows = (
        Message.objects.filter(
            direction=Message.Direction.FROM_COMPLAINANT,
            read_at__isnull=True,
            complaint__in=complaints.values("pk"),
        )
        .values("complaint__tracking_number")
        .annotate(unread=Count("id"))
        .order_by("complaint__received_at", "complaint__tracking_number")[:limit]
    )
    return [(row["complaint__tracking_number"], row["unread"]) for row in rows]


# --- The complainant's side ----------------------------------------------------------------------


def complaint_for_status_page(*, complaint_id: int) -> Complaint:
    """The complaint a status page was opened for: only what deciding about messages needs."""
    return Complaint.objects.only("pk", "tracking_number", "status", "anonymity", "language").get(pk=complaint_id)


def thread_for_complainant(*, complaint: Complaint) -> tuple[list[Message], bool]:
    """The thread as the complainant reads it on their status page: its newest ``PAGE_SIZE``
    messages, oldest first, and whether older ones were left out. Empty on a case whose records
    were destroyed: what is left of its messages is the retention marker."""
    if hooks.run("case.frozen", complaint):
        return [], False
    newest = list(_thread(complaint.pk).order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    return newest[:PAGE_SIZE][::-1], len(newest) > PAGE_SIZE


def thread_has_question(thread: list[Message]) -> bool:
    """Whether staff have written to the complainant: only then is there something to answer."""
    return any(not message.from_complainant for message in thread)
