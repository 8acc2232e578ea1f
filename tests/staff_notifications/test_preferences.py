"""The preferred language: each person sets their own on their preferences page, a supervisor sets
anyone's on the staff account pages, nobody else can (404), every change is audited, and the staff
workspace switches to it at sign-in."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from oversight.models import AuditEvent
from oversight.permissions import Role
from oversight.staff_accounts import services
from oversight.staff_accounts.models import StaffPreference
from oversight.staff_accounts.selectors import preferred_language, stored_language
from tests.factories import UserFactory

from .conftest import set_language

pytestmark = pytest.mark.django_db

PREFERENCES = "/staff/accounts/preferences/"
MIDDLEWARE = "oversight.staff_accounts.middleware.PreferredLanguageMiddleware"


def _language_url(user) -> str:
    return f"/staff/accounts/{user.pk}/language/"


def _language_of(user) -> str | None:
    return StaffPreference.objects.filter(user=user).values_list("language", flat=True).first()


@pytest.fixture
def investigator(db):
    return UserFactory(username="ines_investigator", first_name="Inés", roles=[Role.INVESTIGATOR])


@pytest.fixture
def with_middleware(settings):
    """The workspace language middleware where the settings place it (after authentication)."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    return settings


# --- Defaults --------------------------------------------------------------------------------------------


def test_someone_who_chose_nothing_is_written_to_in_the_sites_language(investigator, settings):
    assert stored_language(investigator) is None
    assert preferred_language(investigator) == "en"
    settings.LANGUAGE_CODE = "es"
    assert preferred_language(investigator) == "es"


def test_a_language_no_longer_offered_falls_back_to_the_default(investigator, settings):
    set_language(investigator, "es")
    settings.LANGUAGES = [("en", "English")]
    assert stored_language(investigator) is None
    assert preferred_language(investigator) == "en"


# --- The person's own page -------------------------------------------------------------------------------


def test_the_preferences_page_offers_each_language_with_the_default_chosen(client, investigator):
    client.force_login(investigator)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Your preferences</h1>" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'value="en" class="usa-radio__input" id="id_language_0" required checked' in page
    assert 'value="es"' in page
    assert "Spanish (Español)" in page
    assert "You have not chosen a language yet: your emails are written in English." in page


def test_a_person_sets_their_own_language_and_it_is_audited(client, investigator):
    client.force_login(investigator)
    response = client.post(PREFERENCES, {"language": "es"})
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    assert _language_of(investigator) == "es"
    event = AuditEvent.objects.get(action="user.language_changed")
    assert event.actor == investigator
    assert event.target_id == str(investigator.pk)
    assert event.data["language"] == "es" and event.data["previous"] == "" and event.data["by_self"] is True

    page = client.get(PREFERENCES).content.decode()
    assert 'value="es" class="usa-radio__input" id="id_language_1" required checked' in page


def test_choosing_the_same_language_again_records_nothing_new(client, investigator):
    client.force_login(investigator)
    client.post(PREFERENCES, {"language": "es"})
    client.post(PREFERENCES, {"language": "es"})
    assert AuditEvent.objects.filter(action="user.language_changed").count() == 1
    client.post(PREFERENCES, {"language": "en"})
    latest = AuditEvent.objects.filter(action="user.language_changed").latest("id")
    assert latest.data["language"] == "en" and latest.data["previous"] == "es"


@pytest.mark.parametrize("value", ["fr", "", "es\x00", "x" * 300])
def test_a_language_not_offered_is_a_form_error(client, investigator, value):
    client.force_login(investigator)
    response = client.post(PREFERENCES, {"language": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please fix the following" in page
    assert "usa-error-message" in page
    assert _language_of(investigator) is None
    assert not AuditEvent.objects.filter(action="user.language_changed").exists()


def test_the_form_needs_its_csrf_token(investigator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(investigator)
    response = client.post(PREFERENCES, {"language": "es"})
    assert response.status_code == 403
    assert _language_of(investigator) is None


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]
    response = client.post(PREFERENCES, {"language": "es"})
    assert response.status_code == 302
    assert not StaffPreference.objects.exists()


def test_the_staff_home_links_to_the_preferences(client, investigator):
    set_language(investigator, "en")
    client.force_login(investigator)
    page = client.get(reverse("staff:home")).content.decode()
    assert f'href="{PREFERENCES}"' in page
    assert "Language of your emails and board packets: English" in page

    # Chosen Spanish, the workspace follows: the panel is in Spanish too.
    set_language(investigator, "es")
    client.logout()
    client.force_login(type(investigator).objects.get(pk=investigator.pk))  # as signing in loads them
    page = client.get(reverse("staff:home")).content.decode()
    assert '<html lang="es">' in page
    assert "Idioma de sus correos y expedientes para la junta: Español" in page


# --- A supervisor, on the staff account pages ---------------------------------------------------------------


def test_a_supervisor_sets_someones_language_and_the_history_shows_it(client, supervisor, investigator):
    client.force_login(supervisor)
    page = client.get(f"/staff/accounts/{investigator.pk}/").content.decode()
    assert "Preferred language" in page
    assert f'action="{_language_url(investigator)}"' in page
    set_language(investigator, "en")
    response = client.post(_language_url(investigator), {"language": "es"})
    assert response.status_code == 302 and response["Location"] == f"/staff/accounts/{investigator.pk}/"
    assert _language_of(investigator) == "es"
    event = AuditEvent.objects.get(action="user.language_changed")
    assert event.actor == supervisor and event.target_id == str(investigator.pk)
    assert event.data["by_self"] is False
    page = client.get(f"/staff/accounts/{investigator.pk}/").content.decode()
    assert "Preferred language changed" in page
    assert "Language: Spanish (was English)." in page


def test_a_bad_language_from_the_supervisor_page_is_a_form_error(client, supervisor, investigator):
    client.force_login(supervisor)
    response = client.post(_language_url(investigator), {"language": "klingon"})
    assert response.status_code == 400
    assert "Please fix the following" in response.content.decode()
    assert _language_of(investigator) is None


def test_the_supervisor_form_takes_posts_only(client, supervisor, investigator):
    client.force_login(supervisor)
    assert client.get(_language_url(investigator)).status_code == 405


@pytest.mark.parametrize("persona", ["other_investigator", "board_member", "sysadmin", "intake_coordinator"])
def test_nobody_else_can_set_someones_language(request, client, investigator, persona):
    other = request.getfixturevalue(persona)
    client.force_login(other)
    assert client.get(f"/staff/accounts/{investigator.pk}/").status_code == 404
    response = client.post(_language_url(investigator), {"language": "es"})
    assert response.status_code == 404
    assert "Staff workspace" in response.content.decode()
    assert _language_of(investigator) is None
    assert not AuditEvent.objects.filter(action="user.language_changed").exists()


def test_an_unknown_account_is_404_for_a_supervisor_too(client, supervisor):
    client.force_login(supervisor)
    assert client.post("/staff/accounts/987654/language/", {"language": "es"}).status_code == 404


# --- The service ------------------------------------------------------------------------------------------


def test_the_service_refuses_anyone_but_the_person_or_a_supervisor(investigator, other_investigator):
    with pytest.raises(PermissionDenied):
        services.language_set(actor=other_investigator, user=investigator, language="es")
    assert _language_of(investigator) is None
    refusal = AuditEvent.objects.get(action="user.change_refused")
    assert refusal.actor == other_investigator and refusal.data["attempt"] == "set_language"


def test_the_service_refuses_a_language_not_offered(investigator):
    with pytest.raises(ValidationError) as error:
        services.language_set(actor=investigator, user=investigator, language="de")
    assert "language" in error.value.error_dict
    assert _language_of(investigator) is None


def test_a_supervisor_may_set_their_own_language_on_their_account_page(client, supervisor):
    client.force_login(supervisor)
    response = client.post(_language_url(supervisor), {"language": "es"})
    assert response.status_code == 302
    assert _language_of(supervisor) == "es"


# --- The workspace in the preferred language ----------------------------------------------------------------


def test_the_workspace_follows_the_preference_from_sign_in(client, investigator, with_middleware):
    set_language(investigator, "es")
    client.force_login(investigator)
    page = client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page
    assert "Área de trabajo del personal" in page
    # The public pages keep the visitor's own choice.
    public = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in public


def test_without_a_preference_the_workspace_follows_the_browser(client, investigator, with_middleware):
    client.force_login(investigator)
    assert '<html lang="es">' in client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_ones_own_change_applies_at_once(client, investigator, with_middleware):
    client.force_login(investigator)
    assert '<html lang="en">' in client.get(PREFERENCES, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(PREFERENCES, {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Área de trabajo del personal" in page


def test_a_supervisors_change_applies_at_the_next_sign_in(client, supervisor, investigator, with_middleware):
    client.force_login(investigator)
    assert '<html lang="en">' in client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    services.language_set(actor=supervisor, user=investigator, language="es")
    assert '<html lang="en">' in client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.logout()
    client.force_login(investigator)
    assert '<html lang="es">' in client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_workspace_language_middleware_is_installed(settings):
    """Fails until the settings list the middleware (right after the authentication middleware)."""
    middleware = list(settings.MIDDLEWARE)
    assert MIDDLEWARE in middleware
    assert middleware.index(MIDDLEWARE) > middleware.index("django.middleware.locale.LocaleMiddleware")
    assert middleware.index(MIDDLEWARE) > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
