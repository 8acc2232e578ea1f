"""Demo publications: most decided and closed cases published, a few left for the demo publication
officers to work on.

Of the cases whose board decision in force adopted or modified the findings (and whose type is ever
published one by one):

* the newest (``READY_SHARE``, at least ``READY_MIN``) are left with nothing drafted, so the queue's
  "Ready to draft" tab has work, and a tenth of the rest were never drafted (a backlog);
* a handful of recent ones are in progress, their summaries rewritten to name the people on the
  case so the review page shows the redactor at work: drafts by ``publisher2`` (for the demo
  ``publisher`` to approve), drafts by ``publisher`` (the two-person rule stops them approving their
  own) and approved versions waiting to be published;
* one was corrected (version 1 superseded, version 2 published) and one retracted;
* the rest are published: drafted by ``publisher``, approved by ``publisher2``, published by
  ``publisher``.

Every snapshot goes through ``snapshot.build_snapshot`` under the policy in force. The summaries of
the bulk-published cases are the demo's generated ones, which repeat: each distinct text is redacted
once (``redact_summary``, pattern rules only, since they carry no names) and reused. The cases in
progress are drafted through ``services._snapshot_for``, with their case records' names and
contacts, exactly as the staff page drafts. Rows are streamed out through ``oversight.bulk``
writers a range of complaint ids at a time, like the seeders before this one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max, Min
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint, Party, SubjectOfficer
from investigations.board.models import BoardDecision, DecisionFinding
from investigations.models import Investigation
from oversight.bulk import TableWriter, pages
from oversight.demo import DemoContext, register
from oversight.models import District

from .models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH, Publication, PublishedAllegation
from .policy import load_policy
from .snapshot import AllegationFacts, AllegationRow, CaseFacts, OfficerFacts, build_snapshot, officer_key, sha256
from .snapshot import redact_summary as redact
from .summaries import FIELDS as SUMMARY_FIELDS
from .summaries import class_codes, summarize, summary_fields

P = Publication.Status
READY_SHARE = 0.03
READY_MIN = 12
# A decision this recent is not published yet (drafting, approval and publication take weeks).
READY_DAYS = 30
BACKLOG_SHARE = 0.1
IN_PROGRESS = {"draft_by_other": 3, "draft_by_me": 2, "approved": 2}
PAGE = 20_000

PUBLICATION_FIELDS = [
    "id",
    "public_id",
    "version",
    "complaint_id",
    "supersedes_id",
    "status",
    "incident_year",
    "incident_month",
    "district_id",
    "received_year",
    "decision_date",
    "decision_year",
    "board_decision",
    "summary",
    "discipline_outcome",
    "department_response",
    "redaction_log",
    "source_sha256",
    "disclosure_policy",
    "drafted_by_id",
    "drafted_by_name",
    "approved_by_id",
    "approved_by_name",
    "approved_at",
    "published_by_id",
    "published_by_name",
    "published_at",
    "ended_at",
    "ended_by_id",
    "ended_by_name",
    "end_reason",
    "created_at",
    "updated_at",
    *SUMMARY_FIELDS,
]
ALLEGATION_FIELDS = ["publication_id", *AllegationRow.FIELDS]

RETRACTION_REASON = "The complainant's family asked us to review the summary; withdrawn while it is reviewed."


def _summary_for(first: str, last: str, officer: str) -> str:
    """A realistic summary that names the people on the case, as investigators sometimes write it."""
    return (
        f"{first} {last} reported that on the evening of the incident an officer stopped her near the "
        f"bus shelter and searched her bag without asking. Ms. {last} said she gave her phone number, "
        f"215-555-0142, and her address, 4410 N Broad St, to the officer. The body-worn camera video shows "
        f"{officer} searching the bag; the investigation found no record of consent."
    )


def _public_id(rng_offset: int, number: int) -> str:
    """A public id for the ``number``-th demo publication: a permutation of the numbers below 30^8,
    so no two are the same, yet they look as random as the ones drafting draws."""
    base = len(PUBLIC_ID_ALPHABET)
    space = base**PUBLIC_ID_LENGTH
    value = (number * 1_000_003 + rng_offset) % space  # 1,000,003 is prime, coprime to 30
    chars = []
    for _ in range(PUBLIC_ID_LENGTH):
        value, digit = divmod(value, base)
        chars.append(PUBLIC_ID_ALPHABET[digit])
    return "D-" + "".join(reversed(chars))


def _users(ctx: DemoContext) -> tuple[Any, Any] | None:
    users = ctx.shared.get("users", {})
    me, other = users.get("publisher"), users.get("publisher2")
    if me is None:
        return None
    if other is None:
        other = get_user_model().objects.filter(username="publisher2").first() or me
    return me, other


def _eligible_decisions(first: int, last: int) -> dict[int, tuple[int, str, datetime]]:
    """complaint id -> (decision id, kind, decided at) for the decision in force of the complaints in
    the id range, when it adopted or modified the findings."""
    latest: dict[int, tuple[int, str, datetime]] = {}
    rows = BoardDecision.objects.filter(complaint_id__gte=first, complaint_id__lte=last).values_list(
        "complaint_id", "id", "kind", "created_at"
    )
    for complaint_id, decision_id, kind, created_at in rows:
        if complaint_id not in latest or decision_id > latest[complaint_id][0]:
            latest[complaint_id] = (decision_id, kind, created_at)
    return {
        pk: value for pk, value in latest.items() if value[1] in (BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY)
    }


def _allegations(first: int, last: int) -> dict[int, list[tuple]]:
    from complaints.models import Allegation

    ids = list(
        Allegation.objects.filter(complaint_id__gte=first, complaint_id__lte=last)
        .order_by()
        .values_list("id", flat=True)
    )
    by_case: dict[int, list[tuple]] = {}
    if not ids:
        return by_case
    rows = (
        Allegation.objects.filter(id__gte=min(ids), id__lte=max(ids), complaint_id__gte=first, complaint_id__lte=last)
        .order_by("id")
        .values_list(
            "id",
            "complaint_id",
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
    for row in rows:
        by_case.setdefault(row[1], []).append(row)
    return by_case


def _recommended(decision_ids: list[int]) -> dict[int, str]:
    if not decision_ids:
        return {}
    return dict(
        DecisionFinding.objects.filter(decision_id__gte=min(decision_ids), decision_id__lte=max(decision_ids))
        .exclude(recommended_discipline="")
        .values_list("finding__allegation_id", "recommended_discipline")
    )


def _facts(case: tuple, decision: tuple, rows: list[tuple], recommended: dict[int, str]) -> CaseFacts | None:
    complaint_id, incident_date, district_id, received_at = case
    allegations, officers = [], {}
    for pk, _c, category_id, subject_id, officer_id, first, last, badge, disposition, response, on, imposed in rows:
        if not disposition:
            return None
        key = officer_key(subject_id, officer_id)
        if key not in officers:
            officers[key] = (
                OfficerFacts(key, officer_id, first or "", last or "", badge or "")
                if officer_id
                else (OfficerFacts(key))
            )
        allegations.append(
            AllegationFacts(
                pk, key, category_id, disposition, recommended.get(pk, ""), response or "", on, imposed or ""
            )
        )
    if not allegations:
        return None
    return CaseFacts(
        complaint_id, incident_date, district_id, received_at, decision[1], decision[2], allegations, officers
    )


@register("publication")
def seed_publications(ctx: DemoContext) -> None:
    people = _users(ctx)
    if people is None or not BoardDecision.objects.exists():
        return
    me, other = people
    from .services import eligible_statuses

    rng = ctx.rng
    policy = load_policy()
    names = dict(AllegationCategory.objects.values_list("id", "name"))
    codes = class_codes()
    statuses = eligible_statuses()
    cases = Complaint.objects.filter(status__in=statuses)
    bounds = cases.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return
    # The latest decisions recorded stay undrafted (the queue's first page), and a handful after them
    # are in progress: chosen before anything is written.
    total = cases.count()
    undrafted = max(READY_MIN, int(total * READY_SHARE))
    recent = list(
        BoardDecision.objects.filter(
            kind__in=[BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY], complaint__status__in=statuses
        )
        .order_by("-id")
        .values_list("complaint_id", flat=True)[: undrafted + 300]
    )
    ready = set(recent[:undrafted])
    in_progress = _special_cases(recent[undrafted:], sum(IN_PROGRESS.values()) + 2)
    special = set(in_progress)
    too_recent = timezone.now() - timedelta(days=READY_DAYS)
    offset = rng.randrange(len(PUBLIC_ID_ALPHABET) ** PUBLIC_ID_LENGTH)
    summaries: dict[str, Any] = {}
    published = 0
    with (
        TableWriter(Publication, PUBLICATION_FIELDS) as publications,
        TableWriter(PublishedAllegation, ALLEGATION_FIELDS) as rows_out,
    ):
        for page in pages(cases, ("id", "incident_date", "district_id", "received_at"), size=PAGE):
            first, last = page[0][0], page[-1][0]
            decisions = _eligible_decisions(first, last)
            allegations = _allegations(first, last)
            recommended = _recommended([d[0] for d in decisions.values()])
            texts = dict(
                Investigation.objects.filter(complaint_id__gte=first, complaint_id__lte=last).values_list(
                    "complaint_id", "public_summary"
                )
            )
            for case in page:
                pk = case[0]
                decision = decisions.get(pk)
                if decision is None or pk in ready or pk in special or rng.random() < BACKLOG_SHARE:
                    continue
                if decision[2] > too_recent:
                    continue  # decided too recently to be published yet
                facts = _facts(case, decision, allegations.get(pk, []), recommended)
                if facts is None:
                    continue
                source = texts.get(pk, "") or ""
                if source not in summaries:
                    summaries[source] = redact(source, terms=(), public_keys=set(), letters={})
                snapshot = build_snapshot(facts, policy=policy, category_names=names, summary=summaries[source])
                publication_id = publications.next_id()
                decided_at = decision[2]
                # Drafted 3 to 20 days after the decision, approved 1 to 5 days later, published within two days.
                drafted_at = decided_at + timedelta(days=3 + int(rng.random() * 18))
                approved_at = drafted_at + timedelta(days=1 + int(rng.random() * 5))
                published_at = approved_at + timedelta(hours=1 + int(rng.random() * 48))
                fields = snapshot.fields
                publications.add(
                    (
                        publication_id,
                        _public_id(offset, publication_id),
                        1,
                        pk,
                        None,
                        P.PUBLISHED,
                        fields["incident_year"],
                        fields["incident_month"],
                        fields["district_id"],
                        fields["received_year"],
                        fields["decision_date"],
                        fields["decision_year"],
                        fields["board_decision"],
                        fields["summary"],
                        fields["discipline_outcome"],
                        fields["department_response"],
                        fields["redaction_log"],
                        sha256(source),
                        fields["disclosure_policy"],
                        me.pk,
                        me.get_username(),
                        other.pk,
                        other.get_username(),
                        approved_at,
                        me.pk,
                        me.get_username(),
                        published_at,
                        None,
                        None,
                        "",
                        "",
                        drafted_at,
                        published_at,
                        *summary_fields(snapshot.allegations, codes).values(),
                    )
                )
                for row in snapshot.allegations:
                    rows_out.add((publication_id, *row.as_tuple()))
                published += 1
    ctx.count("publications", published)
    ctx.count("published allegations", rows_out.count)
    _seed_in_progress(ctx, in_progress, me, other)


def _special_cases(pool: list[int], wanted: int) -> list[int]:
    """Recent cases for the versions in progress: ones with a named complainant and an identified
    officer, so the rewritten summary has names for the redactor to find."""
    if not pool:
        return []
    named = set(
        Party.objects.filter(complaint_id__in=pool, role=Party.Role.COMPLAINANT)
        .exclude(last_name="")
        .values_list("complaint_id", flat=True)
    )
    identified = set(
        SubjectOfficer.objects.filter(complaint_id__in=pool, officer__isnull=False).values_list(
            "complaint_id", flat=True
        )
    )
    return [pk for pk in pool if pk in named and pk in identified][:wanted]


def _seed_in_progress(ctx: DemoContext, cases: list[int], me: Any, other: Any) -> None:
    """Drafts, approved versions, a correction and a retraction, drafted from the case records
    through the drafting service's snapshot."""
    from .services import _snapshot_for, decision_in_force

    if not cases:
        return
    plan = (
        ["draft_by_other"] * IN_PROGRESS["draft_by_other"]
        + ["draft_by_me"] * IN_PROGRESS["draft_by_me"]
        + ["approved"] * IN_PROGRESS["approved"]
        + ["corrected", "retracted"]
    )
    now = timezone.now()
    offset = ctx.rng.randrange(len(PUBLIC_ID_ALPHABET) ** PUBLIC_ID_LENGTH)
    made = 0
    for pk, role in zip(cases, plan, strict=False):
        complaint = Complaint.objects.get(pk=pk)
        party = Party.objects.filter(complaint=complaint, role=Party.Role.COMPLAINANT).exclude(last_name="").first()
        subject = SubjectOfficer.objects.filter(complaint=complaint, officer__isnull=False).select_related("officer")
        officer = subject.first().officer
        Investigation.objects.filter(complaint=complaint).update(
            public_summary=_summary_for(party.first_name or "The", party.last_name, f"Officer {officer.last_name}")
        )
        decision = decision_in_force(complaint)
        fields, rows = _snapshot_for(complaint, decision)
        drafter = other if role == "draft_by_other" else me
        base = {
            "complaint": complaint,
            "drafted_by": drafter,
            "drafted_by_name": drafter.get_username(),
            **fields,
        }
        versions: list[tuple[dict, list]] = []
        if role in ("draft_by_other", "draft_by_me"):
            versions.append(({"status": P.DRAFT}, rows))
        elif role == "approved":
            versions.append(
                (
                    {
                        "status": P.APPROVED,
                        "approved_by": other,
                        "approved_by_name": other.get_username(),
                        "approved_at": now - timedelta(hours=3),
                    },
                    rows,
                )
            )
        else:
            published = {
                "approved_by": other,
                "approved_by_name": other.get_username(),
                "approved_at": now - timedelta(days=20),
                "published_by": me,
                "published_by_name": me.get_username(),
                "published_at": now - timedelta(days=19),
            }
            ended = {"ended_by": me, "ended_by_name": me.get_username(), "ended_at": now - timedelta(days=2)}
            if role == "corrected":
                # The first version gave the wrong district; the correction has the right one.
                wrong = District.objects.exclude(pk=fields.get("district_id")).order_by("pk").first()
                versions.append(
                    ({**published, "status": P.SUPERSEDED, **ended, "district_id": wrong.pk if wrong else None}, rows)
                )
                versions.append(
                    (
                        {
                            **published,
                            "status": P.PUBLISHED,
                            "approved_at": now - timedelta(days=3),
                            "published_at": now - timedelta(days=2),
                        },
                        rows,
                    )
                )
            else:
                versions.append(({**published, "status": P.RETRACTED, **ended, "end_reason": RETRACTION_REASON}, rows))
        previous = None
        public_id = _public_id(offset, 10**9 + made)
        while Publication.objects.filter(public_id=public_id).exists():
            offset += 1
            public_id = _public_id(offset, 10**9 + made)
        for number, (extra, allegation_rows) in enumerate(versions, start=1):
            publication = Publication(**{**base, **extra}, public_id=public_id, version=number, supersedes=previous)
            Publication.objects.bulk_create([publication])
            publication = Publication.objects.get(public_id=public_id, version=number)
            PublishedAllegation.objects.bulk_create(
                [
                    PublishedAllegation(
                        publication=publication, **{name: getattr(row, name) for name in AllegationRow.FIELDS}
                    )
                    for row in allegation_rows
                ]
            )
            summarize([publication.pk])
            previous = publication
        made += 1
    ctx.count("publications in progress", made)
