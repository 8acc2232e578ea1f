"""The plain-language stages residents see, and which internal statuses fall under each."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Complaint

S = Complaint.Status


class PublicStage(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    IN_MEDIATION = "in_mediation", _("In mediation")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    WITH_THE_BOARD = "with_the_board", _("With the board")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")


STAGE_FOR_STATUS: dict[str, str] = {
    S.RECEIVED: PublicStage.RECEIVED,
    S.IN_TRIAGE: PublicStage.UNDER_REVIEW,
    S.IN_MEDIATION: PublicStage.IN_MEDIATION,
    S.UNDER_INVESTIGATION: PublicStage.UNDER_INVESTIGATION,
    S.FINDINGS_PROPOSED: PublicStage.UNDER_INVESTIGATION,
    S.BOARD_REVIEW: PublicStage.WITH_THE_BOARD,
    S.DECIDED: PublicStage.DECIDED,
    S.CLOSED: PublicStage.CLOSED,
    S.MEDIATED: PublicStage.CLOSED,
    S.REFERRED: PublicStage.CLOSED,
    S.ADMINISTRATIVELY_CLOSED: PublicStage.CLOSED,
}

# The path a complaint normally takes, for the progress list on the status page.
USUAL_PATH = [
    PublicStage.RECEIVED,
    PublicStage.UNDER_REVIEW,
    PublicStage.UNDER_INVESTIGATION,
    PublicStage.WITH_THE_BOARD,
    PublicStage.DECIDED,
    PublicStage.CLOSED,
]

STAGE_EXPLANATIONS = {
    PublicStage.RECEIVED: _("We have your complaint. Staff will read it soon."),
    PublicStage.UNDER_REVIEW: _("Our staff are reading your complaint and deciding the next step."),
    PublicStage.IN_MEDIATION: _("You and the officer were offered mediation: a meeting led by a neutral mediator."),
    PublicStage.UNDER_INVESTIGATION: _("An investigator is gathering evidence and talking to the people involved."),
    PublicStage.WITH_THE_BOARD: _("The board is reviewing the investigation and will decide."),
    PublicStage.DECIDED: _("The board has made its decision."),
    PublicStage.CLOSED: _("Your complaint is closed."),
}

# Why a complaint closed, in plain words, by the status it closed with.
CLOSING_REASONS = {
    S.MEDIATED: _("It was resolved through mediation."),
    S.REFERRED: _("It was sent to another agency that handles this kind of complaint."),
    S.ADMINISTRATIVELY_CLOSED: _("It was closed without a full investigation."),
    S.CLOSED: _("The case is finished."),
}


def public_stage(status: str) -> str:
    return STAGE_FOR_STATUS[status]
