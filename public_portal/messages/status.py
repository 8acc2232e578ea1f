"""The complainant's status page and what it remembers between requests.

The page is reached by posting the tracking number and status code (``public_portal.views.
status_lookup``), never by a link that holds them. So that an answer can be sent, and its
confirmation shown, without putting the code in a URL or asking for it again on every click, a
right lookup opens the page in the visitor's browser session: the session (kept on the server,
behind an HttpOnly cookie) holds the tracking number and the code, and forgets them after
``OPEN_MINUTES`` without a request, when the visitor closes the page, or at the next lookup. Each
request checks the code again, so a code that no longer opens the complaint closes the page.
"""

import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from complaints import selectors as complaint_selectors
from complaints.selectors import PublicStatus
from complaints.stages import STAGE_EXPLANATIONS, PublicStage
from oversight.forms import add_usa_classes

from . import selectors, services
from .forms import ReplyForm

SESSION_KEY = "status_page"
OPEN_MINUTES = 30


@dataclass(frozen=True)
class Opened:
    tracking_number: str
    code: str


def status_open(request: HttpRequest, *, tracking_number: str, code: str) -> None:
    """Remember, in this browser session only, the complaint just opened with its number and code.
    The session gets a new key first, so a session id planted in the browser beforehand opens
    nothing."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"number": tracking_number, "code": code, "seen": int(time.time())}


def status_forget(request: HttpRequest) -> None:
    if SESSION_KEY in request.session:
        del request.session[SESSION_KEY]


def status_opened(request: HttpRequest) -> Opened | None:
    """The complaint this session opened, unless it has been idle ``OPEN_MINUTES`` (then forgotten);
    each use counts as activity."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    number, code, seen = held.get("number"), held.get("code"), held.get("seen")
    if not (isinstance(number, str) and isinstance(code, str) and isinstance(seen, int)):
        status_forget(request)
        return None
    now = int(time.time())
    if now - seen > OPEN_MINUTES * 60:
        status_forget(request)
        return None
    request.session[SESSION_KEY] = {**held, "seen": now}
    return Opened(number, code)


def status_reopen(request: HttpRequest) -> PublicStatus | None:
    """The status of the complaint this session opened, its code checked again; None (and the page
    closed) when there is none or the code no longer opens it."""
    opened = status_opened(request)
    if opened is None:
        return None
    status = complaint_selectors.complaint_status_for_public(tracking_number=opened.tracking_number, code=opened.code)
    if status is None:
        status_forget(request)
    return status


def _outcomes(status: PublicStatus) -> list:
    if status.stage not in (PublicStage.DECIDED, PublicStage.CLOSED):
        return []
    from investigations.public import public_outcomes

    return public_outcomes(complaint_id=status.complaint_id)


def status_page(
    request: HttpRequest,
    status: PublicStatus,
    *,
    reply_form: ReplyForm | None = None,
    extra_errors: list[str] | None = None,
    http_status: int = 200,
) -> HttpResponse:
    """The status result: the stage, the outcome once decided, the dates, and the messages with the
    staff (new ones marked, then marked read) and the form to answer them while the complaint is
    open. The page says only what the resident may know: no internal note, no staff name."""
    complaint = selectors.complaint_for_status_page(complaint_id=status.complaint_id)
    thread, older = selectors.thread_for_complainant(complaint=complaint)
    new = [message.pk for message in thread if not message.from_complainant and message.read_at is None]
    may_answer = selectors.thread_has_question(thread) and selectors.messaging_open(complaint)
    if may_answer:
        reply_form = reply_form or ReplyForm()
        add_usa_classes(reply_form)
    if new:
        services.messages_read_by_complainant(complaint=complaint)
    context: dict[str, Any] = {
        "status": status,
        "explanations": STAGE_EXPLANATIONS,
        "outcomes": _outcomes(status),
        "thread": thread,
        "older_messages": older,
        "new_messages": new,
        "reply_form": reply_form if may_answer else None,
        "forms_with_errors": [reply_form] if may_answer and reply_form.errors else [],
        "extra_errors": extra_errors or [],
        "open_minutes": OPEN_MINUTES,
    }
    return render(request, "public_portal/status_result.html", context, status=http_status)
