"""Plain-language explanations of each disposition, for residents: the decision email and the
public status page say what a finding means, not just its name. Staff choosing a disposition read
the more precise ``DISPOSITION_DEFINITIONS`` kept beside ``Disposition``."""

from django.utils.translation import gettext_lazy as _

from .models import Disposition

OUTCOME_SENTENCES = {
    Disposition.SUSTAINED: _("The evidence showed the officer did what was alleged and it broke the rules."),
    Disposition.NOT_SUSTAINED: _("There was not enough evidence to show whether or not it happened."),
    Disposition.EXONERATED: _("It happened, but what the officer did was lawful and within the rules."),
    Disposition.UNFOUNDED: _("The evidence showed it did not happen, or the officer was not involved."),
    Disposition.POLICY_FAILURE: _(
        "It happened and the officer followed the rules, but the rules themselves need to change."
    ),
    Disposition.OFFICER_UNIDENTIFIED: _("We could not identify the officer involved."),
    Disposition.WITHDRAWN: _("The complaint about this was withdrawn before a finding was made."),
    Disposition.ADMINISTRATIVELY_CLOSED: _("This was closed without a finding on whether it happened."),
}


def outcome_sentence(disposition: str) -> str:
    """The plain explanation of ``disposition`` in the active language ('' if unknown)."""
    sentence = OUTCOME_SENTENCES.get(disposition)
    return str(sentence) if sentence is not None else ""
