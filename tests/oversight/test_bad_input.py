"""Bad input never gives a server error.

The routes of the URLconf are listed here by hand, each as a form (with the fields it reads, the
values that would pass, and the person who may use it) or as a page without a form. A
property-based test then posts arbitrary text, NUL bytes, control characters, invalid UTF-8 (raw
bodies, raw query strings, file names, cookies), huge values, numbers that are not numbers and
unknown buttons to every form, as the role that may use it. It asserts that no response is a
server error, that no exception escaped a view (recorded from ``got_request_exception``, with a
client that does not re-raise, so every example is judged by its response), and that a 400 is
never bare. A route the resolver has that neither list names gets generic garbage as a
supervisor. The examples come from a fixed seed (``derandomize``), so a failure reproduces. Run it
on SQLite and on PostgreSQL, which refuses NUL in text and jsonb.
"""

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from complaints.models import Complaint
from investigations.board.models import BoardMeeting, DepartmentResponse, Vote
from investigations.models import EvidenceItem, Finding, Investigation, InvestigatorAssignment, TollingPeriod
from investigations.services.subpoenas import subpoena_draft
from oversight import permissions
from oversight.input_guard import parse_indexed, parse_int
from public_portal.models import PolicyRecommendation

from ..factories import AllegationFactory, ComplaintFactory, PartyFactory, SubjectOfficerFactory
from ..public_portal.intake_flow import about, incident, officers, witnesses

pytestmark = pytest.mark.django_db

BAD_REQUEST_TEXT = "We couldn't process that request"
BAD_REQUEST_TEXT_ES = "No pudimos procesar esa solicitud"
BARE_400 = "<h1>Bad Request (400)</h1>"
HUGE = "Ω" * 30_001

# --- The routes --------------------------------------------------------------------------------------


@dataclass
class World:
    """The cases and people the forms are posted about (see ``world``)."""

    users: dict[str, Any]
    intake: Complaint  # received, not yet claimed
    triage: Complaint  # claimed, in triage
    case: Complaint  # under investigation, with everything case work has
    board: Complaint  # in board review
    ids: dict[str, int]


@dataclass
class Form:
    """A form's route: who posts it, what ``reverse`` needs, and the values that would pass."""

    name: str
    persona: str
    args: Callable[[World], list[Any]]
    fields: Callable[[World], dict[str, Any]]
    method: str = "POST"
    draft: str = ""  # "public" or "staff": the intake form, which needs a draft started first


def _case(w: World) -> list[Any]:
    return [w.case.tracking_number]


def _today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _publication(drafted: bool = True) -> str:
    """The tracking number of a decided case (made once per test): with a draft publication by a
    second publication officer (version 1), or, ``drafted=False``, one ready to draft."""
    from public_portal.publication.models import Publication
    from public_portal.publication.services import publication_draft

    from ..factories import UserFactory
    from ..public_portal.publication.cases import decided_case

    mark = "drafted" if drafted else "ready"
    found = Complaint.objects.filter(location_text=f"publication fuzz {mark}").first()
    if found is not None:
        return found.tracking_number
    case = decided_case(location_text=f"publication fuzz {mark}")
    if drafted and not Publication.objects.filter(complaint=case).exists():
        other = UserFactory(username="dana_publisher", roles=["publisher"])
        publication_draft(complaint=case, actor=other)
    return case.tracking_number


def _recommendation() -> str:
    """The number of a policy recommendation adopted a week ago (recorded once per test)."""
    recommendation, _created = PolicyRecommendation.objects.get_or_create(
        number="PR-2026-01",
        defaults={
            "title": "Interpreters at the scene",
            "text": "Call the interpreter line first.",
            "adopted_on": timezone.localdate() - timedelta(days=7),
        },
    )
    return recommendation.number


def _report() -> int:
    """The id of a draft public report of last year (recorded once per test)."""
    from public_portal.transparency.reports.models import PublicReport

    year = timezone.localdate().year - 1
    report, _created = PublicReport.objects.get_or_create(
        slug=f"{year}-annual",
        status=PublicReport.Status.DRAFT,
        defaults={
            "kind": "annual",
            "year": year,
            "period_start": date(year, 1, 1),
            "period_end": date(year, 12, 31),
            "title": f"Annual report {year}",
        },
    )
    return report.pk


def _statistics(*args: str) -> list[str]:
    """``args`` for a dashboard route, with the public statistics computed (once per test)."""
    from public_portal.transparency.models import StatisticsSnapshot
    from public_portal.transparency.statistics import refresh_snapshot

    if not StatisticsSnapshot.objects.exists():
        refresh_snapshot()
    return list(args)


STEP_FIELDS = {
    "incident": {**incident(), "action": "next"},
    "officers": {**officers(), "action": "add"},
    "kinds": {"kinds": ["force", "property"], "action": "next"},
    "witnesses": {**witnesses({"first_name": "Ana", "description": "Saw it from the bus stop"}), "action": "remove-0"},
    "evidence": {"action": "remove-file-1"},
    "about": {**about(confidential="on"), "action": "next"},
    "consent": {"agree": "on", "action": "next"},
    "review": {"form_token": "0" * 32, "website": "", "action": "submit"},
}


def _intake_forms(namespace: str, persona: str, draft: str) -> list[Form]:
    forms = [Form(f"{namespace}:intake_start", persona, lambda w: [], lambda w: {"action": "start"})]
    steps = dict(STEP_FIELDS)
    if draft == "staff":
        steps["incident"] = {**steps["incident"], "channel": "phone", "received_date": _today(-1)}
    for step, fields in steps.items():
        forms.append(
            Form(
                f"{namespace}:intake_step",
                persona,
                lambda w, step=step: [step],
                lambda w, fields=fields: dict(fields),
                draft=draft,
            )
        )
    return forms


FORMS: list[Form] = [
    # The public portal.
    *_intake_forms("public_portal", "resident", "public"),
    Form(
        "public_portal:status_lookup",
        "resident",
        lambda w: [],
        lambda w: {"tracking_number": "CPC-2026-00042", "code": "ABCD-EFGH"},
    ),
    Form("public_portal:status_reply", "resident", lambda w: [], lambda w: {"body": "x", "form_token": "a" * 32}),
    Form("public_portal:status_close", "resident", lambda w: [], lambda w: {}),
    Form(
        "staff:case_messages:case",
        "assigned_investigator",
        _case,
        lambda w: {"body": "When can we call?", "form_token": "a" * 32},
    ),
    # Signing in and out.
    Form(
        "staff:login",
        "resident",
        lambda w: [],
        lambda w: {"username": "ivy_intake", "password": "wrong", "next": "/staff/"},
    ),
    Form("staff:logout", "intake_coordinator", lambda w: [], lambda w: {"next": "/"}),
    # The second factor, password reset and change (oversight.authn).
    Form("staff:second_factor", "intake_coordinator", lambda w: [], lambda w: {}),
    Form("staff:second_factor_verify", "intake_coordinator", lambda w: [], lambda w: {"code": "123456", "next": "/"}),
    Form("staff:second_factor_enrol", "intake_coordinator", lambda w: [], lambda w: {"code": "123456", "next": "/"}),
    Form(
        "staff:password_change",
        "intake_coordinator",
        lambda w: [],
        lambda w: {"old_password": "wrong", "new_password1": "lantern orchard", "new_password2": "lantern orchard"},
    ),
    Form("staff:password_reset", "resident", lambda w: [], lambda w: {"email": "ivy_intake@oversight.example"}),
    Form(
        "staff:password_reset_confirm",
        "resident",
        lambda w: ["MQ", "set-password"],
        lambda w: {"new_password1": "lantern orchard", "new_password2": "lantern orchard"},
    ),
    # Staff entry of a complaint taken by phone.
    *_intake_forms("staff_intake", "intake_coordinator", "staff"),
    # Triage.
    Form(
        "cases:move",
        "intake_coordinator",
        lambda w: [w.intake.tracking_number],
        lambda w: {"expected_status": "received", "to_status": "in_triage", "reason": "", "confirmed": "yes"},
    ),
    Form(
        "cases:accept",
        "intake_coordinator",
        lambda w: [w.triage.tracking_number],
        lambda w: {"expected_status": "in_triage", "priority": "normal", "discovery_date": _today(-3)},
    ),
    Form(
        "cases:refer",
        "intake_coordinator",
        lambda w: [w.triage.tracking_number],
        lambda w: {"expected_status": "in_triage", "agency": "County Sheriff", "reason": "Their deputies."},
    ),
    Form(
        "cases:close",
        "intake_coordinator",
        lambda w: [w.triage.tracking_number],
        lambda w: {"expected_status": "in_triage", "reason_code": "withdrawn", "note": "Called to withdraw."},
    ),
    Form(
        "cases:duplicate",
        "intake_coordinator",
        lambda w: [w.triage.tracking_number],
        lambda w: {"expected_status": "in_triage", "original": w.intake.tracking_number},
    ),
    # Assignment.
    Form(
        "cases:assign", "supervisor", _case, lambda w: {"investigator": w.users["other_investigator"].pk, "lead": "on"}
    ),
    Form("cases:unassign", "supervisor", lambda w: [w.case.tracking_number, w.ids["assignment"]], lambda w: {}),
    # Case work.
    Form("cases:notes", "assigned_investigator", _case, lambda w: {"kind": "note", "body": "Called the witness back."}),
    Form(
        "cases:allegations",
        "assigned_investigator",
        _case,
        lambda w: {
            "allegation_id": w.ids["allegation"],
            "subject_officer": w.ids["subject"],
            "category": w.ids["category"],
        },
    ),
    Form(
        "cases:allegations",
        "assigned_investigator",
        _case,
        lambda w: {"subject_officer_id": w.ids["subject"], "badge_number": "5001"},
    ),
    Form(
        "cases:evidence",
        "assigned_investigator",
        _case,
        lambda w: {
            "kind": "document",
            "source": "Records unit",
            "description": "Dispatch log",
            "received_date": _today(-1),
            "received_time": "09:30",
        },
    ),
    Form(
        "cases:evidence_custody",
        "assigned_investigator",
        lambda w: [w.case.tracking_number, 1],
        lambda w: {"action": "transferred", "counterparty": "Crime lab", "note": "For analysis"},
    ),
    Form(
        "cases:interviews",
        "assigned_investigator",
        _case,
        lambda w: {
            "role": "witness",
            "person": f"party:{w.ids['party']}",
            "person_name": "",
            "conducted_date": _today(-2),
            "conducted_time": "10:00",
            "location": "Office",
            "interviewer": w.users["assigned_investigator"].pk,
            "recordings": [w.ids["evidence"]],
            "recorded": "on",
            "summary": "Saw the stop.",
        },
    ),
    Form(
        "cases:subpoenas",
        "assigned_investigator",
        _case,
        lambda w: {
            "recipient_kind": "agency",
            "recipient_name": "Records Unit",
            "recipient_address": "1 Civic Plaza",
            "demand": "documents",
            "description": "Dispatch audio.",
            "due_date": _today(30),
        },
    ),
    Form(
        "cases:subpoena_move",
        "assigned_investigator",
        lambda w: [w.case.tracking_number, 1, "withdrawn"],
        lambda w: {"withdraw-note": "No longer needed."},
    ),
    Form(
        "cases:subpoena_move",
        "supervisor",
        lambda w: [w.case.tracking_number, 1, "authorized"],
        lambda w: {"authorize-note": "Approved."},
    ),
    Form(
        "cases:finding_propose",
        "assigned_investigator",
        lambda w: [w.case.tracking_number, w.ids["allegation"]],
        lambda w: {f"a{w.ids['allegation']}-disposition": "sustained", f"a{w.ids['allegation']}-rationale": "Video."},
    ),
    Form(
        "cases:findings_summary",
        "assigned_investigator",
        _case,
        lambda w: {"text": "The officer pushed the complainant."},
    ),
    Form("cases:findings_submit", "assigned_investigator", _case, lambda w: {"expected_status": "under_investigation"}),
    Form(
        "cases:deadline_tolling_add",
        "assigned_investigator",
        _case,
        lambda w: {"reason": "written_waiver", "start": _today(-10), "end": _today(-5), "note": "Waiver signed."},
    ),
    Form(
        "cases:deadline_tolling_end",
        "assigned_investigator",
        lambda w: [w.case.tracking_number, w.ids["period"]],
        lambda w: {f"end-{w.ids['period']}-end": _today()},
    ),
    Form("cases:deadline_discovery", "supervisor", _case, lambda w: {"discovery_date": _today(-20)}),
    # Board review.
    Form(
        "board:vote",
        "board_member",
        lambda w: [w.board.tracking_number],
        lambda w: {
            "choice": "concur",
            "comment": "",
            f"d{w.ids['board_allegation']}": "",
            f"r{w.ids['board_allegation']}": "",
        },
    ),
    Form(
        "board:recuse", "board_member", lambda w: [w.board.tracking_number], lambda w: {"reason": "I know the officer."}
    ),
    Form(
        "board:recuse",
        "board_chair",
        lambda w: [w.board.tracking_number],
        lambda w: {"chair-member": w.users["board_member"].pk, "chair-reason": "Conflict."},
    ),
    Form(
        "board:decision",
        "board_chair",
        lambda w: [w.board.tracking_number],
        lambda w: {
            "kind": "modify",
            "instructions": "",
            f"final_{w.ids['board_allegation']}": "not_sustained",
            f"rationale_{w.ids['board_allegation']}": "The video is inconclusive.",
            f"discipline_{w.ids['board_allegation']}": "",
        },
    ),
    Form(
        "board:department_response",
        "supervisor",
        lambda w: [w.board.tracking_number, w.ids["response"]],
        lambda w: {
            f"r{w.ids['response']}-response": "accepted",
            f"r{w.ids['response']}-responded_on": _today(-1),
            f"r{w.ids['response']}-discipline_imposed": "Reprimand",
        },
    ),
    Form(
        "board:subpoena_vote",
        "board_chair",
        lambda w: [w.case.tracking_number, 1],
        lambda w: {
            "vote-meeting": w.ids["meeting"],
            "vote-votes_for": "3",
            "vote-votes_against": "1",
            "vote-abstentions": "0",
            "vote-motion": "Authorize S-01.",
        },
    ),
    Form("board:subpoena_authorize", "board_chair", lambda w: [w.case.tracking_number, 1], lambda w: {"vote": "1"}),
    # Lists whose filters, page numbers and cursors come in the query string.
    Form(
        "complaints:list",
        "supervisor",
        lambda w: [],
        lambda w: {"status": "received", "district": "1", "after": "WyIyMDI2Il0"},
        method="GET",
    ),
    Form(
        "complaints:intake_queue",
        "intake_coordinator",
        lambda w: [],
        lambda w: {
            "received_from": "2026-01-01",
            "received_to": _today(),
            "channel": "web",
            "district": "1",
            "language": "en",
            "order": "newest",
            "page": "2",
        },
        method="GET",
    ),
    Form("board:queue", "board_member", lambda w: [], lambda w: {"after": "WyIyMDI2Il0", "before": ""}, method="GET"),
    Form("cases:notes", "assigned_investigator", _case, lambda w: {"page": "2"}, method="GET"),
    Form("cases:evidence", "assigned_investigator", _case, lambda w: {"page": "2"}, method="GET"),
    Form("cases:interviews", "assigned_investigator", _case, lambda w: {"page": "2"}, method="GET"),
    Form("cases:subpoenas", "assigned_investigator", _case, lambda w: {"page": "2"}, method="GET"),
    Form(
        "public_portal:intake_receipt_html",
        "resident",
        lambda w: [w.intake.tracking_number],
        lambda w: {"lang": "es"},
        method="GET",
    ),
    # Policy recommendations: the public list's filter and the staff's forms.
    Form(
        "public_portal:recommendation_list",
        "resident",
        lambda w: [],
        lambda w: {"response": "accepted", "page": "2"},
        method="GET",
    ),
    # The data dashboard's year filter, on the page and on the downloads of its tables.
    Form("public_portal:dashboard", "resident", lambda w: _statistics(), lambda w: {"year": "2026"}, method="GET"),
    Form(
        "public_portal:statistics_download",
        "resident",
        lambda w: _statistics("by-district", "csv"),
        lambda w: {"year": "2026"},
        method="GET",
    ),
    Form(
        "staff_intake:recommendation_list", "supervisor", lambda w: [], lambda w: {"after": "WyIyMDI2Il0"}, method="GET"
    ),
    Form(
        "staff_intake:recommendation_add",
        "board_chair",
        lambda w: [],
        lambda w: {
            "title": "Cameras on before arrival",
            "text": "Start recording when sent to a call.",
            "stage": "adopted",
            "proposed_on": "",
            "adopted_on": _today(-2),
            "themes": "body-worn cameras",
            "related_cases": "3",
            "department": "",
        },
    ),
    Form(
        "staff_intake:recommendation_detail",
        "supervisor",
        lambda w: [_recommendation()],
        lambda w: {
            "recorded_on": _today(-1),
            "department_response": "accepted",
            "implementation": "in_progress",
            "note": "Policy being rewritten.",
        },
    ),
    # Published decisions, open data downloads and the API: filters, cursors and page sizes.
    Form(
        "public_portal:disposition_list",
        "resident",
        lambda w: [],
        lambda w: {"year": "2026", "category": "force", "disposition": "sustained", "district": "", "officer": ""},
        method="GET",
    ),
    Form(
        "public_portal:open_data_download",
        "resident",
        lambda w: ["cases", "csv"],
        lambda w: {"year": "2026", "category": "force", "disposition": "sustained", "district": ""},
        method="GET",
    ),
    Form(
        "public_portal:api_disposition_list",
        "resident",
        lambda w: [],
        lambda w: {"year": "2026", "category": "force", "ordering": "-decision_date", "page_size": "10", "cursor": ""},
        method="GET",
    ),
    Form(
        "public_portal:api_allegation_list",
        "resident",
        lambda w: [],
        lambda w: {"disposition": "sustained", "district": "", "officer": "", "page_size": "5"},
        method="GET",
    ),
    Form(
        "public_portal:api_recommendation_list",
        "resident",
        lambda w: [],
        lambda w: {"response": "accepted", "page_size": "5"},
        method="GET",
    ),
    Form("public_portal:api_statistics", "resident", lambda w: [], lambda w: {"year": "2026"}, method="GET"),
    Form(
        "public_portal:api_statistics_table",
        "resident",
        lambda w: ["by-district"],
        lambda w: {"year": "2026"},
        method="GET",
    ),
    # Public reports: the staff's list, generate, narrative and step forms.
    Form("public_reports:list", "publisher", lambda w: [], lambda w: {"page": "2"}, method="GET"),
    Form(
        "public_reports:generate",
        "publisher",
        lambda w: [],
        lambda w: {"kind": "quarterly", "year": str(timezone.localdate().year - 1), "quarter": "3", "language": "es"},
    ),
    Form(
        "public_reports:narrative",
        "publisher",
        lambda w: [_report()],
        lambda w: {"narrative": "A quiet year for the board.", "narrative_language": "en"},
    ),
    Form(
        "public_reports:move",
        "publisher",
        lambda w: [_report()],
        lambda w: {"to": "discarded", "expected": "draft", "reason": "Generated twice."},
    ),
    # Publication: the queue's filter, drafting, the draft's text, redact more, the moves, correcting.
    Form(
        "publication:queue",
        "publisher",
        lambda w: [],
        lambda w: {"show": "draft", "district": "", "q": "", "after": "WyIyMDI2Il0"},
        method="GET",
    ),
    Form("publication:draft", "publisher", lambda w: [_publication(drafted=False)], lambda w: {}),
    Form(
        "publication:edit",
        "publisher",
        lambda w: [_publication(), 1],
        lambda w: {"summary": "A resident was searched near the park.", "based_on": ""},
    ),
    Form(
        "publication:redact_more",
        "publisher",
        lambda w: [_publication(), 1],
        lambda w: {"redact-phrase": "park", "redact-category": "address", "redact-based_on": ""},
    ),
    Form(
        "publication:move",
        "publisher",
        lambda w: [_publication(), 1, "approved"],
        lambda w: {"approve-expected_status": "draft"},
    ),
    Form(
        "publication:move",
        "publisher",
        lambda w: [_publication(), 1, "discarded"],
        lambda w: {"discard-expected_status": "draft", "discard-reason": "Drafted twice."},
    ),
    Form("publication:correct", "publisher", lambda w: [_publication(), 1], lambda w: {}),
    # Search: the staff case search and officer page, and the public search of published decisions.
    Form(
        "staff:search:cases",
        "supervisor",
        lambda w: [],
        lambda w: {
            "q": '"against the wall" -van',
            "status": "under_investigation",
            "district": "",
            "category": str(w.ids["category"]),
            "year": "2026",
            "officer": str(w.ids["officer"]),
            "page": "2",
        },
        method="GET",
    ),
    Form(
        "staff:search:officer",
        "assigned_investigator",
        lambda w: [w.ids["officer"]],
        lambda w: {"after": "WyIyMDI2Il0", "before": ""},
        method="GET",
    ),
    Form(
        "public_portal:disposition_search",
        "resident",
        lambda w: [],
        lambda w: {
            "q": "force",
            "category": "force",
            "disposition": "sustained",
            "district": "",
            "year": "2026",
            "page": "2",
        },
        method="GET",
    ),
    # Staff accounts: the list's search and page, granting and revoking a role, resetting a second factor.
    Form("staff:accounts:list", "supervisor", lambda w: [], lambda w: {"q": "bob", "page": "2"}, method="GET"),
    Form(
        "staff:accounts:grant",
        "supervisor",
        lambda w: [w.users["other_investigator"].pk],
        lambda w: {"role": "board_member", "confirm_email": "on"},
    ),
    Form(
        "staff:accounts:revoke",
        "supervisor",
        lambda w: [w.users["other_investigator"].pk],
        lambda w: {"role": "investigator"},
    ),
    Form(
        "staff:accounts:reset_second_factor",
        "supervisor",
        lambda w: [w.users["other_investigator"].pk],
        lambda w: {"confirm": "on"},
    ),
]

# Routes with no form: pages, downloads and a language switch Django provides. A route in neither
# list still gets generic garbage (``test_routes_added_elsewhere...``); list it to fuzz its fields.
WITHOUT_FORM = {
    "public_portal:home",
    "public_portal:meeting_list",
    "public_portal:meeting_detail",
    "public_portal:meetings_calendar",
    "public_portal:meeting_calendar",
    "public_portal:meeting_agenda_pdf",
    "staff:meetings:list",
    "staff:meetings:detail",
    "public_portal:status_messages",
    "staff:case_messages:file_download",
    "public_portal:intake_done",
    "public_portal:intake_receipt",
    "set_language",
    "staff:home",
    "staff:password_change_done",
    "staff:password_reset_done",
    "staff:password_reset_complete",
    "staff_intake:intake_done",
    "staff_intake:intake_receipt",
    "staff_intake:intake_receipt_html",
    "complaints:detail",
    "cases:dashboard",
    "cases:overview",
    "cases:timeline",
    "cases:history",
    "cases:evidence_detail",
    "cases:evidence_download",
    "cases:subpoena_detail",
    "cases:findings",
    "cases:deadline",
    "board:case",
    "board:packet",
    "board:packet_status",
    "board:packet_file",
    "public_portal:recommendation_detail",
    "publication:case",
    "publication:review",
    "public_portal:report_list",
    "public_portal:report_download",
    "public_reports:detail",
    "public_reports:preview",
    "public_portal:disposition_detail",
    "public_portal:open_data",
    "public_portal:data_dictionary",
    "public_portal:api_disposition_detail",
    "public_portal:api_recommendation_detail",
    "public_portal:api_schema",
    "public_portal:api_docs",
    "public_portal:api_not_found",
    "staff:accounts:detail",
}


def _routes(patterns=None, namespace: str = "", converters: dict | None = None):
    """(name, {parameter: converter}) for every named route, parameters of enclosing includes too."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _routes(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), found


def _route_names() -> set[str]:
    return {name for name, _converters in _routes()}


def other_routes() -> list[str]:
    """Routes neither listed as a form nor as a page without one (Django's admin aside)."""
    listed = {form.name for form in FORMS} | WITHOUT_FORM
    return sorted(n for n in _route_names() if not n.startswith("admin:") and n not in listed)


# --- The data they are posted about ------------------------------------------------------------------


@pytest.fixture
def world(
    settings,
    complaint,
    assigned_investigator,
    other_investigator,
    supervisor,
    intake_coordinator,
    board_member,
    board_chair,
    publisher,
) -> World:
    settings.SUBPOENA_AUTHORIZATION = "board_vote"
    # Enough room for every example; the limits themselves have their own tests.
    settings.RATE_LIMIT_STATUS_LOOKUP = settings.RATE_LIMIT_INTAKE_SUBMIT = "100000/60"
    settings.RATE_LIMIT_MESSAGE_REPLY = "100000/60"
    settings.RATE_LIMIT_PASSWORD_RESET = settings.RATE_LIMIT_PASSWORD_RESET_ADDRESS = "100000/60"
    settings.LOGIN_FAILURE_LIMIT = settings.LOGIN_CLIENT_FAILURE_LIMIT = 100000
    S = Complaint.Status
    Complaint.objects.filter(pk=complaint.pk).update(status=S.UNDER_INVESTIGATION)
    complaint.refresh_from_db()
    subject = complaint.subject_officers.get()
    allegation = AllegationFactory(subject_officer=subject)
    evidence = EvidenceItem.objects.create(
        complaint=complaint, number=1, kind=EvidenceItem.Kind.VIDEO, source="Records unit", description="Footage"
    )
    subpoena_draft(
        complaint=complaint,
        actor=assigned_investigator,
        recipient_kind="agency",
        recipient_name="Testville Police Records Unit",
        recipient_address="1 Civic Plaza",
        demand="documents",
        description="Body-worn camera footage.",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    investigation = Investigation.objects.get(complaint=complaint)
    period = TollingPeriod.objects.create(
        investigation=investigation, reason=TollingPeriod.Reason.WRITTEN_WAIVER, start=timezone.localdate()
    )
    assignment = InvestigatorAssignment.objects.get(investigation=investigation, investigator=assigned_investigator)
    permissions.grant(board_chair, "complaints.view_complaint", complaint)

    intake = ComplaintFactory()
    triage = ComplaintFactory()
    Complaint.objects.filter(pk=triage.pk).update(status=S.IN_TRIAGE)
    triage.refresh_from_db()

    board = ComplaintFactory()
    Complaint.objects.filter(pk=board.pk).update(status=S.BOARD_REVIEW)
    board.refresh_from_db()
    PartyFactory(complaint=board)
    Investigation.objects.create(complaint=board, discovery_date=date(2026, 3, 14))
    board_allegation = AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=board))
    finding = Finding.objects.create(
        allegation=board_allegation, proposed_disposition="sustained", rationale="Video.", proposed_by=supervisor
    )
    response = DepartmentResponse.objects.create(finding=finding, due_date=timezone.localdate() + timedelta(days=30))
    for member in (board_member, board_chair):
        permissions.grant(member, "complaints.view_complaint", board)
    for member in (board_member, board_chair):  # quorum, so that the decision form can be recorded
        Vote.objects.create(complaint=board, member=member, choice=Vote.Choice.CONCUR)
    meeting = BoardMeeting.objects.create(date=timezone.localdate())
    users = {
        "assigned_investigator": assigned_investigator,
        "other_investigator": other_investigator,
        "supervisor": supervisor,
        "intake_coordinator": intake_coordinator,
        "board_member": board_member,
        "board_chair": board_chair,
        "publisher": publisher,
    }
    ids = {
        "allegation": allegation.pk,
        "subject": subject.pk,
        "officer": subject.officer_id,
        "category": allegation.category_id,
        "party": complaint.parties.get().pk,
        "evidence": evidence.pk,
        "period": period.pk,
        "assignment": assignment.pk,
        "board_allegation": board_allegation.pk,
        "response": response.pk,
        "meeting": meeting.pk,
    }
    return World(users=users, intake=intake, triage=triage, case=complaint, board=board, ids=ids)


# --- What is sent --------------------------------------------------------------------------------------

NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x02\x03",
    "\x1b[31mred",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "\u202eevil",
    "😀😀",
    "-1",
    "0",
    "1.5",
    "1e9",
    "99999999999999999999999",
    "9" * 400,
    "١٢",
    "+7",
    " 7 ",
    "0x10",
    "NaN",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2026-02-30",
    "-2026-01-01",
    "24:61",
    "abc",
    "",
    " ",
    "remove-abc",
    "remove-",
    "remove--1",
    "remove-99999999999999999999",
    "remove-file-abc",
    "remove-file-",
    "remove-file-99999999999999999999",
    "add",
    "back",
    "upload",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    HUGE,
]
EXTRA_KEYS = [
    "action",
    "confirmed",
    "vote",
    "chair-member",
    "badge_number",
    "officers-TOTAL_FORMS",
    "officers-INITIAL_FORMS",
    "witnesses-TOTAL_FORMS",
    "witnesses-MAX_NUM_FORMS",
    "page",
    "after",
    "before",
    "website",
]
# Bytes that are not UTF-8: a stray continuation byte, a lone surrogate, an overlong NUL, a cut sequence.
INVALID_UTF8 = [b"%FF", b"\xff", b"%ED%A0%80", b"\xed\xa0\x80", b"%C0%80", b"%E2%82"]

# NUL gets a branch of its own: it is what PostgreSQL refuses outright.
bad_values = st.one_of(st.sampled_from(["\x00", "a\x00b", "\x00" * 3]), st.sampled_from(NASTY), st.text(max_size=30))


@st.composite
def payloads(draw, fields: dict[str, Any]) -> dict[str, Any]:
    """The form's passing values, some replaced by bad ones, some left out, and a few extra inputs."""
    names = sorted(fields)
    data = dict(fields)
    for name in draw(st.sets(st.sampled_from(names), max_size=len(names))) if names else ():
        data[name] = draw(bad_values)
    for name in draw(st.sets(st.sampled_from(names), max_size=2)) if names else ():
        data.pop(name, None)
    for _ in range(draw(st.integers(0, 2))):
        data[draw(st.one_of(st.sampled_from(EXTRA_KEYS), st.text(min_size=1, max_size=10)))] = draw(bad_values)
    return data


@dataclass
class Sent:
    """How the payload travels: as the browser sends it, or with bytes spliced in by hand."""

    encoding: str  # "multipart", "urlencoded", "raw" (urlencoded bytes with bad ones) or "raw-multipart"
    splice: bytes = b""
    where: int = 0
    cookie: str = ""
    cookie_name: str = "sessionid"
    spanish: bool = False


sendings = st.builds(
    Sent,
    # Mostly what a browser could send, so that most examples reach the form; bad bytes in a third.
    encoding=st.sampled_from(["multipart", "multipart", "urlencoded", "urlencoded", "raw", "raw-multipart"]),
    splice=st.sampled_from(INVALID_UTF8),
    where=st.integers(0, 1000),
    # Long enough to be looked up as a session key (shorter ones are dropped unread).
    cookie=st.sampled_from(
        ["", "", "", "", "", "", "", "", "0123456789abcdef\x00", "sessión-caf\xe9-0123", "ok-0123456789\x01"]
    ),
    cookie_name=st.sampled_from(["sessionid", "csrftoken", "django_language"]),
    spanish=st.booleans(),
)


def _urlencoded(data: dict[str, Any]) -> bytes:
    return urlencode(data, doseq=True).encode()


def _spliced(body: bytes, splice: bytes, where: int) -> bytes:
    cut = where % (len(body) + 1)
    return body[:cut] + splice + body[cut:]


def _multipart(data: dict[str, Any], splice: bytes, where: int) -> tuple[bytes, str]:
    """A multipart body by hand, with the bad bytes in one field's value or in a file's name."""
    boundary = "fuzzboundary7MA4YWxkTrZu0gW"
    parts = []
    items = [(k, v) for k, values in data.items() for v in (values if isinstance(values, list) else [values])]
    target = where % (len(items) + 1)
    raw = splice.replace(b"%", b"")  # a multipart value is sent as it is, not percent-encoded
    for i, (key, value) in enumerate(items):
        content = str(value).encode("utf-8", "surrogatepass") + (raw if i == target else b"")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quote(str(key))}"\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    name = b"photo" + (raw if target == len(items) else b"") + b".png"
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="'.encode()
        + name
        + b'"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n'
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --- Sending it ----------------------------------------------------------------------------------------


class Exceptions:
    """Exceptions a view let through (the test client would raise them; this records them too)."""

    def __init__(self) -> None:
        self.seen: list[BaseException] = []

    def __call__(self, sender, request=None, **kwargs) -> None:
        self.seen.append(sys.exc_info()[1])


@pytest.fixture
def exceptions():
    recorder = Exceptions()
    got_request_exception.connect(recorder, weak=False)
    yield recorder
    got_request_exception.disconnect(recorder)


def _client(form: Form, world: World, sent: Sent) -> Client:
    client = Client(raise_request_exception=False)
    if form.persona != "resident":
        client.force_login(world.users[form.persona])
    if form.draft:
        base = "/file/" if form.draft == "public" else reverse("staff_intake:intake_start")
        assert client.post(base, {"action": "start"}).status_code == 302
    if sent.cookie:
        client.cookies[sent.cookie_name] = sent.cookie
    return client


def send(client: Client, form: Form, url: str, data: dict[str, Any], sent: Sent):
    headers = {"accept-language": "es" if sent.spanish else "en"}
    if form.method == "GET":
        query = _urlencoded(data)
        if sent.encoding.startswith("raw"):
            query = _spliced(query, sent.splice, sent.where)
        return client.get(url, QUERY_STRING=query.decode("iso-8859-1"), headers=headers)
    if sent.encoding == "multipart":
        return client.post(url, data, headers=headers)
    if sent.encoding == "urlencoded":
        return client.post(url, _urlencoded(data), content_type="application/x-www-form-urlencoded", headers=headers)
    if sent.encoding == "raw":
        body = _spliced(_urlencoded(data), sent.splice, sent.where)
        return client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)
    body, content_type = _multipart(data, sent.splice, sent.where)
    return client.post(url, body, content_type=content_type, headers=headers)


def check(response, exceptions: Exceptions, what: Any, *, explained: bool = True) -> None:
    """No exception, no server error, and a 400 that is a page of the site (with, for the forms
    listed here, an error message on the form or the 400 page's own)."""
    assert not exceptions.seen, (what, exceptions.seen)
    assert response.status_code < 500, (what, response.status_code)
    if response.status_code == 400:
        body = response.content.decode()
        if response.get("Content-Type", "").startswith("application/json"):
            # The open data API answers in JSON, with a plain message.
            assert response.json().get("detail"), (what, body[:3000])
            return
        assert BARE_400 not in body and "<html" in body, what
        if not explained:
            return
        explained = ('id="error-summary"', "usa-error-message", BAD_REQUEST_TEXT, BAD_REQUEST_TEXT_ES)
        assert any(marker in body for marker in explained), (what, body[:3000])


# Fixed examples (``derandomize``, no example database): a failure in CI reproduces anywhere; ten a
# form keeps the suite within its time on two cores. No
# shrinking: a failing example is reported as found, at once, instead of after minutes of requests.
FUZZ = hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("form", FORMS, ids=[f"{f.name}-{f.persona}-{i}" for i, f in enumerate(FORMS)])
def test_no_input_gives_a_server_error(form, world, exceptions):
    url = reverse(form.name, args=form.args(world))
    passing = form.fields(world)

    @FUZZ
    @given(data=payloads(passing), sent=sendings)
    def run(data, sent):
        with transaction.atomic():
            client = _client(form, world, sent)
            response = send(client, form, url, data, sent)
            check(response, exceptions, (url, data, sent))
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("name", other_routes() or ["(none)"])
def test_routes_added_elsewhere_take_garbage_without_a_server_error(name, world, exceptions):
    """A route not listed above (added by another part of the project) is posted generic garbage as
    a supervisor, with its parameters filled from the world, so it is at least never a 500."""
    if name == "(none)":  # every route is listed above
        assert other_routes() == []
        return
    converters = dict(_routes())[name]
    kwargs = {
        key: world.case.tracking_number if "tracking" in key else converter.to_python(_filler(converter.regex))
        for key, converter in converters.items()
    }
    url = reverse(name, kwargs=kwargs)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["supervisor"])
    for data in ({}, {"reason": "\x00", "note": HUGE, "action": "remove-abc", "page": "abc", "hold_id": "1\x00"}):
        check(client.post(url, data), exceptions, (url, data), explained=False)
        check(client.get(url, {"page": "abc", "q": "x", "after": "\x01"}), exceptions, (url, data), explained=False)


def _filler(regex: str) -> str:
    """A value the route's converter accepts (an id, a slug)."""
    return next(candidate for candidate in ("1", "x", "received") if re.fullmatch(regex, candidate))


# --- The resolver -------------------------------------------------------------------------------------


def test_the_listed_routes_exist_and_include_every_kind_of_form():
    routes = _route_names()
    listed = {form.name for form in FORMS}
    assert listed <= routes
    assert routes >= WITHOUT_FORM
    # Every case-work and board form the architecture names is fuzzed.
    assert {
        "public_portal:intake_step",
        "public_portal:status_lookup",
        "staff:login",
        "cases:notes",
        "cases:interviews",
        "cases:evidence",
        "cases:subpoenas",
        "cases:finding_propose",
        "cases:accept",
        "board:vote",
        "board:decision",
    } <= listed


# --- The shared parsing helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1_000", None),
        ("١٢", None),
        ("1.0", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("1\x00", None),
    ],
)
def test_parse_int_takes_plain_ascii_numbers_in_range(text, expected):
    assert parse_int(text) == expected


def test_parse_indexed_reads_the_number_after_the_prefix():
    assert parse_indexed("remove-3", "remove-") == 3
    assert parse_indexed("remove-3", "remove-", maximum=2) is None
    assert parse_indexed("remove-abc", "remove-") is None
    assert parse_indexed("remove-", "remove-") is None
    assert parse_indexed("add", "remove-") is None
    assert parse_indexed(None, "remove-") is None


# --- Cursors ------------------------------------------------------------------------------------------

cursor_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["2026-03-14T15:00:00+00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"]),
    st.sampled_from(["1", "0", "-1", str(2**63), str(10**30), "9" * 5000, "1e9", "NaN"]),
    st.integers(),
    st.none(),
)


@hypothesis_settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(values=st.lists(cursor_values, max_size=3), backwards=st.booleans())
def test_a_hand_made_cursor_shows_a_page_or_the_first_page(values, backwards):
    """Whatever a cursor decodes to, the list shows a page: the one after it, or the first with the
    cursor reported unreadable. Never an error (a huge id, a date at the end of the calendar)."""
    import base64
    import json

    from complaints.selectors import COMPLAINT_LIST_ORDER
    from oversight.pagination import keyset_page

    raw = json.dumps(values).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    page = keyset_page(
        Complaint.objects.all(),
        ordering=COMPLAINT_LIST_ORDER,
        per_page=5,
        **({"before": cursor} if backwards else {"after": cursor}),
    )
    assert page.object_list == [] or all(isinstance(c, Complaint) for c in page.object_list)


# --- The middleware: what no form can correct gets the 400 page ---------------------------------------


def _assert_400_page(response, text: str = BAD_REQUEST_TEXT) -> str:
    assert response.status_code == 400
    body = response.content.decode()
    assert text in unescape(body) and BARE_400 not in body
    return body


@pytest.mark.parametrize(
    "query",
    ["q=%00", "page=1%00", "%00=1", "status=%FF", "status=%ED%A0%80", "district=%C0%80", "after=%E2%82"],
    ids=["nul-value", "nul-in-number", "nul-name", "stray-byte", "lone-surrogate", "overlong-nul", "cut-sequence"],
)
def test_a_query_string_with_nul_or_bad_utf8_gets_the_staff_400_page(client, supervisor, query):
    client.force_login(supervisor)
    body = _assert_400_page(client.get(reverse("complaints:list"), QUERY_STRING=query))
    assert "Staff workspace" in body and f"Sign out {supervisor.get_username()}" in body


def test_a_query_string_over_8_kb_gets_the_400_page(client, supervisor):
    client.force_login(supervisor)
    _assert_400_page(client.get(reverse("complaints:list"), {"q": "x" * 8200}))
    assert client.get(reverse("complaints:list"), {"status": "received", "q": "x" * 8000}).status_code == 200


def test_raw_non_utf8_bytes_in_a_query_string_get_the_public_400_page(client):
    body = _assert_400_page(client.get(reverse("public_portal:status_lookup"), QUERY_STRING="lang=\xe9"))
    assert "Contact and privacy" in body


def test_the_400_page_is_in_the_visitors_language(client):
    response = client.get(
        reverse("public_portal:status_lookup"), QUERY_STRING="x=%00", headers={"accept-language": "es"}
    )
    body = _assert_400_page(response, BAD_REQUEST_TEXT_ES)
    assert 'lang="es"' in body


@pytest.mark.parametrize(
    "body", [b"tracking_number=%FF&code=x", b"tracking_number=\xff&code=x", b"tracking%00number=a&code=x"]
)
def test_a_form_body_with_bad_utf8_or_a_nul_in_a_name_gets_the_400_page(client, body):
    response = client.post(
        reverse("public_portal:status_lookup"), body, content_type="application/x-www-form-urlencoded"
    )
    _assert_400_page(response)


def test_a_nul_in_a_form_value_reaches_the_form_which_says_what_is_wrong(client):
    response = client.post(
        reverse("public_portal:status_lookup"),
        b"tracking_number=CPC%00&code=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "invisible control characters" in unescape(response.content.decode())


def test_a_file_name_that_is_not_utf8_gets_the_400_page(client, assigned_investigator, complaint):
    """The RFC 5987 form (``filename*``), percent-encoded, which Django decodes; a file part whose
    header holds raw bytes that are not UTF-8 is dropped by Django's parser unread, as if not sent."""
    client.force_login(assigned_investigator)
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nphoto\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nThe complainant\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nPhoto\r\n'
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''photo%FF.png\r\n"
        f"Content-Type: image/png\r\n\r\nPNG\r\n--{boundary}--\r\n"
    ).encode()
    url = reverse("cases:evidence", args=[complaint.tracking_number])
    _assert_400_page(client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}"))
    assert not EvidenceItem.objects.filter(complaint=complaint).exists()


def test_a_multipart_value_that_is_not_utf8_gets_the_400_page(client, assigned_investigator, complaint):
    client.force_login(assigned_investigator)
    body, content_type = _multipart({"kind": "photo", "source": "x", "description": "y"}, b"\xc3\x28", 1)
    url = reverse("cases:evidence", args=[complaint.tracking_number])
    _assert_400_page(client.post(url, body, content_type=content_type))


def test_a_nul_in_the_path_gets_the_400_page(client, supervisor):
    client.force_login(supervisor)
    _assert_400_page(client.get("/staff/cases/CPC-2026-%0000001/"))


@pytest.mark.parametrize(
    ("name", "value"),
    [("sessionid", "0123456789abcdef\x00"), ("csrftoken", "caf\xe9"), ("django_language", "es\x01")],
    ids=["nul-session", "latin1-byte", "control"],
)
def test_an_unreadable_cookie_gets_the_400_page_and_is_deleted(client, name, value):
    client.cookies[name] = value
    response = client.get(reverse("public_portal:status_lookup"))
    _assert_400_page(response)
    # Deleted, or replaced by one the site made (a new CSRF token for the page's forms).
    assert response.cookies[name]["max-age"] == 0 or response.cookies[name].value != value
    # The browser drops it, and the next page works.
    assert client.get(reverse("public_portal:status_lookup")).status_code == 200


def test_a_readable_utf8_cookie_is_left_alone(client):
    client.cookies["note"] = "café".encode().decode("iso-8859-1")  # as a server hands UTF-8 bytes over
    assert client.get(reverse("public_portal:status_lookup")).status_code == 200


# --- The form rules, on staff forms ------------------------------------------------------------------


def test_an_empty_post_to_a_staff_form_says_what_is_missing(client, assigned_investigator, complaint):
    client.force_login(assigned_investigator)
    response = client.post(reverse("cases:notes", args=[complaint.tracking_number]), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_control_character_in_a_note_is_an_error_on_the_note(client, assigned_investigator, complaint):
    client.force_login(assigned_investigator)
    url = reverse("cases:notes", args=[complaint.tracking_number])
    response = client.post(url, {"kind": "note", "body": "Called back\x1b[2J"})
    assert response.status_code == 400
    assert "invisible control characters" in unescape(response.content.decode())
    assert not complaint.notes.exists()


def test_a_huge_reason_without_its_own_limit_gets_the_shared_one(client, intake_coordinator):
    triage = ComplaintFactory()
    Complaint.objects.filter(pk=triage.pk).update(status=Complaint.Status.IN_TRIAGE)
    client.force_login(intake_coordinator)
    url = reverse("cases:refer", args=[triage.tracking_number])
    data = {"expected_status": "in_triage", "agency": "County Sheriff", "reason": "x" * 20_001}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Ensure this value has at most 20000 characters (it has 20001)." in response.content.decode()
    triage.refresh_from_db()
    assert triage.status == Complaint.Status.IN_TRIAGE


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_an_evidence_date_out_of_range_is_an_error_on_the_field(client, assigned_investigator, complaint, day):
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    client.force_login(assigned_investigator)
    data = {
        "kind": "document",
        "source": "Records",
        "description": "Log",
        "received_date": day,
        "received_time": "23:59",
    }
    response = client.post(reverse("cases:evidence", args=[complaint.tracking_number]), data)
    assert response.status_code == 400
    assert "Enter a date between 1900-01-01 and 2100-12-31." in response.content.decode()


@pytest.mark.parametrize("vote", ["abc", "99999999999999999999999", "-1", "1\x00", ""])
def test_authorizing_with_a_vote_that_is_not_a_number_says_so(client, world, vote):
    client.force_login(world.users["board_chair"])
    url = reverse("board:subpoena_authorize", args=[world.case.tracking_number, 1])
    response = client.post(url, {"vote": vote}, follow=True)
    assert response.status_code == 200
    assert "Choose the board vote that authorized this subpoena." in unescape(response.content.decode())


# --- Django's admin (the sysadmin's) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"q": "a\x00b"},
        {"p": "abc"},
        {"p": "99999999999999999999"},
        {"o": "zz.-1"},
        {"q": HUGE},
        {"badge_number": "\x01"},
    ],
    ids=["nul-search", "page-letters", "page-huge", "order-garbage", "huge-search", "control-filter"],
)
@pytest.mark.parametrize("changelist", ["admin:oversight_officer_changelist", "admin:auth_user_changelist"])
def test_admin_lists_take_bad_query_strings_without_a_server_error(client, sysadmin, exceptions, changelist, query):
    client = Client(raise_request_exception=False)
    client.force_login(sysadmin)
    check(client.get(reverse(changelist), query), exceptions, (changelist, query), explained=False)


def test_the_admin_sign_in_takes_a_nul_without_a_server_error(db, exceptions):
    client = Client(raise_request_exception=False)
    data = {"username": "sam\x00", "password": "x\x00", "next": "/admin/\x00"}
    check(client.post(reverse("admin:login"), data), exceptions, data, explained=False)
