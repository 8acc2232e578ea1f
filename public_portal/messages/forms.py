"""The forms of messages: the staff member's message to the complainant, the complainant's answer
on the status page, and the same answer with the tracking number and code typed again once the
status page has closed."""

import secrets

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from public_portal.forms import StatusLookupForm

from .models import BODY_MAX_LENGTH
from .services import REPLY_MAX_FILES


def new_token() -> str:
    """A fresh form token: the idempotency key of the message the form will send."""
    return secrets.token_urlsafe(24)


class _TokenForm(CheckedInputMixin, forms.Form):
    # Filled when the form is drawn; the service refuses a token that is not one of ours.
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", new_token())


class MessageForm(_TokenForm):
    body = forms.CharField(
        label=_("Message to the complainant"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Plain text. The complainant reads exactly what you write, on their status page: do not name "
            "witnesses or anyone else. A named complainant who left an email is told a message is waiting, "
            "without its text. Write in the complainant's language."
        ),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files in one input (the service limits how many); a list, maybe empty."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class ReplyForm(_TokenForm):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Write in your own words. Only the staff working on your complaint will read it."),
    )
    files = MultipleFileField(
        label=_("Add files"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/*,video/*,audio/*,.pdf,.doc,.docx,.odt,.xlsx,.ods,.pptx,.txt"}
        ),
        help_text=_("Photos, videos, audio, PDFs or documents. Up to %(count)d files, each up to %(size)d MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["files"]
        field.help_text = field.help_text % {
            "count": REPLY_MAX_FILES,
            "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }

    def uploaded(self) -> list[tuple]:
        """The files sent, as (stream, name the browser gave); call after ``is_valid()``."""
        return [(upload, upload.name) for upload in self.cleaned_data.get("files") or []]


class ReplyAgainForm(ReplyForm, StatusLookupForm):
    """The answer of a visitor whose status page closed before they sent it: the text they typed
    is kept, and they type their tracking number and code again (files are chosen again)."""

    field_order = ["tracking_number", "code", "body", "files", "form_token"]
