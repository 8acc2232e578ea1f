"""Staff sign-in pages: password, second factor (verify, enrol, backup codes), sign-out, password
reset and change, and the locked-out page. Each view parses the request and calls one service."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from oversight.ratelimit import rate_limited

from . import forms, lockout, qr, services, sessions


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(url: str, next_url: str) -> str:
    """``url?next=…``, written as Django's own sign-in redirects write it (slashes kept)."""
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return f"{url}?{query.urlencode(safe='/')}"


def _verified(user) -> bool:
    # Just after ``login()`` the request's user is the plain user, without django-otp's attributes.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def second_factor_url(request: HttpRequest, next_url: str) -> str:
    """Where a signed-in person goes next: ``next_url`` once verified, else the code page (or the
    enrolment page, for someone with no second factor yet), which then sends them on."""
    user = request.user
    if _verified(user):
        return next_url
    name = "staff:second_factor_verify" if services.has_second_factor(user) else "staff:second_factor_enrol"
    return with_next(reverse(name), next_url)


# --- Password -----------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """The password step. A failure is counted by the lockout handler (``lockout``); an unknown
    username is refused exactly as a wrong password is (Django's backend hashes the password either
    way)."""

    template_name = "oversight/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        return second_factor_url(self.request, super().get_success_url())


class SignOutView(auth_views.LogoutView):
    """Sign-out ends the person's other sessions too, in the session store."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            sessions.end_sessions(request.user, keep_session_key=request.session.session_key)
        return super().post(request, *args, **kwargs)


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """``admin.site.login``: the staff sign-in, with its lockout and second factor, instead of the
    admin's own unlimited form. A signed-in person who may not use the admin is refused."""
    if request.user.is_authenticated and request.method == "GET":
        if admin.site.has_permission(request):
            return HttpResponseRedirect(_safe_next(request, reverse("admin:index")))
        raise PermissionDenied(_("Your account does not give you access to the administration."))
    return SignInView.as_view(next_page=reverse("admin:index"))(request)


def admin_logout(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """``admin.site.logout``: the staff sign-out."""
    return SignOutView.as_view()(request)


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the page for a refused sign-in. The same for every account name,
    known or not; it says when to try again. A half-signed-in session (password only) is ended."""
    seconds = lockout.retry_after(request, credentials)
    if request.user.is_authenticated:
        logout(request)
    response = render(
        request,
        "authn/locked_out.html",
        {
            "retry_minutes": max(1, math.ceil(seconds / 60)),
            "retry_at": timezone.localtime() + timedelta(seconds=seconds),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# --- Second factor ---------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _safe_next(request)
    if not user.is_authenticated:
        return redirect(with_next(reverse("staff:login"), next_url))
    if _verified(user):
        return HttpResponseRedirect(next_url)
    if not services.has_second_factor(user):
        return HttpResponseRedirect(second_factor_url(request, next_url))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.second_factor_verify(request=request, code=form.cleaned_data["code"])
        if outcome is services.Outcome.VERIFIED:
            return HttpResponseRedirect(next_url)
        if outcome is services.Outcome.LOCKED:
            return locked_out(request, credentials={"username": user.get_username()})
        form.add_error("code", _("That code did not work. Check the code your app shows now, or use a backup code."))
    elif lockout.is_locked(request, user.get_username()):
        return locked_out(request, credentials={"username": user.get_username()})
    return render(
        request,
        "authn/verify.html",
        {"form": form, "next": next_url, "forms_with_errors": [form] if form.errors else []},
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _safe_next(request)
    if not user.is_authenticated:
        return redirect(with_next(reverse("staff:login"), next_url))
    if services.has_second_factor(user):
        # Someone already enrolled: a lost device is reset by a supervisor, never from here.
        return HttpResponseRedirect(
            second_factor_url(request, next_url) if not _verified(user) else reverse("staff:second_factor")
        )
    device = services.pending_app(user=user)
    form = forms.EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.app_enrol(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            return _backup_codes_page(request, codes, next_url, first=True)
        form.add_error(
            "code", _("That code did not work. Check that the app's clock is right and type the code it shows now.")
        )
    return render(
        request,
        "authn/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": qr.svg(
                services.otpauth_url(device), title=_("QR code to add this account to an authenticator app")
            ),
            "secret": services.secret_text(device),
            "forms_with_errors": [form] if form.errors else [],
        },
    )


def _backup_codes_page(request: HttpRequest, codes: list[str], next_url: str, *, first: bool) -> HttpResponse:
    # Shown in the response to the form that made them, and never again: nothing stores them in clear
    # but the second-factor table, and no page reads them back.
    response = render(request, "authn/backup_codes.html", {"codes": codes, "next": next_url, "first": first})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The person's own second factor: what is enrolled, and new backup codes on request."""
    if not request.user.is_authenticated:
        return redirect(with_next(reverse("staff:login"), request.path))
    if request.method == "POST":
        codes = services.backup_codes_issue(user=request.user)
        return _backup_codes_page(request, codes, reverse("staff:second_factor"), first=False)
    return render(request, "authn/second_factor.html", {"factor": services.second_factor_of(request.user)})


# --- Password reset and change -----------------------------------------------------------------------


class _ErrorSummary:
    """The page's error summary lists the form's errors (components/error_summary.html)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["forms_with_errors"] = [form] if form is not None and form.errors else []
        return context


@method_decorator(
    rate_limited("password_reset", "RATE_LIMIT_PASSWORD_RESET", template="authn/too_many_requests.html"),
    name="dispatch",
)
class PasswordResetView(_ErrorSummary, auth_views.PasswordResetView):
    """Asks for an email address and answers the same whether or not an account has it."""

    template_name = "authn/password_reset_form.html"
    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("staff:password_reset_done")

    def form_valid(self, form) -> HttpResponse:
        services.password_reset_request(request=self.request, email=form.cleaned_data["email"], form=form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "authn/password_reset_done.html"


class PasswordResetConfirmView(_ErrorSummary, auth_views.PasswordResetConfirmView):
    template_name = "authn/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("staff:password_reset_complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        services.password_reset_done(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "authn/password_reset_complete.html"


class PasswordChangeView(_ErrorSummary, auth_views.PasswordChangeView):
    """A signed-in person's own password. Their other sessions end; this one stays signed in."""

    template_name = "authn/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("staff:password_change_done")

    def form_valid(self, form) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves, and gives this session a new key
        services.password_changed(request=self.request, old_session_key=old_key)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "authn/password_change_done.html"


def admin_password_change(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """``admin.site.password_change``: the staff page, so the change is audited and ends the other sessions."""
    return redirect("staff:password_change")


def staff_home_panel(request: HttpRequest) -> str:
    """The staff home's links to the person's own sign-in settings (``staff_home.panels``)."""
    return render_to_string("authn/panel.html", {}, request=request)
