"""What a publication holds, worked out from a decided case: the snapshot.

``case_facts(complaint)`` reads what the snapshot needs of a case (the decision in force, the
allegations with their final findings, the recommended discipline, the department's responses and
the subject officers) in a few queries; ``build_snapshot(facts, policy=..., summary=...)`` turns those
facts into the public record without touching the database, so the demo seeder builds thousands of
them from facts it reads in bulk, through the same code.

The rules it applies:

* dates: the incident's month and year (never the day), the year the complaint was received, the
  decision's date and year;
* each allegation: its category and top-level class, the final disposition, the officer and, where
  the disclosure policy makes them public, the recommended discipline, the department's response
  and the discipline imposed;
* officers the policy keeps private are "Officer A", "Officer B"... in the order of their first
  allegation in the case, and the summary uses the same letters (``redact_summary``);
* the summary is the investigation's public summary through the redactor, with every name, contact
  detail and officer the case records hold and the policy keeps private, plus any tracking number.
  The log keeps each removal's category, position and length, never the removed text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .policy import Policy
from .redaction import OFFICER_PSEUDONYM, PLACEHOLDERS, Category, Term, _officer_letter, redact

# Categories of the removals made here rather than by the redactor.
CASE_NUMBER = "case_number"
OTHER = "other"
EXTRA_PLACEHOLDERS = {
    CASE_NUMBER: gettext_lazy("[case number removed]"),
    OTHER: gettext_lazy("[removed]"),
}


def placeholder(category: str) -> str:
    """The text that stands where something of ``category`` was removed, in the snapshot's language."""
    with translation.override(settings.LANGUAGE_CODE):
        if category in EXTRA_PLACEHOLDERS:
            return str(EXTRA_PLACEHOLDERS[category])
        return str(PLACEHOLDERS[Category(category)])


def officer_pseudonym(letter: str) -> str:
    return _pseudonym(settings.LANGUAGE_CODE, letter)


@lru_cache(maxsize=512)
def _pseudonym(language: str, letter: str) -> str:
    with translation.override(language):
        return str(OFFICER_PSEUDONYM) % {"letter": letter}


def sha256(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def tracking_number_re() -> re.Pattern:
    """A tracking number of any case (``CPC-2026-00042``, with or without the hyphens)."""
    prefix = re.escape(str(settings.TRACKING_NUMBER_PREFIX))
    return re.compile(rf"(?<![A-Za-z0-9]){prefix}[\s\-]?\d{{4}}[\s\-]?\d{{3,}}(?![0-9])", re.IGNORECASE)


# --- The facts of a case --------------------------------------------------------------------------


@dataclass
class OfficerFacts:
    """One officer of the case. ``key`` is the redactor's person key (``officer:5`` for a roster
    officer, ``subject:7`` for one known only by description)."""

    key: str
    officer_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    badge: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class AllegationFacts:
    id: int
    officer_key: str
    category_id: int | None
    disposition: str
    recommended_discipline: str = ""
    response: str = ""
    responded_on: date | None = None
    discipline_imposed: str = ""


@dataclass
class CaseFacts:
    complaint_id: int
    incident_date: date | None
    district_id: int | None
    received_at: datetime | None
    decision_kind: str
    decided_at: datetime | None
    # In the order of the case's allegations (by id).
    allegations: list[AllegationFacts]
    officers: dict[str, OfficerFacts]


def officer_key(subject_id: int, officer_id: int | None) -> str:
    return f"officer:{officer_id}" if officer_id else f"subject:{subject_id}"


def case_facts(complaint: Any, decision: Any) -> CaseFacts:
    """The facts of ``complaint`` under ``decision`` (the board decision in force): three queries."""
    from complaints.models import Allegation
    from investigations.board.models import DecisionFinding

    recommended = dict(
        DecisionFinding.objects.filter(decision=decision).values_list(
            "finding__allegation_id", "recommended_discipline"
        )
    )
    rows = (
        Allegation.objects.filter(complaint=complaint)
        .order_by("id")
        .values_list(
            "id",
            "category_id",
            "subject_officer_id",
            "subject_officer__officer_id",
            "subject_officer__officer__first_name",
            "subject_officer__officer__last_name",
            "subject_officer__officer__badge_number",
            "finding__final_disposition",
            "finding__department_response__response",
            "finding__department_response__responded_on",
            "finding__department_response__discipline_imposed",
        )
    )
    allegations, officers = [], {}
    for (
        pk,
        category_id,
        subject_id,
        officer_id,
        first,
        last,
        badge,
        disposition,
        response,
        responded_on,
        imposed,
    ) in rows:
        key = officer_key(subject_id, officer_id)
        officers.setdefault(
            key,
            OfficerFacts(key, officer_id, first or "", last or "", badge or "") if officer_id else OfficerFacts(key),
        )
        allegations.append(
            AllegationFacts(
                id=pk,
                officer_key=key,
                category_id=category_id,
                disposition=disposition or "",
                recommended_discipline=recommended.get(pk, "") or "",
                response=response or "",
                responded_on=responded_on,
                discipline_imposed=imposed or "",
            )
        )
    return CaseFacts(
        complaint_id=complaint.pk,
        incident_date=complaint.incident_date,
        district_id=complaint.district_id,
        received_at=complaint.received_at,
        decision_kind=decision.kind,
        decided_at=decision.created_at,
        allegations=allegations,
        officers=officers,
    )


# --- The summary ------------------------------------------------------------------------------------


@dataclass
class SummaryRedaction:
    text: str
    # [{"category", "start", "length", "output_start", "output_length"}], positions in the source
    # (start, length) and in the text (output_*); never the removed text.
    log: list[dict[str, Any]]


@dataclass
class _Cut:
    start: int
    end: int
    category: str
    replacement: str


def _officer_of(span: str, candidates: list[str], officer_terms: dict[str, tuple[Term, ...]]) -> str | None:
    """Which of the case's officers a removed officer-name span names: the first (in lettering
    order) whose own name terms the redactor finds in it. A title is put in front so that a short
    or common surname, removed in its sentence after a title or as a capitalised word, is found
    alone too."""
    for key in candidates:
        terms = officer_terms.get(key)
        if not terms:
            continue
        found = redact(f"Officer {span}", terms=terms)
        if any(entry.category == Category.OFFICER_NAME for entry in found.log):
            return key
    return None


def redact_summary(
    source: str,
    *,
    terms: tuple[Term, ...],
    public_keys: set[str],
    letters: dict[str, str],
) -> SummaryRedaction:
    """The public summary made from ``source``.

    ``terms`` are the case's (``known_terms_for_case``); officers whose person key is in
    ``public_keys`` keep their names. The redactor letters officers in the order they appear in the
    text; here each removed officer gets the letter ``letters`` gives their person key (the order of
    their first allegation), so the summary and the allegation rows agree. An officer the text names
    whom the case's allegations do not (a subject officer without an allegation, an interviewee)
    gets the next letters, in the order they appear. Tracking numbers go too (``[case number
    removed]``)."""
    redacted = redact(source, terms=terms, officer_names_public={*public_keys})
    officer_terms: dict[str, list[Term]] = {}
    for term in terms:
        if term.category == Category.OFFICER_NAME and term.person:
            officer_terms.setdefault(term.person, []).append(term)
    frozen_terms = {key: tuple(values) for key, values in officer_terms.items()}
    candidates = [key for key in letters if key not in public_keys] + [
        key for key in frozen_terms if key not in letters and key not in public_keys
    ]
    assigned = dict(letters)
    by_pseudonym: dict[str, str] = {}
    cuts: list[_Cut] = []
    for entry in redacted.log:
        if entry.category == Category.OFFICER_NAME:
            key = _officer_of(source[entry.start : entry.end], candidates, frozen_terms)
            if key is None:
                # Someone the records do not name: keep the redactor's own grouping of the mentions.
                written = redacted.text[entry.output_start : entry.output_start + entry.output_length]
                key = by_pseudonym.setdefault(written, f"unnamed:{written}")
            if key not in assigned:
                assigned[key] = _officer_letter(len(assigned))
            replacement = officer_pseudonym(assigned[key])
        else:
            replacement = redacted.text[entry.output_start : entry.output_start + entry.output_length]
        cuts.append(_Cut(entry.start, entry.end, str(entry.category), replacement))
    taken = [(c.start, c.end) for c in cuts]
    for match in tracking_number_re().finditer(source):
        if not any(start < match.end() and match.start() < end for start, end in taken):
            cuts.append(_Cut(match.start(), match.end(), CASE_NUMBER, placeholder(CASE_NUMBER)))
    cuts.sort(key=lambda c: c.start)
    pieces: list[str] = []
    log: list[dict[str, Any]] = []
    position = length = 0
    for cut in cuts:
        pieces.append(source[position : cut.start])
        length += cut.start - position
        pieces.append(cut.replacement)
        log.append(
            {
                "category": cut.category,
                "start": cut.start,
                "length": cut.end - cut.start,
                "output_start": length,
                "output_length": len(cut.replacement),
            }
        )
        length += len(cut.replacement)
        position = cut.end
    pieces.append(source[position:])
    return SummaryRedaction(text="".join(pieces), log=log)


# --- The snapshot -----------------------------------------------------------------------------------


@dataclass
class AllegationRow:
    position: int
    category_id: int | None
    category_class_id: int | None
    disposition: str
    officer_label: str
    officer_disclosed: bool = False
    officer_id: int | None = None
    officer_name: str = ""
    officer_badge: str = ""
    recommended_discipline: str = ""
    department_response: str = ""
    discipline_imposed: str = ""

    FIELDS = (
        "position",
        "category_id",
        "category_class_id",
        "disposition",
        "officer_label",
        "officer_disclosed",
        "officer_id",
        "officer_name",
        "officer_badge",
        "recommended_discipline",
        "department_response",
        "discipline_imposed",
    )

    def values(self) -> dict[str, Any]:
        return dict(zip(self.FIELDS, self.as_tuple(), strict=True))

    def as_tuple(self) -> tuple:
        """The row's values in ``FIELDS`` order."""
        return (
            self.position,
            self.category_id,
            self.category_class_id,
            self.disposition,
            self.officer_label,
            self.officer_disclosed,
            self.officer_id,
            self.officer_name,
            self.officer_badge,
            self.recommended_discipline,
            self.department_response,
            self.discipline_imposed,
        )


@dataclass
class Snapshot:
    fields: dict[str, Any]
    allegations: list[AllegationRow]
    public_keys: set[str] = field(default_factory=set)
    letters: dict[str, str] = field(default_factory=dict)


def _local(moment: datetime | None) -> date | None:
    """The day ``moment`` fell on where the agency is (the site's time zone)."""
    if moment is None:
        return None
    return moment.astimezone(timezone.get_default_timezone()).date() if timezone.is_aware(moment) else moment.date()


def disclosure_plan(facts: CaseFacts, policy: Policy) -> tuple[set[str], dict[str, str]]:
    """Whose names are public (person keys) and the letter of every other officer: an identified
    officer is named when one of their allegations is covered by a rule that names; the others are
    lettered in the order of their first allegation."""
    public: set[str] = set()
    for allegation in facts.allegations:
        officer = facts.officers[allegation.officer_key]
        if officer.officer_id and policy.decide(allegation.category_id, allegation.disposition).names_officer:
            public.add(officer.key)
    letters: dict[str, str] = {}
    for allegation in facts.allegations:
        key = allegation.officer_key
        if key not in public and key not in letters:
            letters[key] = _officer_letter(len(letters))
    return public, letters


@lru_cache(maxsize=8)
def _phrases(language: str) -> dict[str, str]:
    """The sentences of the discipline summary in ``language``, translated once."""
    with translation.override(language):
        return {
            "imposed": _("%(what)s: the board recommended %(recommended)s; the department imposed %(imposed)s."),
            "none_imposed": _("%(what)s: the board recommended %(recommended)s; the department imposed none."),
            "recommended": _("%(what)s: the board recommended %(recommended)s."),
            "responded": _("%(what)s: the department %(response)s the recommendation"),
            "awaited": _("%(what)s: the department's response is awaited."),
            "no_discipline": _("no discipline"),
            "unclassified": _("unclassified"),
            "accepted": _("accepted"),
            "modified": _("modified"),
            "rejected": _("rejected"),
        }


def _discipline_lines(rows: list[AllegationRow], facts: CaseFacts, names: dict[int, str]) -> tuple[str, str]:
    """The publication's plain-words discipline outcome and department's response, from the rows
    whose discipline is public (blank when none is), in the site's language."""
    phrases = _phrases(settings.LANGUAGE_CODE)
    outcome, responses = [], []
    for row, allegation in zip(rows, facts.allegations, strict=True):
        if not (row.recommended_discipline or row.department_response):
            continue
        what = f"{row.officer_label}, {names.get(row.category_id or 0, '') or phrases['unclassified']}"
        recommended = row.recommended_discipline or phrases["no_discipline"]
        if row.department_response and row.discipline_imposed:
            outcome.append(
                phrases["imposed"] % {"what": what, "recommended": recommended, "imposed": row.discipline_imposed}
            )
        elif row.department_response:
            outcome.append(phrases["none_imposed"] % {"what": what, "recommended": recommended})
        else:
            outcome.append(phrases["recommended"] % {"what": what, "recommended": recommended})
        if row.department_response:
            when = allegation.responded_on.isoformat() if allegation.responded_on else ""
            text = phrases["responded"] % {
                "what": what,
                "response": phrases.get(row.department_response, row.department_response),
            }
            responses.append(f"{text} ({when})." if when else f"{text}.")
        else:
            responses.append(phrases["awaited"] % {"what": what})
    return "\n".join(outcome), "\n".join(responses)


def build_snapshot(
    facts: CaseFacts,
    *,
    policy: Policy,
    category_names: dict[int, str],
    summary: SummaryRedaction | None = None,
) -> Snapshot:
    """The publication's fields and allegation rows for ``facts`` under ``policy``. ``summary`` is the
    redacted summary (``redact_summary`` with this snapshot's ``public_keys`` and ``letters``); the
    caller makes it, since it needs the case's terms. Writes nothing."""
    public, letters = disclosure_plan(facts, policy)
    rows: list[AllegationRow] = []
    for position, allegation in enumerate(facts.allegations):
        officer = facts.officers[allegation.officer_key]
        disclosure = policy.decide(allegation.category_id, allegation.disposition)
        named = officer.key in public
        row = AllegationRow(
            position=position,
            category_id=allegation.category_id,
            category_class_id=policy.class_of(allegation.category_id),
            disposition=allegation.disposition,
            officer_label=(officer.full_name[:40] if named else officer_pseudonym(letters[officer.key])),
            officer_disclosed=named,
            officer_id=officer.officer_id if named else None,
            officer_name=officer.full_name[:200] if named else "",
            officer_badge=officer.badge[:32] if named else "",
        )
        if disclosure.discloses_discipline:
            row.recommended_discipline = allegation.recommended_discipline[:32]
            row.department_response = allegation.response[:12]
            row.discipline_imposed = allegation.discipline_imposed[:200] if allegation.response else ""
        rows.append(row)
    outcome = response = ""
    if any(row.recommended_discipline or row.department_response for row in rows):
        outcome, response = _discipline_lines(rows, facts, category_names)
    incident = facts.incident_date
    decided_on = _local(facts.decided_at)
    received_on = _local(facts.received_at)
    fields = {
        "incident_year": incident.year if incident else None,
        "incident_month": incident.month if incident else None,
        "district_id": facts.district_id,
        "received_year": received_on.year if received_on else None,
        "decision_date": decided_on,
        "decision_year": decided_on.year if decided_on else None,
        "board_decision": facts.decision_kind,
        "summary": summary.text if summary else "",
        "redaction_log": summary.log if summary else [],
        "discipline_outcome": outcome,
        "department_response": response,
        "disclosure_policy": policy.name,
    }
    return Snapshot(fields=fields, allegations=rows, public_keys=public, letters=letters)
