"""Demo board work, created in bulk: the demo "board" login as chair plus four more members,
object access to the cases before the board, votes (with a few proposed dispositions), a couple of
recusals, decisions of every kind, final findings with recommended discipline, and the
department's responses (answered, awaiting and overdue).

Only the most recent cases with findings get this detail (``BOARD_CASES``); the other decided and
closed cases get the adopting decision and final findings their status needs, streamed in bulk.

Board review is installed after case work, so ``seed_demo`` discovers this seeder after the
investigations seeder that creates the findings.
"""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from complaints.models import Allegation, Complaint
from investigations.models import Disposition, Finding
from oversight import permissions
from oversight.bulk import TableWriter, pages
from oversight.demo import DemoContext, demo_password_hash, register
from oversight.permissions import Role

from .models import (
    BoardDecision,
    BoardMembership,
    DecisionFinding,
    DepartmentResponse,
    Recusal,
    Vote,
    VoteProposal,
)

S = Complaint.Status
BOARD_CASES = 300
MEMBERS = [
    ("board2", "Grace", "Holloway"),
    ("board3", "Tomás", "Echeverría"),
    ("board4", "Denise", "Park"),
    ("board5", "Walter", "Osei"),
]
COMMENTS = {
    Vote.Choice.CONCUR: ["", "The video supports the proposed findings.", "Thorough investigation."],
    Vote.Choice.DO_NOT_CONCUR: [
        "The statements conflict more than the report allows.",
        "The evidence supports a different finding on one allegation.",
    ],
    Vote.Choice.ABSTAIN: ["I was absent for the presentation of this case."],
}
CHOICES = [(Vote.Choice.CONCUR, 78), (Vote.Choice.DO_NOT_CONCUR, 14), (Vote.Choice.ABSTAIN, 8)]
REMAND_INSTRUCTIONS = "Interview the second witness and obtain the dispatch audio before resubmitting."
MODIFY_RATIONALE = "The body-worn camera video shows the conduct; the board finds the allegation sustained."
RESPONSES = [
    (DepartmentResponse.Response.ACCEPTED, 6),
    (DepartmentResponse.Response.MODIFIED, 2),
    (DepartmentResponse.Response.REJECTED, 1),
]


def _weighted(rng, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def _members(ctx: DemoContext) -> list:
    """The chair (the demo "board" login) and the four other members, with current terms."""
    User = get_user_model()
    group = Group.objects.get(name=Role.BOARD_MEMBER)
    chair = ctx.shared.get("users", {}).get("board")
    members = [chair] if chair else []
    for username, first, last in MEMBERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@oversight.example",
                "is_staff": False,
            },
        )
        if created:
            user.password = demo_password_hash(ctx)
            user.save(update_fields=["password"])
            ctx.count("users", 1)
        user.groups.add(group)
        members.append(user)
    have = set(BoardMembership.objects.filter(member__in=members).values_list("member_id", flat=True))
    terms = [
        BoardMembership(
            member=user,
            is_chair=user == chair,
            term_start=ctx.as_of - timedelta(days=365 * 2 - 30 * n),
            term_end=ctx.as_of + timedelta(days=365 * 2 + 30 * n),
        )
        for n, user in enumerate(members)
        if user.pk not in have
    ]
    BoardMembership.objects.bulk_create(terms)
    ctx.count("board memberships", len(terms))
    return members


def _cases(ctx: DemoContext) -> list[Complaint]:
    with_findings = Finding.objects.filter(allegation__complaint=OuterRef("pk"))
    return list(
        Complaint.objects.filter(status__in=[S.BOARD_REVIEW, S.DECIDED, S.CLOSED])
        .filter(Exists(with_findings))
        .exclude(Exists(BoardDecision.objects.filter(complaint=OuterRef("pk"))))
        .order_by("-received_at", "-id")
        .only("id", "status", "received_at", "status_changed_at", "tracking_number")[:BOARD_CASES]
    )


@register("board")
def seed_board(ctx: DemoContext) -> None:
    rng = ctx.rng
    if "users" not in ctx.shared or not Group.objects.filter(name=Role.BOARD_MEMBER).exists():
        return
    members = _members(ctx)
    chair = members[0]
    cases = _cases(ctx)
    if not cases:
        return
    findings: dict[int, list[Finding]] = {c.pk: [] for c in cases}
    for finding in (
        Finding.objects.filter(allegation__complaint_id__in=findings)
        .select_related("allegation")
        .order_by("allegation_id")
    ):
        findings[finding.allegation.complaint_id].append(finding)

    # A couple of recusals: the member loses (here: never gets) access to that case.
    recused: set[tuple[int, int]] = set()
    recusals = []
    reviewing = [c for c in cases if c.status == S.BOARD_REVIEW]
    decided = [c for c in cases if c.status != S.BOARD_REVIEW]
    for member, pool in ((members[-1], reviewing), (members[-2], decided)):
        if pool:
            case = pool[0]
            recused.add((member.pk, case.pk))
            recusals.append(
                Recusal(
                    complaint=case,
                    member=member,
                    reason="A family member works in the officer's unit.",
                    recorded_by=member,
                    created_at=case.status_changed_at - timedelta(days=2),
                )
            )
    Recusal.objects.bulk_create(recusals)

    granted = 0
    for member in members:
        visible = [c for c in cases if (member.pk, c.pk) not in recused]
        granted += permissions.grant_bulk(member, ["complaints.view_complaint"], visible)

    # Votes: everyone (not recused) on decided cases; some members still to vote on open ones.
    votes, proposals = [], []
    for case in cases:
        open_case = case.status == S.BOARD_REVIEW
        base = case.status_changed_at - timedelta(days=0 if open_case else 3)
        for n, member in enumerate(members):
            if (member.pk, case.pk) in recused or (open_case and rng.random() < 0.4):
                continue
            choice = _weighted(rng, CHOICES)
            vote = Vote(
                complaint=case,
                member=member,
                choice=choice,
                comment=rng.choice(COMMENTS[choice]),
                created_at=base + timedelta(hours=2 + n),
            )
            votes.append(vote)
            if choice == Vote.Choice.DO_NOT_CONCUR and findings[case.pk] and rng.random() < 0.6:
                finding = findings[case.pk][0]
                other = Disposition.SUSTAINED
                if finding.proposed_disposition == Disposition.SUSTAINED:
                    other = Disposition.NOT_SUSTAINED
                proposals.append(
                    VoteProposal(
                        vote=vote,
                        allegation=finding.allegation,
                        disposition=other,
                        rationale="The evidence points the other way on this allegation.",
                    )
                )
    Vote.objects.bulk_create(votes, batch_size=2000)
    VoteProposal.objects.bulk_create(proposals, batch_size=2000)

    # Decisions: adopt most, modify some (with rationale per changed allegation); remand a couple of
    # the open cases earlier (they were re-investigated and are back before the board).
    tally: dict[int, dict[str, int]] = {}
    for vote in votes:
        counted = tally.setdefault(vote.complaint_id, {})
        counted[vote.choice] = counted.get(vote.choice, 0) + 1
    decisions, finals, responses, changed = [], [], [], []
    response_days = int(settings.DEPARTMENT_RESPONSE_DAYS)
    scale = list(settings.DISCIPLINE_SCALE) or ["reprimand"]
    for case in reviewing[1:3]:
        decisions.append(
            BoardDecision(
                complaint=case,
                kind=BoardDecision.Kind.REMAND,
                instructions=REMAND_INSTRUCTIONS,
                recorded_by=chair,
                votes_counted={},
                created_at=case.status_changed_at - timedelta(days=60),
            )
        )
    extensions = 3
    for index, case in enumerate(decided):
        modify = index % 5 == 2 and findings[case.pk]
        decided_at = case.status_changed_at - timedelta(days=1 if case.status == S.CLOSED else 0)
        decision = BoardDecision(
            complaint=case,
            kind=BoardDecision.Kind.MODIFY if modify else BoardDecision.Kind.ADOPT,
            instructions=MODIFY_RATIONALE if modify else "",
            recorded_by=chair,
            votes_counted=tally.get(case.pk, {}),
            created_at=decided_at,
        )
        decisions.append(decision)
        for position, finding in enumerate(findings[case.pk]):
            final, rationale = finding.proposed_disposition, ""
            if modify and position == 0:
                final = (
                    Disposition.NOT_SUSTAINED
                    if finding.proposed_disposition == Disposition.SUSTAINED
                    else Disposition.SUSTAINED
                )
                rationale = MODIFY_RATIONALE
            discipline = rng.choice(scale) if final == Disposition.SUSTAINED else ""
            finals.append(
                DecisionFinding(
                    decision=decision,
                    finding=finding,
                    final_disposition=final,
                    rationale=rationale,
                    recommended_discipline=discipline,
                )
            )
            finding.final_disposition, finding.final_rationale = final, rationale
            changed.append(finding)
            if discipline:
                response = _response(ctx, finding, decided_at, response_days, discipline)
                if case.status == S.DECIDED and extensions:
                    # The department asked for more time on a few recent cases: still awaited.
                    extensions -= 1
                    response.response, response.responded_on, response.discipline_imposed = "", None, ""
                    response.due_date = max(response.due_date, ctx.as_of + timedelta(days=rng.randint(5, 25)))
                responses.append(response)
    BoardDecision.objects.bulk_create(decisions, batch_size=2000)
    DecisionFinding.objects.bulk_create(finals, batch_size=2000)
    Finding.objects.bulk_update(changed, ["final_disposition", "final_rationale"], batch_size=2000)
    DepartmentResponse.objects.bulk_create(responses, batch_size=2000)
    more_decisions, more_responses = _decide_the_rest(ctx, chair)
    for name, n in (
        ("board grants", granted),
        ("recusals", len(recusals)),
        ("votes", len(votes)),
        ("vote proposals", len(proposals)),
        ("board decisions", len(decisions) + more_decisions),
        ("department responses", len(responses) + more_responses),
    ):
        ctx.count(name, n)


def _response(ctx: DemoContext, finding: Finding, decided_at, days: int, discipline: str) -> DepartmentResponse:
    """Answered, awaiting (due date ahead) or overdue (due date passed without an answer)."""
    rng = ctx.rng
    due = timezone.localtime(decided_at).date() + timedelta(days=days)
    response = DepartmentResponse(finding=finding, due_date=due)
    if due >= ctx.as_of or rng.random() < 0.2:
        return response  # awaiting, or overdue once the due date has passed
    response.response = _weighted(rng, RESPONSES)
    response.responded_on = due - timedelta(days=rng.randint(0, days - 1 if days > 1 else 0))
    response.discipline_imposed = {
        DepartmentResponse.Response.ACCEPTED: discipline,
        DepartmentResponse.Response.MODIFIED: rng.choice(["training", "counseling", "reprimand"]),
        DepartmentResponse.Response.REJECTED: "",
    }[response.response]
    return response


def _findings_of(first: int, last: int) -> QuerySet[Finding]:
    """The findings on allegations of complaints ``first`` to ``last`` (ids), in id order.

    Bounded on the findings' own index too (by the range of those allegations' ids), so the plan
    reads only this range: joined on the complaint range alone, the planner may scan every finding
    for each range, and the findings of a million complaints are read range after range."""
    # The ids themselves rather than MIN() and MAX(): those the planner answers by walking the
    # primary key from one end until an allegation of the range turns up.
    allegations = Allegation.objects.filter(complaint_id__gte=first, complaint_id__lte=last).order_by()
    ids = list(allegations.values_list("id", flat=True))
    if not ids:
        return Finding.objects.none()
    return Finding.objects.filter(
        allegation_id__gte=min(ids),
        allegation_id__lte=max(ids),
        allegation__complaint_id__gte=first,
        allegation__complaint_id__lte=last,
    ).order_by("id")


def _decide_the_rest(ctx: DemoContext, chair) -> tuple[int, int]:
    """Decided and closed cases beyond the detailed ones get what their status says happened: the
    board's decision adopting the proposed findings, a final finding on every allegation, and for
    sustained findings a recommended discipline and the department's (answered) response.

    Cases are read a range of ids at a time, their findings by the same range, and the rows streamed
    out through ``oversight.bulk`` writers, so it stays quick at a city's scale."""
    rng = ctx.rng
    scale = list(settings.DISCIPLINE_SCALE) or ["reprimand"]
    response_days = timedelta(days=settings.DEPARTMENT_RESPONSE_DAYS)
    chair_id = chair.pk if chair else None
    tz = timezone.get_current_timezone()
    # Cases with a decision already (the detailed ones) are skipped here rather than in each page's
    # query: the decisions written meanwhile are not in the planner's statistics yet, and an
    # anti-join against them could read the whole growing table for every page.
    had_decision = set(BoardDecision.objects.values_list("complaint_id", flat=True))
    cases = Complaint.objects.filter(status__in=[S.DECIDED, S.CLOSED])
    with (
        TableWriter(BoardDecision, ["id", "complaint_id", "kind", "recorded_by_id", "created_at"]) as decisions,
        TableWriter(
            DecisionFinding, ["decision_id", "finding_id", "final_disposition", "recommended_discipline"]
        ) as finals,
        TableWriter(
            DepartmentResponse, ["finding_id", "due_date", "response", "responded_on", "discipline_imposed"]
        ) as responses,
    ):
        for page in pages(cases, ("id", "status_changed_at"), size=20_000):
            by_case: dict[int, tuple[int, date]] = {}
            for pk, changed_at in page:
                if pk in had_decision:
                    continue
                decision_id, decided_at = decisions.next_id(), changed_at - timedelta(days=1)
                decisions.add((decision_id, pk, BoardDecision.Kind.ADOPT, chair_id, decided_at))
                by_case[pk] = (decision_id, decided_at.astimezone(tz).date() + response_days)
            rows = _findings_of(page[0][0], page[-1][0]).values_list(
                "id", "allegation__complaint_id", "proposed_disposition", "final_disposition"
            )
            not_final = []
            for finding_id, complaint_id, disposition, final in rows:
                case = by_case.get(complaint_id)
                if case is None:
                    continue  # in the range, but not one of these cases
                if not final:
                    not_final.append(finding_id)
                decision_id, due = case
                discipline = rng.choice(scale) if disposition == Disposition.SUSTAINED else ""
                finals.add((decision_id, finding_id, disposition, discipline))
                if discipline:
                    responses.add(
                        (finding_id, due, DepartmentResponse.Response.ACCEPTED, min(due, ctx.as_of), discipline)
                    )
            # The final disposition is the adopted proposal. Case work's seeder wrote it with the
            # findings of decided cases already; this covers any finding that came without it.
            if not_final:
                Finding.objects.filter(id__in=not_final).update(final_disposition=F("proposed_disposition"))
    return decisions.count, responses.count
