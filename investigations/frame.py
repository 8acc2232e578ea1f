"""The frame every case page shares: header facts, tabs and the moves this user may make.

Tabs and move pages of higher parts (board review) come in through the ``case.tabs`` and
``case.action_pages`` hooks, so case work never names them.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from oversight import hooks

from .deadlines import deadline_for
from .selectors import can_work, case_investigation, complaint_available_transitions
from .workflow import COMPLAINT_LIFECYCLE

TABS = [
    ("overview", gettext_lazy("Overview"), "cases:overview"),
    ("timeline", gettext_lazy("Timeline"), "cases:timeline"),
    ("notes", gettext_lazy("Notes"), "cases:notes"),
    ("interviews", gettext_lazy("Interviews"), "cases:interviews"),
    ("evidence", gettext_lazy("Evidence"), "cases:evidence"),
    ("subpoenas", gettext_lazy("Subpoenas"), "cases:subpoenas"),
    ("findings", gettext_lazy("Findings"), "cases:findings"),
    ("deadline", gettext_lazy("Deadline"), "cases:deadline"),
]
LAST_TABS = [("history", gettext_lazy("History"), "cases:history")]


def case_tabs(complaint: Complaint, user: Any) -> list[tuple[str, Any, str]]:
    number = complaint.tracking_number
    tabs = [(key, label, reverse(url, args=[number])) for key, label, url in TABS]
    for extra in hooks.run("case.tabs", complaint, user):
        tabs.extend(extra)
    return tabs + [(key, label, reverse(url, args=[number])) for key, label, url in LAST_TABS]


def move_pages(complaint: Complaint, user: Any) -> dict[str, str]:
    """For each move that has an owning service, the page where it is made."""
    pages: dict[str, str] = {}
    for move in COMPLAINT_LIFECYCLE.moves:
        url_name = COMPLAINT_LIFECYCLE.owner_page(move)
        if url_name:
            pages[move.action] = reverse(url_name, args=[complaint.tracking_number])
    for extra in hooks.run("case.action_pages", complaint, user):
        pages.update(extra)
    return pages


def case_context(request: HttpRequest, complaint: Complaint, tab: str) -> dict[str, Any]:
    """What every case page's frame needs: header facts, tabs and the actions this user may take."""
    investigation = case_investigation(complaint)
    pages = move_pages(complaint, request.user)
    actions = [
        {"transition": move, "url": pages.get(move.action)}
        for move in complaint_available_transitions(complaint, request.user)
    ]
    if complaint.status == Complaint.Status.IN_TRIAGE and request.user.has_perm("complaints.triage_complaint"):
        actions.append({"transition": None, "url": reverse("cases:duplicate", args=[complaint.tracking_number])})
    return {
        "complaint": complaint,
        "investigation": investigation,
        "deadline": deadline_for(investigation) if investigation is not None else None,
        "tabs": case_tabs(complaint, request.user),
        "header_links": [link for links in hooks.run("case.header_links", complaint, request.user) for link in links],
        "tab": tab,
        "actions": actions,
        "may_work": can_work(request.user, complaint),
        "expected_status": complaint.status,
    }


def render_case(
    request: HttpRequest, complaint: Complaint, tab: str, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(request, template, {**case_context(request, complaint, tab), **extra}, status=status)
