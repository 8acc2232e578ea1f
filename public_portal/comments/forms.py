"""The forms of public comments: the resident's comment, and the staff's comment period and
moderation forms."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from public_portal.forms import HoneypotMixin

from .models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, PublicComment


def new_token() -> str:
    """A fresh form token: the idempotency key of the comment the form will send."""
    return secrets.token_urlsafe(24)


class CommentForm(HoneypotMixin):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain text, up to %(limit)d characters. If it is approved, it is published on this page as you "
            "wrote it: do not include anyone's private details."
        ),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=_("Published with your comment. Leave it empty to be shown as “Anonymous”."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        required=False,
        max_length=254,
        help_text=_("Only if you want us to be able to write to you. It is never published."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Filled when the form is drawn; the service refuses a token that is not one of ours.
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    field_order = ["text", "name", "email", "form_token", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", new_token())
        field = self.fields["text"]
        field.help_text = field.help_text % {"limit": TEXT_MAX_LENGTH}


class PeriodOpenForm(CheckedInputMixin, forms.Form):
    closes_on = forms.DateField(
        label=_("Last day to comment"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Comments are taken from today through the end of this day."),
    )


class ModerationForm(CheckedInputMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (PublicComment.State.APPROVED, _("Approve: publish it")),
            (PublicComment.State.REJECTED, _("Reject: do not publish it")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject. Seen by staff only."),
    )
