"""Reads of personal data: who may see it, and one ``personal_data.viewed`` event per response that
showed it.

Personal data comes in two sorts, both listed in ``KINDS``:

* **People's details** (``PEOPLE_KINDS``): the parties on a complaint (names, contact details,
  demographics), the names of people interviewed and of people subpoenaed. They show only to a user
  holding ``complaints.view_personal_data``; anyone else reads the person's role instead.
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

**One person, field by field.** ``PEOPLE`` says, for each model that holds a person's details (a
party, an interview, a subpoena), which fields are the name and contact details and which role
stands in for them. ``person(user, obj, target=...)`` is the one selector every page and document
uses to show such a person: to a user who may see the kind it gives the name and contact details
(and marks the read); to anyone else it gives the role ("a witness", "the complainant", "a person
subpoenaed") and nothing else. A record that holds no resident's details (an interview of a subject
officer, a subpoena to an agency) is shown as it is, to everyone, and is no read.

**Free text.** Case content (the narrative, notes, interview summaries, evidence descriptions,
history) is read by whoever may see the case, but it is written by people who know the names. For
a user who may not see people's details, ``masker(request, complaint)`` replaces each name, email,
phone number and numbered address line the case's records hold with the person's role in brackets
("[a witness]"), wherever it is written; the ``{% personal_data %}`` block does this to every
content kind it renders, ``{% free_text %}`` to other staff-written text about the case, and the
board packet to every text the case's staff wrote. docs/reads.md gives the rules.

**Restricted kinds.** Some people's details need a permission besides ``view_personal_data``
(``RESTRICTED_KINDS``): the police employee who reported a case through the whistleblower channel
(``EMPLOYEE_KIND``, a party whose role maps to it in ``PersonFields.role_kinds``) is shown only with
``complaints.view_whistleblower_identity``. Everyone else reads "identity withheld (police employee
report)" in the person's place, and a reader who may see the case's other people still gets that
person masked in free text (``free_text``). docs/whistleblower.md gives the rules.
"""

import html
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from . import audit, context

PERMISSION = "complaints.view_personal_data"
# Police employees' reports (whistleblower channel): the employee's identity is a kind of people's
# details of its own, shown only with a second permission (docs/whistleblower.md).
EMPLOYEE_KIND = "employee_reporters"
IDENTITY_PERMISSION = "complaints.view_whistleblower_identity"
# People's details that need a permission besides ``PERMISSION``, by kind, and the words that stand
# in for such a person wherever they are withheld.
RESTRICTED_KINDS: dict[str, str] = {EMPLOYEE_KIND: IDENTITY_PERMISSION}
RESTRICTED_STAND_INS: dict[str, Any] = {EMPLOYEE_KIND: _("identity withheld (police employee report)")}
ACTION = "personal_data.viewed"
# An event names at most this many targets (a list page may show rows of many complaints).
TARGETS_CAP = 50
REQUEST_ATTRIBUTE = "personal_data_reads"

PEOPLE_KINDS: dict[str, Any] = {
    "parties": _("People on the complaint"),
    "interviewees": _("Names of people interviewed"),
    "subpoena_recipients": _("People subpoenaed"),
    EMPLOYEE_KIND: _("Identity of the police employee reporting"),
}
CONTENT_KINDS: dict[str, Any] = {
    "narrative": _("Narrative"),
    "interview_summaries": _("Interview summaries"),
    "evidence": _("Evidence"),
    "notes": _("Case notes"),
    "history": _("Change history"),
    # The contact email a resident left with a public comment (public_portal.comments), shown to
    # its moderators only.
    "commenter_contacts": _("Contact details of people commenting"),
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

    People's details need ``complaints.view_personal_data``, and a restricted kind its own
    permission as well (``RESTRICTED_KINDS``); case content goes with the case."""
    check_kinds([kind])
    if not getattr(user, "is_authenticated", False):
        return False
    if kind in CONTENT_KINDS:
        return True
    if not user.has_perm(PERMISSION):
        return False
    restricted = RESTRICTED_KINDS.get(kind)
    return restricted is None or user.has_perm(restricted)


def withheld_kinds(user: Any) -> frozenset[str]:
    """The kinds of people's details ``user`` may not see (all of them for a reader without
    ``view_personal_data``; the restricted ones they lack the permission for otherwise)."""
    return frozenset(kind for kind in PEOPLE_KINDS if not may_view(user, kind))


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
    # The case's people, read once per response for every block that masks them (``masker``).
    maskers: dict[Any, "Masker"] = field(default_factory=dict)

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


# --- One person, field by field ---------------------------------------------------------------------

# The model whose records a case's people belong to (named, not imported: this is the lowest floor).
CASE_MODEL = "complaints.complaint"


@dataclass(frozen=True)
class PersonFields:
    """Where one model keeps a person's details, and the words that stand in for the person.

    ``roles`` maps each value of ``role_field`` that makes the record a resident's details to its
    stand-in ("a witness"); a value missing from it (a subject officer interviewed, an agency
    subpoenaed) holds nobody's personal data and is shown as it is. ``role_kinds`` maps a role
    whose details are of another kind than ``kind`` (a restricted one) to that kind. A record
    about a party (an interview of one) names ``linked``, its relation to the party, and takes the
    restricted kind of that party's role from ``linked_kinds``: an interview of the police employee
    who reported is as restricted as the employee."""

    kind: str
    role_field: str
    roles: dict[str, Any]
    name: tuple[str, ...]
    address: str = ""
    email: str = ""
    phone: str = ""
    description: str = ""
    case_field: str = "complaint"
    role_kinds: dict[str, str] = field(default_factory=dict)
    linked: str = ""
    linked_kinds: dict[str, str] = field(default_factory=dict)

    def kind_of(self, role: Any, linked_role: Any = None) -> str:
        """The kind of people's details a record in ``role`` holds (about a party in ``linked_role``)."""
        return self.linked_kinds.get(linked_role) or self.role_kinds.get(role, self.kind)

    def stand_in(self, role: Any, kind: str) -> Any:
        """The words standing in for the person of a record in ``role`` whose details are ``kind``."""
        return RESTRICTED_STAND_INS.get(kind) or self.roles[role]

    def roles_of(self, kinds: Iterable[str]) -> list[str]:
        """The roles (of ``roles``) whose records hold details of one of ``kinds``."""
        wanted = set(kinds)
        return [role for role in self.roles if self.kind_of(role) in wanted]

    def details(self, obj: Any) -> dict[str, str]:
        def value(attribute: str) -> str:
            return str(getattr(obj, attribute, "") or "").strip() if attribute else ""

        return {
            "address": value(self.address),
            "email": value(self.email),
            "phone": value(self.phone),
            "description": value(self.description),
        }

    def name_of(self, obj: Any) -> str:
        return " ".join(part for part in (str(getattr(obj, f, "") or "").strip() for f in self.name) if part)


PEOPLE: dict[str, PersonFields] = {
    "complaints.party": PersonFields(
        kind="parties",
        role_field="role",
        roles={
            "complainant": _("the complainant"),
            "victim": _("the person harmed"),
            "witness": _("a witness"),
            "third_party": _("the person filing for them"),
            "employee": _("identity withheld (police employee report)"),
        },
        name=("first_name", "last_name"),
        address="address",
        email="email",
        phone="phone",
        description="description",
        role_kinds={"employee": EMPLOYEE_KIND},
    ),
    "investigations.interview": PersonFields(
        kind="interviewees",
        role_field="role",
        roles={"complainant": _("the complainant"), "witness": _("a witness"), "other": _("a person interviewed")},
        name=("person_name",),
        linked="party",
        linked_kinds={"employee": EMPLOYEE_KIND},
    ),
    "investigations.subpoena": PersonFields(
        kind="subpoena_recipients",
        role_field="recipient_kind",
        roles={"person": _("a person subpoenaed")},
        name=("recipient_name",),
        address="recipient_address",
    ),
}


@dataclass(frozen=True)
class Shown:
    """One person as one user may read them.

    ``name`` is the person's name, or, when ``withheld``, the words standing in for them ("a
    witness"; a page starting a sentence with it writes ``|capfirst``), and then every detail is
    empty. ``role`` is the record's own label for the role ("Witness"). ``personal`` is False for a
    record that holds nobody's personal data (an agency subpoenaed), shown as it is."""

    name: str
    role: str
    withheld: bool = False
    personal: bool = True
    address: str = ""
    email: str = ""
    phone: str = ""
    description: str = ""

    def __str__(self) -> str:
        return self.name


def person_fields(obj: Any) -> PersonFields:
    spec = PEOPLE.get(obj._meta.label_lower)
    if spec is None:
        raise LookupError(f"{obj._meta.label} holds no person listed in personal_data.PEOPLE")
    return spec


def person(user: Any, obj: Any, *, request: HttpRequest | None = None, target: Model | None = None) -> Shown:
    """The one rule for showing a person a record names (a party, an interviewee, a person
    subpoenaed): to a user who may see that kind, the name and contact details, marking the read
    on ``target`` (default: the record's case; pass it in a loop, to save a query per row); to
    anyone else, the role standing in for the person, and no mark. ``user=None`` is a reader who
    may see no one's details (the board packet, printed once for every board member)."""
    spec = person_fields(obj)
    role = str(getattr(obj, f"get_{spec.role_field}_display")())
    role_value = getattr(obj, spec.role_field)
    stand_in = spec.roles.get(role_value)
    name, details = spec.name_of(obj), spec.details(obj)
    if stand_in is None:
        return Shown(name=name, role=role, personal=False, **details)
    kind = spec.kind_of(role_value, _linked_role(spec, obj, target))
    if user is None or not may_view(user, kind):
        return Shown(name=str(spec.stand_in(role_value, kind)), role=role, withheld=True)
    if name or any(details.values()):
        shown(request, target if target is not None else getattr(obj, spec.case_field), [kind])
    return Shown(name=name, role=role, **details)


def _linked_role(spec: PersonFields, obj: Any, target: Model | None) -> Any:
    """The role of the party ``obj`` is about, when that can make it restricted: only on a case
    that says it may hold a restricted person (``withholds_people``), so other cases cost nothing."""
    if not spec.linked or getattr(obj, f"{spec.linked}_id", None) is None:
        return None
    case = target if target is not None else getattr(obj, spec.case_field, None)
    if not getattr(case, "withholds_people", False):
        return None
    return getattr(getattr(obj, spec.linked), "role", None)


# --- Free text ---------------------------------------------------------------------------------------

# Name words too short or too common to mask alone (they are masked as part of the full name).
NAME_PART_MIN = 3
PARTICLES = frozenset(
    ["da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el", "la", "las", "le", "los"]
    + ["san", "santa", "st", "van", "von", "y"]
)
_WORD_BEFORE = r"(?<![^\W_])"
_WORD_AFTER = r"(?![^\W_])"


def _name_patterns(name: str) -> list[str]:
    """The full name, whatever its case and spacing, and each of its words written as a name is
    (as recorded, capitalized or in capitals), each standing alone."""
    words = [w.strip(".,;:()\"'") for w in name.split()]
    words = [w for w in words if w]
    patterns = []
    if len(words) > 1:
        patterns.append("(?i:" + r"[\s,]+".join(re.escape(w) for w in words) + ")")
    parts = dict.fromkeys(p for w in words for p in [w, *w.split("-")] if p)
    for part in parts:
        if len(part) < NAME_PART_MIN and len(part) > 1 and part.isalpha() and part.isupper():
            # Initials recorded as the name ("BH", as imported records keep a person known by
            # initials only): exactly as recorded, capitals only, so "bh" in a word never matches.
            patterns.append(re.escape(part))
            continue
        if len(part) < NAME_PART_MIN or part.casefold() in PARTICLES:
            continue
        forms = dict.fromkeys([part, part[:1].upper() + part[1:], part.upper()])
        patterns.append("(?:" + "|".join(re.escape(f) for f in forms) + ")")
    return patterns


def _contact_patterns(*, address: str = "", email: str = "", phone: str = "") -> list[str]:
    patterns = []
    if "@" in email:
        patterns.append("(?i:" + re.escape(email) + ")")
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        patterns.append(r"(?<!\d)\(?" + r"[\s().\-]{0,3}".join(digits) + r"(?!\d)")
    # Only the lines of an address that hold a number identify a place ("41 Quillwort Crescent");
    # a town alone does not.
    for line in re.split(r"[\n,;]+", address):
        words = line.split()
        if any(ch.isdigit() for ch in line) and len(words) > 1:
            patterns.append("(?i:" + r"\s+".join(re.escape(w) for w in words) + ")")
    return patterns


class Masker:
    """Replaces each name and contact detail of a case's people, in a text, with the person's role
    in brackets ("[a witness]"). Built from ``(stand-in, name, address, email, phone)`` rows."""

    def __init__(self, people: Iterable[tuple[str, str, str, str, str]] = ()) -> None:
        labels: dict[str, str] = {}
        for stand_in, name, address, email, phone in people:
            for pattern in [*_name_patterns(name), *_contact_patterns(address=address, email=email, phone=phone)]:
                labels.setdefault(pattern, f"[{stand_in}]")  # the first record naming a person wins
        # Longest first, so a full name is taken before any of its words.
        ordered = sorted(labels, key=len, reverse=True)
        self._labels = [labels[pattern] for pattern in ordered]
        self._pattern = (
            re.compile("|".join(f"{_WORD_BEFORE}({pattern}){_WORD_AFTER}" for pattern in ordered)) if ordered else None
        )

    def __bool__(self) -> bool:
        return self._pattern is not None

    def _label(self, match: re.Match) -> str:
        return self._labels[match.lastindex - 1]

    def text(self, value: Any) -> str:
        """``value`` as plain text, each detail replaced."""
        value = "" if value is None else str(value)
        return self._pattern.sub(self._label, value) if self._pattern is not None and value else value

    def html(self, markup: Any) -> SafeString:
        """``markup`` as HTML (plain text is escaped first), each detail replaced in the text between
        tags, never inside a tag."""
        markup = conditional_escape("" if markup is None else markup)
        if self._pattern is None:
            return markup
        pieces = re.split(r"(<[^>]*>)", markup)
        for index in range(0, len(pieces), 2):  # the text between tags
            text = html.unescape(pieces[index])
            masked = self.text(text)
            if masked != text:
                pieces[index] = escape(masked)
        # Each piece is a tag of the escaped markup or its text escaped again here.
        return mark_safe("".join(pieces))  # noqa: S308  # nosec B703 B308


def case_people(complaint: Model, kinds: Iterable[str] | None = None) -> list[tuple[str, str, str, str, str]]:
    """``(stand-in, name, address, email, phone)`` for everyone the case's records name: its
    parties, the people interviewed and the people subpoenaed (one query each); with ``kinds``,
    only the people whose details are of those kinds."""
    return case_people_by_case([complaint.pk], kinds).get(complaint.pk, [])


def case_people_by_case(
    complaint_ids: Iterable[Any], kinds: Iterable[str] | None = None
) -> dict[Any, list[tuple[str, str, str, str, str]]]:
    """``case_people`` of many cases at once, by case id (one query per kind of record, whatever
    the number of cases: the search index builds its masked texts in batches with it); with
    ``kinds``, only the people whose details are of those kinds (a model holding none is not read)."""
    ids = list(complaint_ids)
    people: dict[Any, list[tuple[str, str, str, str, str]]] = {}
    if not ids:
        return people
    wanted_kinds = None if kinds is None else set(kinds)
    for label, spec in PEOPLE.items():
        if wanted_kinds is not None and not (
            spec.roles_of(wanted_kinds) or wanted_kinds & set(spec.linked_kinds.values())
        ):
            continue
        model = apps.get_model(label)
        case_key = f"{spec.case_field}_id"
        linked = f"{spec.linked}__role" if spec.linked else ""
        wanted = [case_key, *spec.name, spec.role_field, *(f for f in (spec.address, spec.email, spec.phone) if f)]
        rows = (
            model._default_manager.filter(**{f"{case_key}__in": ids, f"{spec.role_field}__in": list(spec.roles)})
            .order_by("pk")
            .values(*dict.fromkeys([*wanted, *([linked] if linked else [])]))
        )
        for row in rows:
            kind = spec.kind_of(row[spec.role_field], row.get(linked) if linked else None)
            if wanted_kinds is not None and kind not in wanted_kinds:
                continue
            people.setdefault(row[case_key], []).append(
                (
                    str(spec.stand_in(row[spec.role_field], kind)),
                    " ".join(str(row[f] or "").strip() for f in spec.name).strip(),
                    str(row.get(spec.address) or "") if spec.address else "",
                    str(row.get(spec.email) or "") if spec.email else "",
                    str(row.get(spec.phone) or "") if spec.phone else "",
                )
            )
    return people


def _is_case(target: Any) -> bool:
    return isinstance(target, Model) and target._meta.label_lower == CASE_MODEL and target.pk is not None


def masker(request: HttpRequest | None, complaint: Model | None, kinds: Iterable[str] | None = None) -> Masker:
    """The masker of ``complaint``'s people (with ``kinds``, of those whose details are of these
    kinds only), read once per response however many blocks use it."""
    if not _is_case(complaint):
        return Masker()
    key = complaint.pk if kinds is None else (complaint.pk, frozenset(kinds))
    reads = _reads_for(request)
    if reads is not None and key in reads.maskers:
        return reads.maskers[key]
    built = Masker(case_people(complaint, kinds))
    if reads is not None:
        reads.maskers[key] = built
    return built


def free_text(user: Any, markup: Any, target: Model | None, *, request: HttpRequest | None = None) -> SafeString:
    """Case content (escaped HTML) as ``user`` may read it: as written for a user who may see
    every person on the case, with the people they may not see replaced by their roles for anyone
    else. A reader who lacks only a restricted kind reads the case as written unless the case says
    it may hold such a person (``withholds_people``), so other cases cost no query."""
    markup = "" if markup is None else markup
    if not _is_case(target):
        return conditional_escape(markup)
    hidden = withheld_kinds(user)
    if not hidden:
        return conditional_escape(markup)
    if hidden <= RESTRICTED_KINDS.keys():
        if not getattr(target, "withholds_people", False):
            return conditional_escape(markup)
        return masker(request, target, hidden).html(markup)
    return masker(request, target).html(markup)
