"""Error pages keep the layout of the area they happen in.

Inside the staff area (and the admin) a 400, 403, 404 or CSRF failure is drawn in the staff layout,
so a signed-in user keeps the staff navigation; on public pages it is drawn in the public layout.
Neither ever falls back to Django's bare pages.
"""

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from complaints.models import Complaint
from investigations.models import Investigation, Subpoena
from investigations.services.subpoenas import subpoena_draft
from oversight import permissions
from oversight.views import bad_request, csrf_failure, permission_denied

pytestmark = pytest.mark.django_db

MISSING_TRACKING_NUMBER = "CPC-1999-99999"
STAFF_MARKERS = ('class="site-header staff-header"', "Staff workspace")
PUBLIC_MARKERS = ("language-switch", "usa-footer", 'id="hero-heading"', "Contact and privacy")
BARE_DJANGO_MARKERS = (
    "<h1>Not Found</h1>",
    "The requested resource was not found on this server.",
    "<h1>403 Forbidden</h1>",
    "Forbidden <span>(403)",
    "CSRF verification failed",
    "<h1>Bad Request (400)</h1>",
    "<h1>Server Error (500)</h1>",
)
STAFF_404_TEXT = "We can't find that page or case. It may not exist, or you may not have access to it."
STAFF_403_TEXT = "You can see this case but you can't do this here."
BAD_REQUEST_TEXT = "We couldn't process that request"
CSRF_TEXT = "Your session may have expired. Go back, reload the page and try again."


def assert_staff_layout(body: str) -> None:
    for marker in STAFF_MARKERS:
        assert marker in body
    for marker in PUBLIC_MARKERS + BARE_DJANGO_MARKERS:
        assert marker not in body


def assert_public_layout(body: str) -> None:
    assert "language-switch" in body and "Contact and privacy" in body
    for marker in ("staff-header", "Staff workspace", 'id="hero-heading"', *BARE_DJANGO_MARKERS):
        assert marker not in body


def assert_next_steps_for_staff(body: str) -> None:
    assert f'href="{reverse("cases:dashboard")}"' in body
    assert f'href="{reverse("staff:home")}"' in body


# --- Walking every staff URL -----------------------------------------------------------------------

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_CANDIDATES = ("nope", "999999", MISSING_TRACKING_NUMBER, "00000000-0000-0000-0000-000000000000")


def _filler(name: str, converter) -> str:
    """A value the converter accepts that names nothing: a tracking number no case has, and so on."""
    preferred = (MISSING_TRACKING_NUMBER,) if "tracking" in name else ()
    for candidate in preferred + _CANDIDATES:
        if re.fullmatch(converter.regex, candidate):
            return candidate
    raise AssertionError(f"No filler value for <{name}> (pattern {converter.regex!r}); add one to _CANDIDATES")


def _concrete(pattern) -> str | None:
    """The pattern with each parameter filled in, or None for a regular expression pattern."""
    if not isinstance(pattern, RoutePattern):
        return None
    route = str(pattern)
    return _PARAMETER.sub(lambda m: _filler(m["name"], pattern.converters[m["name"]]), route)


def _walk(patterns, prefix: str = "/") -> Iterator[str]:
    """A concrete path for every route pattern in the URLconf."""
    for entry in patterns:
        piece = _concrete(entry.pattern)
        if piece is None:
            continue
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + piece)
        elif isinstance(entry, URLPattern):
            yield prefix + piece


def staff_paths() -> list[str]:
    staff_prefix = reverse("staff:home")
    logout = reverse("staff:logout")
    paths = []
    for path in _walk(get_resolver().url_patterns):
        if not path.startswith(staff_prefix) or path == logout:
            continue  # a GET to the sign-out page must not end the session the walk depends on
        paths.append(path)
    return sorted(set(paths))


def test_the_walk_finds_the_staff_urls():
    paths = staff_paths()
    assert len(paths) >= 30
    assert f"{reverse('staff:home')}cases/{MISSING_TRACKING_NUMBER}/" in paths


@pytest.mark.parametrize("persona", ["other_investigator", "board_member", "supervisor"])
def test_every_staff_error_page_is_drawn_in_the_staff_layout(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    statuses: dict[int, list[str]] = {}
    for path in staff_paths():
        response = client.get(path)
        statuses.setdefault(response.status_code, []).append(path)
        if response.status_code in (400, 403, 404):
            body = response.content.decode()
            assert_staff_layout(body)
            assert f"Sign out {user.get_username()}" in body, path
            assert MISSING_TRACKING_NUMBER not in body, path
        assert response.status_code < 500, path
    assert len(statuses.get(404, [])) >= 15, statuses


def test_an_unknown_staff_path_gets_the_staff_404_with_where_to_go_next(client, other_investigator):
    client.force_login(other_investigator)
    response = client.get(f"{reverse('staff:home')}no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_staff_layout(body)
    assert STAFF_404_TEXT in body
    assert_next_steps_for_staff(body)


def test_signed_out_visitors_get_the_staff_404_without_navigation(client):
    response = client.get(f"{reverse('staff:home')}no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_staff_layout(body)
    assert "Sign out" not in body


def _without_tokens(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def test_a_hidden_case_and_a_missing_case_get_the_same_404(client, complaint, other_investigator):
    client.force_login(other_investigator)
    hidden = client.get(reverse("cases:overview", args=[complaint.tracking_number]))
    missing = client.get(reverse("cases:overview", args=[MISSING_TRACKING_NUMBER]))
    assert hidden.status_code == missing.status_code == 404
    assert _without_tokens(hidden.content.decode()) == _without_tokens(missing.content.decode())
    body = hidden.content.decode()
    assert complaint.tracking_number not in body and "Rosa" not in body and "Delgado" not in body


def test_an_unknown_admin_path_gets_the_staff_404(client, sysadmin):
    client.force_login(sysadmin)
    response = client.get(f"{reverse('admin:index')}no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_staff_layout(body)
    assert f'href="{reverse("admin:index")}"' in body


# --- Forbidden actions -----------------------------------------------------------------------------


def test_looking_but_not_working_on_a_case_gets_the_staff_403(client, complaint, other_investigator):
    permissions.grant(other_investigator, "complaints.view_complaint", complaint)
    client.force_login(other_investigator)
    response = client.post(reverse("cases:notes", args=[complaint.tracking_number]), {"body": "A note", "kind": "note"})
    assert response.status_code == 403
    body = response.content.decode()
    assert_staff_layout(body)
    assert STAFF_403_TEXT in body
    assert "usa-alert--warning" not in body  # a refusal without a reason shows no empty box
    assert_next_steps_for_staff(body)


def test_a_refusal_with_a_reason_shows_it_on_the_staff_403(client, complaint, assigned_investigator):
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    complaint.refresh_from_db()
    Investigation.objects.get_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    subpoena_draft(
        complaint=complaint,
        actor=assigned_investigator,
        recipient_kind=Subpoena.RecipientKind.AGENCY,
        recipient_name="Testville Police Records Unit",
        recipient_address="1 Civic Plaza",
        demand=Subpoena.Demand.DOCUMENTS,
        description="Body-worn camera footage of the stop on 12 March.",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    client.force_login(assigned_investigator)
    # Investigators draft subpoenas; authorizing one is for someone else.
    url = reverse("cases:subpoena_move", args=[complaint.tracking_number, 1, Subpoena.Status.AUTHORIZED])
    response = client.post(url, {"authorize-note": "Please"})
    assert response.status_code == 403
    body = response.content.decode()
    assert_staff_layout(body)
    assert STAFF_403_TEXT in body
    assert "You are not allowed to do this on this subpoena." in body
    assert 'class="usa-alert usa-alert--warning' in body


@pytest.mark.parametrize(
    "exception",
    [
        PermissionDenied(),
        PermissionDenied(""),
        PermissionDenied("   "),
        PermissionDenied("perm", "complaints.change_complaint"),
        PermissionDenied({"code": "no_grant"}),
        PermissionDenied("Traceback (most recent call last):\n  File ..."),
    ],
    ids=["none", "empty", "blank", "several-args", "object", "multi-line"],
)
def test_a_refusal_that_is_not_a_plain_sentence_is_not_shown(other_investigator, exception):
    request = RequestFactory().get(f"{reverse('staff:home')}x/")
    request.user = other_investigator
    response = permission_denied(request, exception)
    assert response.status_code == 403
    body = response.content.decode()
    assert_staff_layout(body)
    assert "usa-alert--warning" not in body
    assert "complaints.change_complaint" not in body and "no_grant" not in body and "Traceback" not in body


def test_a_public_403_keeps_the_public_layout(rf):
    response = permission_denied(rf.get(reverse("public_portal:status_lookup")), PermissionDenied())
    assert response.status_code == 403
    body = response.content.decode()
    assert_public_layout(body)
    assert "You don't have access to this page." in body


# --- Public pages ----------------------------------------------------------------------------------


def test_a_public_404_keeps_the_public_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_public_layout(body)
    assert "Page not found" in body


def test_a_public_404_looks_the_same_to_a_signed_in_staff_user(client, other_investigator):
    client.force_login(other_investigator)
    body = client.get("/no-such-page/").content.decode()
    assert_public_layout(body)


# --- CSRF failures ---------------------------------------------------------------------------------


def test_a_staff_form_posted_without_a_token_gets_the_staff_csrf_page(other_investigator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_investigator)
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 403
    body = response.content.decode()
    assert_staff_layout(body)
    assert CSRF_TEXT in body
    assert f"Sign out {other_investigator.get_username()}" in body  # still signed in
    assert "Referer" not in body and "CSRF cookie" not in body
    assert_next_steps_for_staff(body)


def test_the_staff_sign_in_form_posted_without_a_token_gets_the_staff_csrf_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("staff:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert_staff_layout(body)
    assert CSRF_TEXT in body


def test_a_public_form_posted_without_a_token_gets_the_public_csrf_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("public_portal:status_lookup"), {"tracking_number": MISSING_TRACKING_NUMBER})
    assert response.status_code == 403
    body = response.content.decode()
    assert_public_layout(body)
    assert CSRF_TEXT in body


def test_the_csrf_view_never_shows_the_reason(rf):
    response = csrf_failure(rf.post(reverse("public_portal:status_lookup")), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert "CSRF cookie not set" not in response.content.decode()


# --- Bad requests ----------------------------------------------------------------------------------


def test_a_staff_bad_request_gets_the_staff_400(other_investigator):
    request = RequestFactory().post(f"{reverse('staff:home')}x/")
    request.user = other_investigator
    response = bad_request(request, SuspiciousOperation("Invalid multipart boundary in form"))
    assert response.status_code == 400
    body = response.content.decode()
    assert_staff_layout(body)
    assert BAD_REQUEST_TEXT in body
    assert "Go back, reload the page and try again." in body
    assert "multipart" not in body
    assert f"Sign out {other_investigator.get_username()}" in body
    assert_next_steps_for_staff(body)


def test_a_request_with_a_bad_host_gets_the_staff_400(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get(reverse("staff:home"), headers={"host": "attacker.example"})
    assert response.status_code == 400
    body = response.content.decode()
    assert_staff_layout(body)
    assert "attacker.example" not in body


def test_a_public_bad_request_keeps_the_public_layout(rf):
    response = bad_request(rf.post(reverse("public_portal:status_lookup")), SuspiciousOperation("Bad boundary"))
    assert response.status_code == 400
    body = response.content.decode()
    assert_public_layout(body)
    assert "Bad boundary" not in body


# --- Spanish ---------------------------------------------------------------------------------------
# Only strings already in the Spanish catalog are checked here; the error pages' own sentences are
# checked in English above.


def test_the_staff_404_is_in_spanish_for_a_spanish_browser(client, other_investigator):
    client.force_login(other_investigator)
    response = client.get(f"{reverse('staff:home')}no-such-page/", headers={"accept-language": "es"})
    assert response.status_code == 404
    body = response.content.decode()
    assert 'lang="es"' in body
    assert "Área de trabajo del personal" in body and "Página no encontrada" in body and "Mi trabajo" in body
    assert "Staff workspace" not in body


def test_the_staff_404_follows_the_language_cookie(client, settings, other_investigator):
    client.force_login(other_investigator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = client.get(f"{reverse('staff:home')}no-such-page/").content.decode()
    assert "Área de trabajo del personal" in body and "Página no encontrada" in body
