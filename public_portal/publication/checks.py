"""The checks a version must pass before it is approved or published (the lifecycle's guards, and the
review page's list of what stands in the way). Each answer is in words a publication officer can act
on, and names no one: refusals are kept in the audit trail."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Publication
from .policy import load_policy
from .redaction import Category, _officer_letter, known_terms_for_case, redact
from .snapshot import CASE_NUMBER, officer_pseudonym, sha256, tracking_number_re


def current_source(publication: Publication) -> str:
    """The case's public summary as it is now."""
    from investigations.models import Investigation

    return (
        Investigation.objects.filter(complaint_id=publication.complaint_id)
        .values_list("public_summary", flat=True)
        .first()
        or ""
    )


def source_changed(publication: Publication) -> bool:
    return sha256(current_source(publication)) != publication.source_sha256


def policy_problems(publication: Publication) -> list[str]:
    """What the snapshot shows that the disclosure policy in force keeps private."""
    policy = load_policy()
    rows = list(publication.allegations.order_by("position", "id"))
    named_by_policy = {
        row.officer_id
        for row in rows
        if row.officer_id and policy.decide(row.category_id, row.disposition).names_officer
    }
    problems = []
    for number, row in enumerate(rows, start=1):
        if row.officer_disclosed and (row.officer_id is None or row.officer_id not in named_by_policy):
            problems.append(
                _("Allegation %(number)d names its officer, but the disclosure policy in force keeps them private.")
                % {"number": number}
            )
        shows_discipline = row.recommended_discipline or row.department_response or row.discipline_imposed
        if shows_discipline and not policy.decide(row.category_id, row.disposition).discloses_discipline:
            problems.append(
                _("Allegation %(number)d shows discipline the disclosure policy in force keeps private.")
                % {"number": number}
            )
    if (publication.discipline_outcome or publication.department_response) and not any(
        policy.decide(row.category_id, row.disposition).discloses_discipline for row in rows
    ):
        problems.append(_("The discipline outcome is shown, but the disclosure policy in force keeps it private."))
    return problems


def _count(category: str, n: int) -> str:
    labels = {
        Category.NAME: lambda: ngettext("%(count)d name", "%(count)d names", n),
        Category.OFFICER_NAME: lambda: ngettext("%(count)d officer's name", "%(count)d officers' names", n),
        Category.EMAIL: lambda: ngettext("%(count)d email address", "%(count)d email addresses", n),
        Category.PHONE: lambda: ngettext("%(count)d phone number", "%(count)d phone numbers", n),
        Category.ADDRESS: lambda: ngettext("%(count)d address", "%(count)d addresses", n),
        Category.PLATE: lambda: ngettext("%(count)d license plate", "%(count)d license plates", n),
        Category.DATE_OF_BIRTH: lambda: ngettext("%(count)d date of birth", "%(count)d dates of birth", n),
        Category.SSN: lambda: ngettext("%(count)d Social Security number", "%(count)d Social Security numbers", n),
        Category.DRIVERS_LICENSE: lambda: ngettext(
            "%(count)d driver's license number", "%(count)d driver's license numbers", n
        ),
        Category.DESCRIPTION: lambda: ngettext(
            "%(count)d age, race and sex description", "%(count)d age, race and sex descriptions", n
        ),
        CASE_NUMBER: lambda: ngettext("%(count)d case number", "%(count)d case numbers", n),
    }
    return labels[category]() % {"count": n}


def _pseudonyms_in_use(publication: Publication) -> set[str]:
    """Every pseudonym drafting may have written into this version's text: the letters of its
    private officers and of each officer the summary named, in the site's language. From the 27th
    officer on they are two letters ("Officer AA", "Officer AB") and would read as initials."""
    private = publication.allegations.filter(officer_disclosed=False).values("officer_label").distinct().count()
    mentioned = sum(1 for entry in publication.redaction_log if entry.get("category") == Category.OFFICER_NAME)
    return {officer_pseudonym(_officer_letter(number)) for number in range(private + mentioned)}


def text_problems(publication: Publication) -> list[str]:
    """What the redactor would still remove from the final text, run again with the case's records
    (officers the snapshot names keep their names, and the pseudonyms it wrote stay), and any
    tracking number: counts by kind."""
    public = {
        f"officer:{officer_id}"
        for officer_id in publication.allegations.filter(officer_disclosed=True, officer__isnull=False).values_list(
            "officer_id", flat=True
        )
    }
    found = redact(
        publication.summary,
        terms=known_terms_for_case(publication.complaint),
        officer_names_public=public,
        keep=_pseudonyms_in_use(publication),
    ).counts()
    case_numbers = len(tracking_number_re().findall(publication.summary))
    if case_numbers:
        found[CASE_NUMBER] = case_numbers
    order = [*Category, CASE_NUMBER]
    return [_count(category, found[category]) for category in order if found.get(category)]


def blockers(publication: Publication) -> list[str]:
    """Everything that would stop this version being approved or published now (two-person rule
    aside, which depends on who asks)."""
    problems = policy_problems(publication)
    if source_changed(publication):
        problems.append(_("The case's public summary has changed since this version was drafted."))
    text = text_problems(publication)
    if text:
        problems.append(_("The text still holds details the redactor removes: %(what)s.") % {"what": ", ".join(text)})
    return problems
