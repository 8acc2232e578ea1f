"""Demo public reports: the annual report of the demo's last full year and the quarterly report of
its last full quarter, generated, approved and published, so the public reports page has both kinds.

They are made once every seeder is done (a finisher), when the complaints, decisions and policy
recommendations they count exist. The demo publication officer (``publisher``, Priya Shah) generates
them and writes the narrative; the second demo publication officer (``publisher2``, one of the demo
logins; made here if missing) approves them, as the two-person rule requires; Priya publishes them.
Each report is one ``compute_statistics`` run over its period.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from oversight.demo import DemoContext, demo_password_hash, register
from oversight.permissions import Role

from .models import PublicReport
from .services import last_full_periods, report_generate, report_move

S = PublicReport.Status

SECOND_PUBLISHER = ("publisher2", "Dana", "Whitfield")  # as in oversight.demo.DEMO_USERS

NARRATIVES = {
    PublicReport.Kind.ANNUAL: (
        "This year the commission heard from more residents than ever before, most of them through the "
        "online form. Every complaint was read and screened, and most were investigated.\n\n"
        "The board thanks the residents who came forward, and the officers who cooperated with our "
        "investigations. We remain concerned about how long some investigations take, and we have asked "
        "for two more investigators in next year's budget.\n\n"
        "Our recommendations to the department on body-worn cameras and on reporting takedowns show what "
        "civilian oversight can do: both were accepted, and one is already in place."
    ),
    PublicReport.Kind.QUARTERLY: (
        "This quarter the board met three times and decided every case that was ready for it. The numbers "
        "below include every complaint received in the quarter, whatever its outcome.\n\n"
        "We continue to follow up on our recommendation about interpreters at the scene, which still awaits "
        "the department's answer."
    ),
}


def _second_publisher(ctx: DemoContext):
    User = get_user_model()
    username, first, last = SECOND_PUBLISHER
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@oversight.example"},
    )
    if created:
        user.password = demo_password_hash(ctx)
        user.save(update_fields=["password"])
        ctx.count("users", 1)
    user.groups.add(Group.objects.get(name=Role.PUBLISHER))
    return User.objects.get(pk=user.pk)  # fresh, so its permissions are read with the new group


def publish_demo_reports(ctx: DemoContext) -> None:
    if PublicReport.objects.exists():
        return
    User = get_user_model()
    author = User.objects.filter(username="publisher").first()
    if author is None:
        return
    approver = _second_publisher(ctx)
    made = 0
    for period in last_full_periods(ctx.as_of):
        try:
            report = report_generate(
                kind=period.kind,
                year=period.year,
                quarter=period.quarter,
                language="en",
                narrative=NARRATIVES[period.kind],
                actor=author,
            )
        except ValidationError:
            # The demo's "today" is later than the machine's: that period has not ended yet.
            continue
        report_move(report=report, target=S.APPROVED, actor=approver)
        report_move(report=report, target=S.PUBLISHED, actor=author)
        made += 1
    ctx.count("public reports", made)


@register("public reports")
def seed_reports(ctx: DemoContext) -> None:
    ctx.after_load(lambda: publish_demo_reports(ctx))
