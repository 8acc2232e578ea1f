"""The published dispositions pages: the list with its filters, pages and empty states, and the
detail page of one published record. Only published versions are ever shown."""

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse

from complaints.models import AllegationCategory
from oversight.models import Officer

from ...factories import DistrictFactory, OfficerFactory, PublicationFactory, PublishedAllegationFactory

pytestmark = pytest.mark.django_db

LIST = "/decisions/"


def _category(code):
    return AllegationCategory.objects.get(code=code)


def _publish(decided=date(2026, 2, 10), *, allegations=(("force-physical", "sustained"),), **fields):
    publication = PublicationFactory(decision_date=decided, decision_year=decided.year, **fields)
    for position, (code, disposition) in enumerate(allegations):
        PublishedAllegationFactory(
            publication=publication,
            position=position,
            category=_category(code),
            disposition=disposition,
            officer_label=f"Officer {'AB'[position % 2]}",
        )
    return publication


def _ids(response) -> list[str]:
    return re.findall(r'href="/decisions/(D-[A-Z0-9]+)/"', response.content.decode())


def _next_link(response) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
    return unescape(found.group(1)) if found else None


def test_the_list_shows_published_cases_newest_decision_first(client):
    older = _publish(date(2025, 6, 1))
    newer = _publish(date(2026, 1, 15))
    _publish(date(2026, 3, 1), status="draft")
    _publish(date(2026, 3, 2), status="retracted")
    _publish(date(2026, 3, 3), status="superseded")

    response = client.get(LIST)

    assert response.status_code == 200
    assert _ids(response) == [newer.public_id, older.public_id]
    text = response.content.decode()
    assert "2 decisions" in text
    assert "Physical force" not in text  # the list shows the kind of allegation...
    assert "Force: Sustained (Officer A)" in text  # ...its finding and the officer, in words
    assert "November 2025" in text  # the incident's month, never its date


def test_the_list_says_when_its_data_is_from(client):
    _publish(published_at=datetime(2026, 2, 20, 15, 0).astimezone())
    _publish(published_at=datetime(2026, 3, 5, 15, 0).astimezone())

    assert "Data as of March 5, 2026." in client.get(LIST).content.decode()


def test_an_empty_list_says_nothing_is_published_yet(client):
    response = client.get(LIST)

    assert response.status_code == 200
    assert "No decisions have been published yet." in response.content.decode()
    assert "Data as of" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2025"}, {"old_force"}),
        ({"category": "discourtesy"}, {"rude", "mixed"}),
        ({"disposition": "exonerated"}, {"mixed"}),
        # Both allegation filters apply to one allegation: "mixed" has a force allegation, and an
        # exonerated one, but no exonerated force allegation.
        ({"category": "force", "disposition": "exonerated"}, set()),
        ({"category": "discourtesy", "disposition": "exonerated"}, {"mixed"}),
        ({"district": "N1"}, {"rude"}),
        ({"year": "2026", "category": "force"}, {"mixed"}),
    ],
)
def test_the_filters_narrow_the_list(client, query, expected):
    north = DistrictFactory(code="N1", name="North")
    cases = {
        "old_force": _publish(date(2025, 5, 1)),
        "rude": _publish(date(2026, 1, 5), allegations=[("disc-words", "not_sustained")], district=north),
        "mixed": _publish(
            date(2026, 2, 5), allegations=[("force-physical", "sustained"), ("disc-words", "exonerated")]
        ),
    }

    response = client.get(LIST, query)

    assert response.status_code == 200
    assert set(_ids(response)) == {cases[name].public_id for name in expected}
    if not expected:
        assert "No published decision matches these filters." in response.content.decode()


def test_the_filter_summary_names_each_filter_in_words(client):
    _publish(date(2026, 2, 5))

    text = client.get(LIST, {"year": "2026", "category": "force", "disposition": "sustained"}).content.decode()

    assert "Showing decisions with:" in text
    assert "Year decided: 2026" in text
    assert "Kind of allegation: Force" in text
    assert "Finding: Sustained" in text
    assert "Clear filters" in text


def test_only_officers_named_on_the_public_record_can_be_chosen(client):
    named = OfficerFactory(first_name="Dana", last_name="Whitfield", badge_number="4471")
    private = OfficerFactory(first_name="Morgan", last_name="Quell", badge_number="5582")
    shown = _publish(date(2026, 1, 5))
    PublishedAllegationFactory(
        publication=shown,
        position=5,
        category=_category("force-physical"),
        officer_label="Dana Whitfield",
        officer_disclosed=True,
        officer=named,
        officer_name="Dana Whitfield",
        officer_badge="4471",
    )
    hidden = _publish(date(2026, 1, 6))
    hidden.complaint.subject_officers.create(officer=private)

    text = client.get(LIST).content.decode()
    assert '<option value="4471">Dana Whitfield (4471)</option>' in text
    assert "Quell" not in text and "5582" not in text

    response = client.get(LIST, {"officer": "4471"})
    assert _ids(response) == [shown.public_id]
    # An officer the record keeps private cannot be chosen, even by badge number.
    refused = client.get(LIST, {"officer": "5582"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()


def test_a_filter_that_cannot_be_read_is_shown_as_an_error_and_the_rest_still_apply(client):
    _publish(date(2026, 2, 5))
    _publish(date(2025, 2, 5))
    _publish(date(2025, 2, 6), allegations=[("disc-words", "sustained")])

    response = client.get(LIST, {"year": "twenty", "category": "force", "disposition": "sustained"})

    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="error-summary"' in text
    assert "Year decided" in text
    assert len(_ids(response)) == 2  # the year is left out; the kind of allegation still applies


def test_pages_follow_each_other_by_links_without_repeating_a_case(client):
    first_day = date(2026, 1, 1)
    published = [_publish(first_day + timedelta(days=i // 3)) for i in range(45)]  # ties on the date too

    seen, url, pages = [], LIST + "?category=force", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        ids = _ids(response)
        assert len(ids) <= 20
        seen += ids
        pages += 1
        url = _next_link(response)
        if url:
            assert url.startswith("?category=force&after=")  # the filters stay on the link
            url = LIST + url

    assert pages == 3
    expected = sorted(published, key=lambda p: (p.decision_date, p.pk), reverse=True)
    assert seen == [p.public_id for p in expected]


def test_a_cursor_edited_by_hand_shows_the_first_page(client):
    _publish()
    response = client.get(LIST, {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert len(_ids(response)) == 1


# --- Detail --------------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_published_record(client):
    publication = _publish(
        date(2026, 2, 10),
        allegations=[("force-physical", "sustained"), ("disc-words", "not_sustained")],
        summary="The officer pushed the driver against the car.",
        discipline_outcome="Officer A, Physical force: the board recommended suspension.",
    )
    publication.allegations.filter(position=0).update(
        recommended_discipline="suspension", department_response="accepted", discipline_imposed="Ten days"
    )

    response = client.get(reverse("public_portal:disposition_detail", args=[publication.public_id]))

    assert response.status_code == 200
    text = response.content.decode()
    assert f"Decision {publication.public_id}" in text
    assert "The officer pushed the driver against the car." in text
    assert "Physical force" in text and "Rude or insulting words" in text
    assert "Sustained" in text and "Not sustained" in text
    assert "Suspension" in text and "Accepted" in text and "Ten days" in text
    # How to read it: what each finding in this case means, in plain words.
    assert "The evidence showed the officer did what was alleged and it broke the rules." in text
    assert "There was not enough evidence to show whether or not it happened." in text
    assert "It happened, but what the officer did was lawful" not in text  # not a finding of this case
    assert "Data as of Feb. 20, 2026." in text
    assert "corrected on" not in text


def test_a_corrected_record_shows_its_version_and_when_it_was_corrected(client):
    first = _publish(status="superseded")
    second = _publish(
        supersedes=first,
        version=2,
        published_at=datetime(2026, 3, 9, 15, 0).astimezone(),
        summary="Corrected summary.",
    )
    second.public_id = first.public_id
    second.save()

    response = client.get(reverse("public_portal:disposition_detail", args=[first.public_id]))

    text = response.content.decode()
    assert "This is version 2 of this record, corrected on March 9, 2026." in text
    assert "Corrected summary." in text


@pytest.mark.parametrize("status", ["draft", "approved", "retracted", "superseded", "discarded"])
def test_a_record_that_is_not_published_is_not_found(client, status):
    publication = _publish(status=status)

    response = client.get(reverse("public_portal:disposition_detail", args=[publication.public_id]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_unknown_public_id_is_not_found(client):
    assert client.get("/decisions/D-NOSUCHID/").status_code == 404
    assert client.get("/decisions/" + "X" * 500 + "/").status_code == 404


def test_a_private_officer_appears_only_as_a_letter(client):
    officer = OfficerFactory(first_name="Morgan", last_name="Quell", badge_number="5582")
    publication = _publish()
    publication.complaint.subject_officers.create(officer=officer)

    text = client.get(reverse("public_portal:disposition_detail", args=[publication.public_id])).content.decode()

    assert "Officer A" in text
    assert "Quell" not in text and "5582" not in text
    assert Officer.objects.filter(last_name="Quell").exists()


def test_the_pages_speak_spanish(client):
    publication = _publish()
    headers = {"accept-language": "es"}

    listed = client.get(LIST, headers=headers).content.decode()
    detail = client.get(reverse("public_portal:disposition_detail", args=[publication.public_id]), headers=headers)

    assert '<html lang="es">' in listed
    assert "Uso de la fuerza" in listed and "Fundada" in listed and "Agente A" in listed
    assert "Fuerza física" in detail.content.decode()
    assert "noviembre de 2025" in detail.content.decode()


def test_the_officer_choices_are_read_once_until_something_is_published_or_retracted(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from public_portal.transparency.dispositions import filter_choices

    filter_choices()
    with CaptureQueriesContext(connection) as warm:
        filter_choices()
    assert not [q for q in warm.captured_queries if "publication_publishedallegation" in q["sql"]]
    officer = OfficerFactory(first_name="Rowan", last_name="Achterberg", badge_number="8812")
    publication = PublicationFactory()
    PublishedAllegationFactory(
        publication=publication, officer=officer, officer_disclosed=True,
        officer_name="Rowan Achterberg", officer_badge="8812",
    )  # fmt: skip
    assert any("Achterberg" in label for _key, label, _ids in filter_choices().officers)
