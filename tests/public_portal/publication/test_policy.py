"""The disclosure policy. The California cells are written out here by hand (Penal Code 832.7(b) as
amended by SB 1421 and SB 16), not read from the table or the preset they are checked against."""

from io import StringIO

import pytest
from django.core.management import call_command

from complaints.models import AllegationCategory
from oversight.models import AuditEvent
from public_portal.publication.models import DisclosureRule
from public_portal.publication.policy import load_policy
from public_portal.publication.services import publication_draft

from .cases import Alleged, D, decided_case

pytestmark = pytest.mark.django_db

NAMED, PRIVATE = True, False

# (category code, final disposition) -> whether the officer is named, under the California default.
CALIFORNIA_CELLS = [
    # Dishonesty: untruthfulness, sustained only.
    ("untr-report", D.SUSTAINED, NAMED),
    ("untr-evidence", D.SUSTAINED, NAMED),
    ("untruthfulness", D.SUSTAINED, NAMED),
    ("untr-report", D.NOT_SUSTAINED, PRIVATE),
    ("untr-report", D.EXONERATED, PRIVATE),
    ("untr-report", D.UNFOUNDED, PRIVATE),
    # Sexual assault.
    ("opv-sexual", D.SUSTAINED, NAMED),
    ("opv-sexual", D.NOT_SUSTAINED, PRIVATE),
    # Bias, and offensive language about a protected group.
    ("bias-profiling", D.SUSTAINED, NAMED),
    ("bias-immigration", D.SUSTAINED, NAMED),
    ("bias-other", D.SUSTAINED, NAMED),
    ("ol-race", D.SUSTAINED, NAMED),
    ("ol-gender", D.SUSTAINED, NAMED),
    ("ol-sexual-orientation", D.SUSTAINED, NAMED),
    ("ol-religion", D.SUSTAINED, NAMED),
    ("ol-disability", D.SUSTAINED, NAMED),
    ("ol-other", D.SUSTAINED, PRIVATE),
    ("bias-profiling", D.UNFOUNDED, PRIVATE),
    # Unlawful arrest or search.
    ("aoa-arrest", D.SUSTAINED, NAMED),
    ("aoa-search", D.SUSTAINED, NAMED),
    ("aoa-stop", D.SUSTAINED, PRIVATE),
    ("aoa-property", D.SUSTAINED, PRIVATE),
    ("aoa-search", D.NOT_SUSTAINED, PRIVATE),
    # Force: sustained unreasonable or excessive force.
    ("force-physical", D.SUSTAINED, NAMED),
    ("force-weapon", D.SUSTAINED, NAMED),
    ("force-physical", D.EXONERATED, PRIVATE),
    ("force-weapon", D.NOT_SUSTAINED, PRIVATE),
    # Nothing else, whatever the finding.
    ("disc-words", D.SUSTAINED, PRIVATE),
    ("disc-gesture", D.SUSTAINED, PRIVATE),
    ("nod-service", D.SUSTAINED, PRIVATE),
    ("opv-bwc", D.SUSTAINED, PRIVATE),
    ("opv-retaliation", D.SUSTAINED, PRIVATE),
]


def _published_officer(publisher, code, disposition):
    discipline = "reprimand" if disposition == D.SUSTAINED else ""
    case = decided_case(allegations=[Alleged("a", code, disposition, discipline)])
    return publication_draft(complaint=case, actor=publisher).allegations.get()


@pytest.mark.parametrize(("code", "disposition", "named"), CALIFORNIA_CELLS)
def test_california_default_names_the_officer_only_where_the_law_does(publisher, code, disposition, named):
    row = _published_officer(publisher, code, disposition)
    assert row.officer_disclosed is named
    if named:
        assert row.officer_label == row.officer.full_name
        assert row.officer_badge == row.officer.badge_number
        assert row.recommended_discipline == (
            "reprimand" if disposition == D.SUSTAINED else ""
        )  # discipline goes with the name
    else:
        assert (row.officer_label, row.officer_name, row.officer_badge, row.officer_id) == ("Officer A", "", "", None)
        assert row.recommended_discipline == ""


def test_the_three_cells_the_issue_names(publisher):
    assert _published_officer(publisher, "untr-report", D.SUSTAINED).officer_disclosed is True
    assert _published_officer(publisher, "untr-report", D.NOT_SUSTAINED).officer_label == "Officer A"
    assert _published_officer(publisher, "disc-words", D.SUSTAINED).officer_label == "Officer A"


def test_all_public_names_every_identified_officer(settings, publisher):
    settings.PUBLICATION_DISCLOSURE_POLICY = "all_public"
    row = _published_officer(publisher, "disc-words", D.NOT_SUSTAINED)
    assert row.officer_disclosed is True
    assert row.officer_name == row.officer.full_name
    assert _published_officer(publisher, "nod-service", D.EXONERATED).officer_disclosed is True


def test_all_public_still_letters_an_officer_known_only_by_description(settings, publisher):
    settings.PUBLICATION_DISCLOSURE_POLICY = "all_public"
    case = decided_case(allegations=[Alleged("a", "disc-words", D.SUSTAINED)], officers={"a": None})
    row = publication_draft(complaint=case, actor=publisher).allegations.get()
    assert (row.officer_disclosed, row.officer_label) == (False, "Officer A")


def test_none_names_nobody_and_shows_no_discipline(settings, publisher):
    settings.PUBLICATION_DISCLOSURE_POLICY = "none"
    row = _published_officer(publisher, "untr-report", D.SUSTAINED)
    assert (row.officer_disclosed, row.officer_label, row.recommended_discipline) == (False, "Officer A", "")


def test_an_unknown_policy_setting_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PUBLICATION_DISCLOSURE_POLICY = "some"
    with pytest.raises(ImproperlyConfigured):
        load_policy()


def test_a_rule_on_a_sub_category_wins_over_its_class(publisher):
    force = AllegationCategory.objects.get(code="force-k9")
    DisclosureRule.objects.create(category=force, disposition=D.SUSTAINED, names_officer=False)
    assert _published_officer(publisher, "force-k9", D.SUSTAINED).officer_disclosed is False
    assert _published_officer(publisher, "force-physical", D.SUSTAINED).officer_disclosed is True


def test_a_rule_for_any_disposition_covers_every_finding(publisher):
    DisclosureRule.objects.create(category=AllegationCategory.objects.get(code="force-vehicle"), names_officer=True)
    assert _published_officer(publisher, "force-vehicle", D.NOT_SUSTAINED).officer_disclosed is True
    # The exact disposition's rule on the same category wins over the any-disposition rule.
    DisclosureRule.objects.create(
        category=AllegationCategory.objects.get(code="force-vehicle"), disposition=D.UNFOUNDED, names_officer=False
    )
    assert _published_officer(publisher, "force-vehicle", D.UNFOUNDED).officer_disclosed is False


def test_an_officer_named_on_one_allegation_is_named_on_all_of_theirs(publisher):
    case = decided_case(
        allegations=[Alleged("a", "disc-words", D.SUSTAINED), Alleged("a", "untr-report", D.SUSTAINED, "reprimand")]
    )
    rows = list(publication_draft(complaint=case, actor=publisher).allegations.order_by("position"))
    assert [r.officer_disclosed for r in rows] == [True, True]
    # Discipline follows each allegation's own rule.
    assert [r.recommended_discipline for r in rows] == ["", "reprimand"]


def test_the_command_resets_and_shows_the_rules():
    out = StringIO()
    call_command("disclosure_policy", "--preset", "none", stdout=out)
    assert DisclosureRule.objects.count() == 0
    call_command("disclosure_policy", "--preset", "all_public", stdout=out)
    assert DisclosureRule.objects.count() == AllegationCategory.objects.filter(parent=None).count()
    call_command("disclosure_policy", "--preset", "california", "--show", stdout=out)
    text = out.getvalue()
    # 11 rules, counted by hand: untruthfulness, sexual misconduct, bias, five offensive-language
    # sub-categories, arrest, search, force.
    assert DisclosureRule.objects.count() == 11
    assert "832.7(b)(1)(C)" in text and "Sexual misconduct" in text and "SB 16" in text
    assert "PUBLICATION_DISCLOSURE_POLICY = 'rules'" in text
    assert AuditEvent.objects.filter(action="publication.policy_changed").count() == 3


def test_the_command_needs_something_to_do():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("disclosure_policy")
