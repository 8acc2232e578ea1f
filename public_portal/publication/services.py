"""Every write of publication: drafting, correcting, editing a draft, redacting more by hand, the
lifecycle's moves, and resetting the disclosure rules.

Rules enforced here:

* Only a decided or closed case whose board decision in force adopted or modified the findings is
  published, and never a case of a type in ``PUBLICATION_NEVER_INDIVIDUAL`` (mediated, referred and
  administratively closed by default): those count only in the aggregates.
* A case has one public id for good. Its first draft gets a new random one; every later version (a
  correction, or a new draft after one was discarded or retracted) is the next version of it.
* A case has at most one open version (draft or approved) and one published version at a time;
  asking to draft again answers with the open or published one (``PublicationRefused.existing``).
* Text changes only while a version is a draft. Whoever changes it is remembered, so the two-person
  rule keeps them from approving it.
* Audit events carry ids, versions, counts and lengths: never the summary's text or a name.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import AllegationCategory, Complaint
from oversight import audit
from oversight.lifecycle import MoveRefused

from .models import Publication, PublishedAllegation, new_public_id
from .policy import load_policy
from .redaction import known_terms_for_case
from .snapshot import (
    OTHER,
    build_snapshot,
    case_facts,
    placeholder,
    redact_summary,
    sha256,
)
from .summaries import class_codes, summary_fields
from .workflow import DRAFT_PERM, PUBLICATION_LIFECYCLE, target_label

P = Publication.Status
S = Complaint.Status
OPEN = (P.DRAFT, P.APPROVED)
ELIGIBLE_STATUSES = (S.DECIDED, S.CLOSED)
# What "redact more" may remove a phrase as.
MANUAL_CATEGORIES = (
    "name",
    "email",
    "phone",
    "address",
    "plate",
    "date_of_birth",
    "ssn",
    "drivers_license",
    "description",
    OTHER,
)


class PublicationRefused(Exception):
    """A draft or correction that will not be made; ``message`` says why, ``existing`` is the version
    to go to instead, when there is one."""

    def __init__(self, message: str, *, existing: Publication | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.existing = existing


def never_individual() -> set[str]:
    return {str(status).strip() for status in settings.PUBLICATION_NEVER_INDIVIDUAL if str(status).strip()}


def eligible_statuses() -> list[str]:
    return [status for status in ELIGIBLE_STATUSES if status not in never_individual()]


def decision_in_force(complaint: Complaint) -> Any:
    """The case's board decision in force: its latest decision not itself corrected."""
    from investigations.board.models import BoardDecision

    return (
        BoardDecision.objects.filter(complaint=complaint, corrected_by__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def eligibility_refusal(complaint: Complaint, decision: Any) -> str | None:
    """Why ``complaint`` cannot be published one by one, or None."""
    from investigations.board.models import BoardDecision

    if complaint.status in never_individual():
        return _(
            "Cases that end “%(status)s” are never published one by one; they count only in the public statistics."
        ) % {"status": complaint.get_status_display()}
    if complaint.status not in ELIGIBLE_STATUSES:
        return _("Only a decided or closed case is published. This case is “%(status)s”.") % {
            "status": complaint.get_status_display()
        }
    if decision is None or decision.kind not in (BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY):
        return _("This case has no board decision adopting or modifying its findings, so there is nothing to publish.")
    return None


def _require(actor: Any, perm: str, action: str, target: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.has_perm(perm)):
        audit.record_refusal(action, target=target, actor=actor, data={"refused": "forbidden"})
        raise PermissionDenied(_("Only a publication officer can do this."))


def _category_names() -> dict[int, str]:
    return dict(AllegationCategory.objects.values_list("id", "name"))


def _snapshot_for(complaint: Complaint, decision: Any) -> tuple[dict[str, Any], list[PublishedAllegation]]:
    from investigations.models import Investigation

    facts = case_facts(complaint, decision)
    if not facts.allegations:
        raise PublicationRefused(_("This case has no allegations, so there is nothing to publish."))
    if any(not allegation.disposition for allegation in facts.allegations):
        raise PublicationRefused(
            _("An allegation of this case has no final disposition yet, so it cannot be published.")
        )
    policy = load_policy()
    source = Investigation.objects.filter(complaint=complaint).values_list("public_summary", flat=True).first() or ""
    snapshot = build_snapshot(facts, policy=policy, category_names=_category_names())
    summary = redact_summary(
        source,
        terms=known_terms_for_case(complaint),
        public_keys=snapshot.public_keys,
        letters=snapshot.letters,
    )
    fields = {**snapshot.fields, "summary": summary.text, "redaction_log": summary.log, "source_sha256": sha256(source)}
    rows = [PublishedAllegation(**row.values()) for row in snapshot.allegations]
    return fields, rows


def _create(
    *, complaint: Complaint, actor: Any, decision: Any, previous: Publication | None, supersedes: Publication | None
) -> Publication:
    fields, rows = _snapshot_for(complaint, decision)
    publication = Publication(
        complaint=complaint,
        supersedes=supersedes,
        drafted_by=actor if getattr(actor, "is_authenticated", False) else None,
        drafted_by_name=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        **fields,
    )
    if previous is not None:
        publication.public_id = previous.public_id
        publication.version = previous.version + 1
    else:
        # A random id is drawn for a case's first version; draw again in the unlikely case it is taken.
        while Publication.objects.filter(public_id=publication.public_id).exists():
            publication.public_id = new_public_id()
    publication._history_user = publication.drafted_by
    # The allegations go in with bulk_create, which sends no signals: their summary is written here.
    for name, value in summary_fields(rows, class_codes()).items():
        setattr(publication, name, value)
    publication.save()
    for row in rows:
        row.publication = publication
    PublishedAllegation.objects.bulk_create(rows)
    return publication


def _audit_data(publication: Publication, **extra: Any) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for entry in publication.redaction_log:
        counts[entry["category"]] = counts.get(entry["category"], 0) + 1
    return {
        "public_id": publication.public_id,
        "version": publication.version,
        "policy": publication.disclosure_policy,
        "allegations": len(publication.allegations.all()) if publication.pk else 0,
        "officers_named": publication.allegations.filter(officer_disclosed=True)
        .values("officer_id")
        .distinct()
        .count(),
        "redactions": counts,
        **extra,
    }


def _locked_case(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _latest(complaint: Complaint) -> Publication | None:
    return Publication.objects.filter(complaint=complaint).order_by("-version", "-id").first()


def publication_draft(*, complaint: Complaint, actor: Any) -> Publication:
    """Draft the public record of a decided or closed case: the snapshot of its decision in force
    under the disclosure policy in force, with its public summary redacted.

    Refused (``PublicationRefused``, with a plain message) for a case type never published one by
    one, a case not decided or closed, a case without an adopting or modifying decision, and a case
    that already has an open or a published version (``existing``: go there)."""
    _require(actor, DRAFT_PERM, "publication.drafted", complaint)
    with audit.service_atomic():
        locked = _locked_case(complaint)
        decision = decision_in_force(locked)
        refusal = eligibility_refusal(locked, decision)
        if refusal:
            raise PublicationRefused(refusal)
        current = Publication.objects.filter(complaint=locked, status__in=[*OPEN, P.PUBLISHED]).order_by("-version")
        existing = current.first()
        if existing is not None and existing.status in OPEN:
            raise PublicationRefused(
                _("This case already has a version being prepared (%(id)s version %(version)d).")
                % {"id": existing.public_id, "version": existing.version},
                existing=existing,
            )
        if existing is not None:
            raise PublicationRefused(
                _("This case is published as %(id)s version %(version)d: correct that version instead.")
                % {"id": existing.public_id, "version": existing.version},
                existing=existing,
            )
        publication = _create(
            complaint=locked, actor=actor, decision=decision, previous=_latest(locked), supersedes=None
        )
        audit.record(
            "publication.drafted",
            target=publication,
            target_label=target_label(publication),
            actor=actor,
            data=_audit_data(publication, decision=decision.pk),
        )
    return publication


def publication_correct(*, publication: Publication, actor: Any) -> Publication:
    """Draft version N+1 of a published version N, from the case as it is now, with the same public
    id; publishing it supersedes version N (``workflow``)."""
    _require(actor, DRAFT_PERM, "publication.corrected", publication)
    with audit.service_atomic():
        complaint = _locked_case(publication.complaint)
        current = Publication.objects.get(pk=publication.pk)
        if current.status != P.PUBLISHED:
            raise PublicationRefused(
                _("Only a published version is corrected; this one is “%(status)s”.")
                % {"status": current.get_status_display()}
            )
        open_version = Publication.objects.filter(complaint=complaint, status__in=OPEN).first()
        if open_version is not None:
            raise PublicationRefused(
                _("A correction is already being prepared (version %(version)d).") % {"version": open_version.version},
                existing=open_version,
            )
        decision = decision_in_force(complaint)
        refusal = eligibility_refusal(complaint, decision)
        if refusal:
            raise PublicationRefused(refusal + " " + _("It can still be retracted."))
        correction = _create(
            complaint=complaint, actor=actor, decision=decision, previous=_latest(complaint), supersedes=current
        )
        audit.record(
            "publication.corrected",
            target=correction,
            target_label=target_label(correction),
            actor=actor,
            data=_audit_data(correction, decision=decision.pk, corrects=current.version),
        )
    return correction


def _locked_draft(publication: Publication, based_on: str | None) -> Publication:
    locked = Publication.objects.select_for_update().select_related("complaint").get(pk=publication.pk)
    if locked.status != P.DRAFT:
        raise PublicationRefused(
            _("Only a draft is edited; this version is “%(status)s”. Send it back to draft first, if it is approved.")
            % {"status": locked.get_status_display()}
        )
    if based_on is not None and based_on != text_token(locked.summary):
        raise PublicationRefused(
            _("Someone else changed this draft's text while you were editing it. Check it and make your change again.")
        )
    return locked


def text_token(text: str) -> str:
    """A short fingerprint of a draft's text: an edit form sends it back, so an edit made on a page
    older than the text is refused rather than written over someone else's."""
    return sha256(text)[:16]


def _mark_editor(publication: Publication, actor: Any) -> None:
    editors = list(publication.edited_by_ids or [])
    if actor.pk not in editors:
        editors.append(actor.pk)
    publication.edited_by_ids = editors


def publication_edit(*, publication: Publication, actor: Any, summary: str, based_on: str | None = None) -> Publication:
    """Replace a draft's summary text. Only while a draft; the editor may not approve it afterwards
    (two-person rule). The redactor's checks run again before approval and publication."""
    _require(actor, DRAFT_PERM, "publication.edited", publication)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("Write the summary the public will read.")]})
    with audit.service_atomic():
        locked = _locked_draft(publication, based_on)
        before = len(locked.summary)
        locked.summary = summary
        _mark_editor(locked, actor)
        locked._history_user = actor
        locked.save(update_fields=["summary", "edited_by_ids", "updated_at"])
        audit.record(
            "publication.edited",
            target=locked,
            target_label=target_label(locked),
            actor=actor,
            data={
                "public_id": locked.public_id,
                "version": locked.version,
                "length_before": before,
                "length": len(summary),
            },
        )
    publication.refresh_from_db()
    return publication


def publication_redact_more(
    *, publication: Publication, actor: Any, phrase: str, category: str, based_on: str | None = None
) -> int:
    """Remove ``phrase`` everywhere in a draft's text (any case), putting the category's placeholder
    in its place; returns how many were removed. Each removal is logged in ``manual_redactions`` by
    category, position and length in the new text (and the length removed), never the phrase."""
    _require(actor, DRAFT_PERM, "publication.redacted", publication)
    phrase = (phrase or "").strip()
    if category not in MANUAL_CATEGORIES:
        raise ValidationError({"category": [_("Choose what kind of detail it is.")]})
    if len(phrase) < 2 or not any(ch.isalnum() for ch in phrase):
        raise ValidationError({"phrase": [_("Type at least two letters or digits of what to remove.")]})
    replacement = placeholder(category)
    with audit.service_atomic():
        locked = _locked_draft(publication, based_on)
        pattern = re.compile(re.escape(phrase), re.IGNORECASE)
        matches = list(pattern.finditer(locked.summary))
        if not matches:
            raise ValidationError({"phrase": [_("That text is not in the draft (the search ignores capitals).")]})
        pieces, entries, position, length = [], [], 0, 0
        for match in matches:
            pieces.append(locked.summary[position : match.start()])
            length += match.start() - position
            pieces.append(replacement)
            entries.append(
                {
                    "category": category,
                    "start": length,
                    "length": len(replacement),
                    "removed_length": len(match.group()),
                }
            )
            length += len(replacement)
            position = match.end()
        pieces.append(locked.summary[position:])
        locked.summary = "".join(pieces)
        locked.manual_redactions = [*(locked.manual_redactions or []), *entries]
        _mark_editor(locked, actor)
        locked._history_user = actor
        locked.save(update_fields=["summary", "manual_redactions", "edited_by_ids", "updated_at"])
        audit.record(
            "publication.redacted",
            target=locked,
            target_label=target_label(locked),
            actor=actor,
            data={
                "public_id": locked.public_id,
                "version": locked.version,
                "category": category,
                "count": len(matches),
            },
        )
    publication.refresh_from_db()
    return len(matches)


def publication_move(
    *, publication: Publication, actor: Any, to_status: str, reason: str = "", expected: str | None = None
) -> Publication:
    """Make one lifecycle move (approve, send back, publish, discard, retract). Raises ``MoveRefused``
    with a plain message when it is not allowed now."""
    PUBLICATION_LIFECYCLE.run(obj=publication, target=to_status, actor=actor, reason=reason, expected=expected)
    publication.refresh_from_db()
    return publication


def disclosure_rules_reset(*, preset: str, actor: Any = None) -> int:
    """Replace the disclosure rules with a preset (``california``, ``all_public`` or ``none``)."""
    from .models import DisclosureRule
    from .policy import reset_rules

    with transaction.atomic():
        count = reset_rules(DisclosureRule, AllegationCategory, preset)
        audit.record("publication.policy_changed", actor=actor, data={"preset": preset, "rules": count})
    return count


__all__ = [
    "MoveRefused",
    "PublicationRefused",
    "publication_correct",
    "publication_draft",
    "publication_edit",
    "publication_move",
    "publication_redact_more",
    "disclosure_rules_reset",
]
