from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from oversight.forms import add_usa_classes


class _UsaForm:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_usa_classes(self)

    def full_clean(self) -> None:
        super().full_clean()
        add_usa_classes(self)  # again, now that errors are known (aria-describedby, aria-invalid)


class CodeForm(_UsaForm, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}),
    )


class EnrolCodeForm(CodeForm):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=32,
        help_text=_("The six digits the app shows for this account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class PasswordResetForm(_UsaForm, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(_UsaForm, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(_UsaForm, auth_forms.PasswordChangeForm):
    pass
