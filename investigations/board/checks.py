"""Board review's contradictions for ``manage.py workflow_check`` (registered on the
``workflow.checks`` hook)."""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from complaints.models import Complaint
from investigations.checks import DECIDED, Problem, problem_rows

from .models import BoardDecision

S = Complaint.Status


def contradictions() -> Iterator[Problem]:
    decision = BoardDecision.objects.filter(
        complaint=OuterRef("pk"), kind__in=[BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY]
    )
    yield from problem_rows(
        Complaint.objects.filter(status__in=DECIDED).filter(~Exists(decision)),
        _("decided or closed but the board recorded no decision adopting or modifying the findings"),
    )
