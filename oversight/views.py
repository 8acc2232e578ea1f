from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.views.decorators.csrf import requires_csrf_token

from . import hooks, permissions


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    roles = permissions.roles_of(request.user)
    return render(
        request,
        "oversight/staff_home.html",
        {
            "roles": [permissions.ROLE_LABELS.get(r, r) for r in roles],
            "can_see_complaints": request.user.has_perm("complaints.view_all_complaints")
            or request.user.has_perm("complaints.triage_complaint")
            or permissions.has_role(request.user, permissions.Role.INVESTIGATOR)
            or permissions.has_role(request.user, permissions.Role.BOARD_MEMBER),
            # Higher parts add what their people need first (board review: the cases awaiting my vote).
            "panels": hooks.run("staff_home.panels", request),
        },
    )


# --- Error pages ---------------------------------------------------------------------------------
# Staff and admin paths get the staff layout, so a signed-in user keeps the staff navigation; every
# other path gets the public layout. The 500 page stays the public one, which uses no request data.


def _in_staff_area(request: HttpRequest) -> bool:
    return request.path.startswith((reverse("staff:home"), reverse("admin:index")))


def _error_page(request: HttpRequest, name: str, status: int, context: dict | None = None) -> HttpResponse:
    template = f"staff/{name}.html" if _in_staff_area(request) else f"{name}.html"
    return render(request, template, context or {}, status=status)


def _refusal_message(exception: Exception | None) -> str:
    """The reason a ``PermissionDenied`` gave, when it is a single sentence written for a person.

    Anything else (no reason, several arguments, objects, long or multi-line text) is dropped: a
    refusal page never shows internal detail."""
    if exception is None or len(exception.args) != 1:
        return ""
    reason = exception.args[0]
    if not isinstance(reason, str | Promise):
        return ""
    reason = str(reason).strip()
    if "\n" in reason or len(reason) > 300:
        return ""
    return reason


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # What was wrong with the request is never shown: it is technical, and may echo what was sent.
    return _error_page(request, "400", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "403", 403, {"refusal": _refusal_message(exception)})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The same page whether or not the object exists, so it never confirms a case exists.
    return _error_page(request, "404", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is meant for developers; the person only needs to know what to do.
    return _error_page(request, "403_csrf", 403)
