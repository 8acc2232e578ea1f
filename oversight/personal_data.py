"""Reads of personal data: who may see it, and one ``personal_data.viewed`` event per response that
showed it.

Personal data comes in two sorts, both listed in ``KINDS``:

* **People's details** (``PEOPLE_KINDS``): the parties on a complaint (names, contact details,
  demographics), the names of people interviewed and of people subpoenaed. They show only to a user
  holding ``complaints.view_personal_data``; anyone else sees them withheld.
* **Case content that carries personal data** (the narrative, interview summaries, evidence, case
  notes, row history): shown to whoever may see the case (board members review it without people's
  details), and audited the same way.

``shown(request, target, what=[...])`` marks a read. Templates mark it with the
``{% personal_data %}`` block tag (``oversight/templatetags/personal_data.py``) placed around every
block that displays such data, so any view that renders the block is audited; code that sends data
without a template (downloads, PDF packets, staff receipts) calls ``shown`` itself.
``PersonalDataReadMiddleware`` collects a request's marks and, once the response is produced, records
exactly one event for it: the target is the complaint when the response showed one, ``data`` says
what kinds were shown and which targets (ids, capped). A response that showed nothing records
nothing. Outside a request (a command, a service called directly) ``shown`` records the event at
once, for the acting user; with nobody acting (a task, a public visitor) nothing is recorded, since
no staff member read anything.

Labels and data never carry the data itself: targets are named by tracking number or by model and id.
"""

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from . import audit, context

PERMISSION = "complaints.view_personal_data"
ACTION = "personal_data.viewed"
# An event names at most this many targets (a list page may show rows of many complaints).
TARGETS_CAP = 50
REQUEST_ATTRIBUTE = "personal_data_reads"

PEOPLE_KINDS: dict[str, Any] = {
    "parties": _("People on the complaint"),
    "interviewees": _("Names of people interviewed"),
    "subpoena_recipients": _("People subpoenaed"),
}
CONTENT_KINDS: dict[str, Any] = {
    "narrative": _("Narrative"),
    "interview_summaries": _("Interview summaries"),
    "evidence": _("Evidence"),
    "notes": _("Case notes"),
    "history": _("Change history"),
}
KINDS: dict[str, Any] = {**PEOPLE_KINDS, **CONTENT_KINDS}


class UnknownKind(LookupError):
    pass


def check_kinds(what: Iterable[str]) -> list[str]:
    """The kinds in ``what``, refusing any not in ``KINDS`` (a typo would otherwise go unaudited)."""
    kinds = list(dict.fromkeys(what))
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise UnknownKind(f"Unknown kind of personal data: {', '.join(unknown)}; add it to personal_data.KINDS")
    return kinds


def may_view(user: Any, kind: str = "parties") -> bool:
    """Whether ``user`` may be shown personal data of ``kind``, on a page they may already open.

    People's details need ``complaints.view_personal_data``; case content goes with the case."""
    check_kinds([kind])
    if not getattr(user, "is_authenticated", False):
        return False
    if kind in CONTENT_KINDS:
        return True
    return user.has_perm(PERMISSION)


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def _key(target: Model) -> tuple[str, str]:
    return target._meta.label_lower, str(target.pk)


def target_label(target: Model | None) -> str:
    """How an event names ``target``: its tracking number, else its model and id; never ``str()``,
    which for a party is the person's name."""
    if target is None:
        return ""
    number = getattr(target, "tracking_number", "")
    if number:
        return str(number)
    return f"{target._meta.model_name} {target.pk}"


@dataclass
class Reads:
    """What one response showed: the kinds of personal data and on which targets."""

    kinds: set[str] = field(default_factory=set)
    targets: dict[tuple[str, str], Model] = field(default_factory=dict)

    def add(self, target: Model | None, kinds: Iterable[str]) -> None:
        self.kinds.update(kinds)
        if target is not None and target.pk is not None:
            self.targets.setdefault(_key(target), target)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def record(self, *, actor: Any = None) -> audit.AuditEvent | None:
        if not self.kinds:
            return None
        targets = list(self.targets.values())
        data: dict[str, Any] = {"what": sorted(self.kinds)}
        if targets:
            data["targets"] = [f"{label}:{pk}" for label, pk in list(self.targets)[:TARGETS_CAP]]
            if len(targets) > TARGETS_CAP:
                data["more_targets"] = len(targets) - TARGETS_CAP
        target = targets[0] if len(targets) == 1 else None
        return audit.record(ACTION, target=target, target_label=target_label(target), data=data, actor=actor)


_current: ContextVar[Reads | None] = ContextVar("oversight_personal_data_reads", default=None)


def _reads_for(request: HttpRequest | None) -> Reads | None:
    reads = getattr(request, REQUEST_ATTRIBUTE, None) if request is not None else None
    return reads if reads is not None else _current.get()


def shown(request: HttpRequest | None, target: Model | None, what: Iterable[str], *, actor: Any = None) -> None:
    """Mark that personal data of the kinds in ``what`` about ``target`` (the complaint, or the
    draft a staff member is entering) is being shown.

    Inside a request the mark joins the request's others and one event is recorded for the response
    (``PersonalDataReadMiddleware``); outside one, the event is recorded now for ``actor`` (default:
    the acting user), and not at all when nobody is acting. No query is made here, so marking inside
    a loop costs nothing per row."""
    kinds = check_kinds(what)
    if not kinds:
        return
    reads = _reads_for(request)
    if reads is not None:
        reads.add(target, kinds)
        return
    if actor is None:
        actor = getattr(request, "user", None) if request is not None else None
    if actor is None:
        actor = context.current().user
    if not getattr(actor, "is_authenticated", False):
        return
    single = Reads()
    single.add(target, kinds)
    single.record(actor=actor)


def recorded_for(response_status: int) -> bool:
    """Whether a response with this status showed what its page holds: a page or a download (2xx),
    or a page shown again with its form's errors (400). A redirect, a refusal or an error shows
    nothing of what the view may have started to build."""
    return 200 <= response_status < 300 or response_status == 400


class PersonalDataReadMiddleware:
    """Collects the request's marks and records one ``personal_data.viewed`` event for the response.

    Placed after ``RequestUserMiddleware``, so the event carries the request's user, IP and id.
    Only a signed-in user's reads are recorded: a resident reading their own receipt is not a staff
    read, and no network identifier of a public visitor is stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reads = Reads()
        setattr(request, REQUEST_ATTRIBUTE, reads)
        token = _current.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        user = getattr(request, "user", None)
        if reads and recorded_for(response.status_code) and getattr(user, "is_authenticated", False):
            reads.record(actor=user)
        return response
