from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator

from . import audit, permissions
from .ratelimit import rate_limited


@method_decorator(rate_limited("login", "RATE_LIMIT_LOGIN"), name="dispatch")
class StaffLoginView(auth_views.LoginView):
    template_name = "oversight/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    pass


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
        },
    )


@receiver(user_logged_in, dispatch_uid="oversight.audit_login")
def _audit_login(sender, request, user, **kwargs) -> None:
    audit.record("auth.login", actor=user, target=user)


@receiver(user_logged_out, dispatch_uid="oversight.audit_logout")
def _audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("auth.logout", actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="oversight.audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username tried is kept (it is a staff account name, not a resident's data); never the password.
    audit.record(
        "auth.login_failed",
        outcome=audit.Outcome.FAILED,
        data={"username": str(credentials.get("username", ""))[:150]},
    )
