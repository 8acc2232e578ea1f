"""The staff account pages' forms: search, grant a role, revoke one, reset a second factor, and the
preferred language (the person's own preferences page and the supervisor's account page)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from oversight.input_guard import CheckedInputMixin

from . import selectors


class AccountSearchForm(CheckedInputMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search by name, username or email"),
        required=False,
        max_length=150,
    )

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class RoleGrantForm(CheckedInputMixin, forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role to grant"), widget=forms.RadioSelect)
    confirm_email = forms.BooleanField(required=False)

    def __init__(self, *args: Any, account: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        held = selectors.roles_held(account)
        self.fields["role"].choices = [(row.code, row.label) for row in selectors.roles_grantable(held)]
        self.first_case_role = not any(row.reads_cases for row in held)
        if self.first_case_role:
            self.fields["confirm_email"].label = _(
                "I have checked that %(email)s is the person's own email address."
            ) % {"email": account.email or _("(no email address)")}
            self.fields["confirm_email"].help_text = _(
                "Granting a role that reads cases resets this account's sign-in: its password is replaced, its "
                "second factor removed and its sessions ended. The person then sets their own password with the "
                "link emailed to this address, and enrols a second factor at their next sign-in."
            )
        else:
            del self.fields["confirm_email"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role = cleaned.get("role")
        resets = role and "confirm_email" in self.fields and selectors.resets_sign_in(self.account, role)
        if resets and not cleaned.get("confirm_email"):
            self.add_error(
                "confirm_email", _("Check the email address first: the link to set the password goes there.")
            )
        return cleaned


class RoleRevokeForm(CheckedInputMixin, forms.Form):
    role = forms.ChoiceField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, account: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(row.code, row.label) for row in selectors.roles_held(account)]


class SecondFactorResetForm(CheckedInputMixin, forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have confirmed who the person is, and that they lost their device or backup codes."),
        help_text=gettext_lazy(
            "Their authenticator app and backup codes stop working and their sessions end. They enrol again "
            "at their next sign-in."
        ),
    )


class LanguageForm(CheckedInputMixin, forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Preferred language"),
        help_text=gettext_lazy(
            "Emails from the workspace and board packets are written in this language, and the staff workspace "
            "is shown in it. What people wrote into a case stays in the language they wrote it in."
        ),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"language": current})
        super().__init__(*args, **kwargs)
        # Each language named in its own language too, for a reader who does not read the page's.
        self.fields["language"].choices = [(code, _language_choice(code, name)) for code, name in settings.LANGUAGES]


def _language_choice(code: str, name: Any) -> str:
    """The choice's label: "Spanish (Español)" on an English page, "Español" on a Spanish one."""
    translated = str(name)
    try:
        local = capfirst(get_language_info(code)["name_local"])
    except KeyError:
        return translated
    return translated if translated.lower() == local.lower() else f"{translated} ({local})"
