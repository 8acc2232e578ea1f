"""The staff account pages, a supervisor's: the list of accounts (``staff:accounts:list``) and one
person's page (``staff:accounts:detail``) with its roles, grant history and second factor, and the
forms that grant and revoke roles, reset a lost second factor and set the person's preferred
language (``staff:accounts:language``). Anyone else gets the 404 page.

Every signed-in person also has their own preferences page (``staff:accounts:preferences``), linked
from the staff home."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import parse_int
from oversight.pagination import querystring

from . import selectors, services
from .forms import AccountSearchForm, LanguageForm, RoleGrantForm, RoleRevokeForm, SecondFactorResetForm
from .middleware import remember_language

PAGE_SIZE = 50


def _password_reset_url() -> str:
    """Where a person asks for the emailed link to set their password (empty if the site has none)."""
    try:
        return reverse("staff:password_reset")
    except NoReverseMatch:
        return ""


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    selectors.check_manager(request.user)
    form = AccountSearchForm(request.GET)
    query = form.query()
    paginator = Paginator(selectors.staff_accounts(query=query), PAGE_SIZE)
    page = paginator.get_page(parse_int(request.GET.get("page")) or 1)
    add_usa_classes(form)
    return render(
        request,
        "staff_accounts/account_list.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "page": page,
            "accounts": [(account, [selectors.role_label(g.name) for g in account.groups.all()]) for account in page],
            "query": query,
            "querystring": querystring({"q": query}),
        },
    )


def _render_detail(
    request: HttpRequest,
    account,
    *,
    grant_form: RoleGrantForm | None = None,
    reset_form: SecondFactorResetForm | None = None,
    language_form: LanguageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    own = account.pk == request.user.pk
    may_change = not own
    if may_change and account.is_active:
        grant_form = grant_form or RoleGrantForm(account=account)
        add_usa_classes(grant_form)
    else:
        grant_form = None
    if may_change:
        reset_form = reset_form or SecondFactorResetForm()
        add_usa_classes(reset_form)
    else:
        reset_form = None
    stored = selectors.stored_language(account)
    language_form = language_form or LanguageForm(current=stored or settings.LANGUAGE_CODE)
    add_usa_classes(language_form)
    forms_with_errors = [f for f in (grant_form, reset_form, language_form) if f is not None and f.errors]
    return render(
        request,
        "staff_accounts/account_detail.html",
        {
            "account": account,
            "own": own,
            "may_change": may_change,
            "roles": selectors.roles_held(account),
            "grant_form": grant_form if grant_form is not None and grant_form.fields["role"].choices else None,
            "reset_form": reset_form,
            "forms_with_errors": forms_with_errors,
            "devices": selectors.second_factor_devices(account),
            "history": selectors.role_history(account),
            "password_reset_url": _password_reset_url(),
            "language_form": language_form,
            "language_chosen": bool(stored),
        },
        status=status,
    )


@login_required
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get_for_manager(user=request.user, pk=user_id)
    return _render_detail(request, account)


@login_required
def role_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get_for_manager(user=request.user, pk=user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RoleGrantForm(request.POST, account=account)
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            reset = services.grant_role(actor=request.user, user=account, role=role)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = selectors.role_label(role)
            if reset:
                messages.success(
                    request,
                    _(
                        "%(role)s granted. The account's sign-in was reset: ask %(name)s to set a password with "
                        "the link emailed to %(email)s (“Forgot your password?” on the sign-in page)."
                    )
                    % {
                        "role": label,
                        "name": account.get_full_name() or account.get_username(),
                        "email": account.email,
                    },
                )
            else:
                messages.success(request, _("%(role)s granted.") % {"role": label})
            return redirect("staff:accounts:detail", account.pk)
    return _render_detail(request, account, grant_form=form, status=400)


@login_required
def role_revoke(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get_for_manager(user=request.user, pk=user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RoleRevokeForm(request.POST, account=account)
    if not form.is_valid():
        messages.error(request, _("That role could not be revoked: this person does not hold it."))
        return redirect("staff:accounts:detail", account.pk)
    role = form.cleaned_data["role"]
    try:
        services.revoke_role(actor=request.user, user=account, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(role)s revoked.") % {"role": selectors.role_label(role)})
    return redirect("staff:accounts:detail", account.pk)


@login_required
def second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get_for_manager(user=request.user, pk=user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SecondFactorResetForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, account, reset_form=form, status=400)
    services.reset_second_factor(actor=request.user, user=account)
    messages.success(
        request,
        _("Second factor reset and sessions ended. %(name)s enrols a new device at their next sign-in.")
        % {"name": account.get_full_name() or account.get_username()},
    )
    return redirect("staff:accounts:detail", account.pk)


@login_required
def language_set(request: HttpRequest, user_id: int) -> HttpResponse:
    """A supervisor sets someone's preferred language from their account page."""
    account = selectors.account_get_for_manager(user=request.user, pk=user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = LanguageForm(request.POST, current=selectors.preferred_language(account))
    if not form.is_valid():
        return _render_detail(request, account, language_form=form, status=400)
    language = form.cleaned_data["language"]
    services.language_set(actor=request.user, user=account, language=language)
    if account.pk == request.user.pk:
        remember_language(request, language)
        text = _("Your preferred language is now %(language)s.")
    else:
        text = _(
            "%(name)s's preferred language is now %(language)s. Their emails use it from now on, and the staff "
            "workspace from their next sign-in."
        )
    messages.success(
        request,
        text
        % {"name": account.get_full_name() or account.get_username(), "language": selectors.language_label(language)},
    )
    return redirect("staff:accounts:detail", account.pk)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own preferences: the language of their emails, their board packets and
    the staff workspace."""
    user = request.user
    stored = selectors.stored_language(user)
    current = stored or settings.LANGUAGE_CODE
    if request.method == "POST":
        form = LanguageForm(request.POST, current=current)
        if form.is_valid():
            language = form.cleaned_data["language"]
            services.language_set(actor=user, user=user, language=language)
            remember_language(request, language)  # this page, and the message below, in the new language
            messages.success(
                request,
                _("Saved. Your preferred language is %(language)s.") % {"language": selectors.language_label(language)},
            )
            return redirect("staff:accounts:preferences")
        status = 400
    elif request.method == "GET":
        form = LanguageForm(current=current)
        status = 200
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    add_usa_classes(form)
    return render(
        request,
        "staff_accounts/preferences.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "language_chosen": bool(stored),
            "current_label": selectors.language_label(current),
        },
        status=status,
    )


def staff_home_panel(request: HttpRequest) -> str | None:
    """The staff home's link to the person's preferences (``staff_home.panels``)."""
    if not request.user.is_authenticated:
        return None
    language = selectors.preferred_language(request.user)
    return render_to_string(
        "staff_accounts/preferences_panel.html",
        {"language_label": selectors.language_label(language)},
        request=request,
    )
