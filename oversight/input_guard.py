"""Input that cannot be read or stored is refused plainly, never with a server error.

Two layers, each for what it can judge:

* ``InputGuardMiddleware`` looks at the request before any view: a path, query string, form
  field name or value, uploaded file name or cookie that is not valid UTF-8, a NUL in the path,
  the query string, a cookie or a form field's name, and a query string over 8 KB get the
  translated 400 page (in the layout of the area). Browsers never send such input; it comes from
  broken clients, hand-made requests and fuzzers, and there is nothing on a form a person could
  correct. A refused cookie is also deleted, so that reloading the page works. A NUL in a form
  field's value is left to the form.
* ``CheckedInputMixin`` on every form: a field whose value holds a control character (NUL
  included) gets one clear error in the visitor's language and keeps the rest of what was typed;
  text fields without a limit get one (``TEXT_MAX_LENGTH``, ``LINE_MAX_LENGTH``), so a huge value
  is an error, never truncated; dates must lie between ``EARLIEST_DATE`` and ``LATEST_DATE``; whole
  numbers must fit a database integer.

Views that read a number or an action from the request themselves parse it with ``parse_int`` or
``parse_indexed``, which answer None for anything but a plain number in range.
"""

import logging
import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import date
from http.cookies import CookieError
from typing import Any
from urllib.parse import unquote_to_bytes

from django import forms
from django.core import validators
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What PostgreSQL's text and jsonb types cannot hold (jsonb refuses ``\u0000`` as well).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# What the multipart parser puts in place of bytes that are not UTF-8.
_REPLACEMENT = "\ufffd"
_DIGITS = re.compile(r"[0-9]{1,19}")

BIGINT_MAX = 2**63 - 1
# Longer query strings are refused, as most web servers refuse such URLs (no link here comes
# near it): a search of tens of thousands of characters is beyond what SQLite's LIKE can match.
QUERY_STRING_MAX_BYTES = 8192
TEXT_MAX_LENGTH = 20000
LINE_MAX_LENGTH = 1000
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

CONTROL_CHARACTERS_MESSAGE = _(
    "This answer contains invisible control characters, which we can't accept. They often come from "
    "copying text out of another program: type the answer again, or paste it as plain text."
)
DATE_RANGE_MESSAGE = _("Enter a date between %(earliest)s and %(latest)s.")


# --- Text ------------------------------------------------------------------------------------------


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character no one types into a form (tab and line breaks are fine)."""
    return bool(_CONTROL.search(text))


def is_storable(text: str) -> bool:
    """Whether ``text`` can be written to every database the project runs on (PostgreSQL text and
    jsonb refuse NUL; no encoder takes a lone surrogate)."""
    return not _UNSTORABLE.search(text)


def all_storable(values: Iterable[Any]) -> bool:
    """Whether every string in ``values`` (strings, or lists of them) is storable."""
    for value in values:
        items = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, str) and is_storable(item) for item in items):
            return False
    return True


# --- Numbers ---------------------------------------------------------------------------------------


def parse_int(value: Any, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """The whole number ``value`` spells in plain ASCII digits, if it lies in [minimum, maximum]; else
    None. Signs, spaces, underscores, other scripts' digits and huge numbers are all None: ``int()``
    accepts several of those, and a database integer cannot hold the last."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_indexed(value: Any, prefix: str, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """The number in an action such as ``remove-3`` (``prefix`` "remove-"), or None."""
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    return parse_int(value.removeprefix(prefix), minimum=minimum, maximum=maximum)


# --- Views ----------------------------------------------------------------------------------------


def posted(request: HttpRequest) -> Any:
    """The data to bind a view's form to: a POST's data even when it is empty (a form sent with
    nothing in it gets "This field is required", not a blank form), else None (unbound)."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


# --- Forms -----------------------------------------------------------------------------------------


def _date_bounds(value: date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise forms.ValidationError(
            DATE_RANGE_MESSAGE,
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


class CheckedInputMixin:
    """Every form's common rules for what a person can type (see the module's docstring).

    Put it first among the bases: ``class NoteForm(CheckedInputMixin, forms.Form)``.
    """

    def full_clean(self) -> None:
        # Here rather than in __init__: many forms add fields in their own __init__, after ours.
        for field in self.fields.values():
            _limit(field)
        super().full_clean()
        if not self.is_bound or self._errors is None:
            return
        for name, field in self.fields.items():
            if field.disabled:
                continue
            key = self.add_prefix(name)
            # The widget's reading, and the raw values too: a checkbox reads any value as "checked".
            sent = _strings(field.widget.value_from_datadict(self.data, self.files, key))
            sent += self.data.getlist(key) if hasattr(self.data, "getlist") else _strings(self.data.get(key))
            if any(has_control_characters(text) for text in sent if isinstance(text, str)):
                # One clear message instead of whatever the field made of it ("Null characters are
                # not allowed", "Select a valid choice", or nothing at all for other controls).
                self._errors.pop(name, None)
                self.add_error(name, forms.ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters"))


def _limit(field: forms.Field) -> None:
    """Give a field the limits every field has: a length, a date range, an integer range."""
    if getattr(field, "_input_limited", False):
        return
    field._input_limited = True
    if isinstance(field, forms.CharField) and field.max_length is None:
        # Checked on the server only: a maxlength attribute would make browsers cut pasted text short.
        cap = TEXT_MAX_LENGTH if isinstance(field.widget, forms.Textarea) else LINE_MAX_LENGTH
        field.max_length = cap
        field.validators.append(validators.MaxLengthValidator(cap))
    elif isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
        field.validators.append(_date_bounds)
    elif isinstance(field, forms.IntegerField):
        if field.max_value is None:
            field.max_value = BIGINT_MAX
            field.validators.append(validators.MaxValueValidator(BIGINT_MAX))
        if field.min_value is None:
            field.min_value = -BIGINT_MAX
            field.validators.append(validators.MinValueValidator(-BIGINT_MAX))


# --- The request -----------------------------------------------------------------------------------


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def form_encoded_problem(raw: bytes, *, nul_in_values: bool) -> str | None:
    """What is wrong with a query string or form-encoded body, or None.

    Read the way Django reads it (fields split on "&", "+" for a space, percent escapes), but
    strictly: Django replaces bytes that are not UTF-8 (or reads the whole body as Latin-1), which
    would store something other than what was sent.
    """
    for piece in raw.split(b"&"):
        if not piece:
            continue
        name, _sep, value = piece.partition(b"=")
        name_text = _text(unquote_to_bytes(name.replace(b"+", b" ")))
        value_text = _text(unquote_to_bytes(value.replace(b"+", b" ")))
        if name_text is None or value_text is None:
            return "undecodable"
        if "\x00" in name_text or (nul_in_values and "\x00" in value_text):
            return "nul"
    return None


def _wsgi_bytes(text: str) -> bytes:
    # The server hands over bytes decoded as Latin-1 (PEP 3333); encode them back to judge them.
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _cookie_readable(name: str, value: str) -> bool:
    for text in (name, value):
        decoded = _text(_wsgi_bytes(text))
        if decoded is None or has_control_characters(decoded):
            return False
    return True


def multipart_problem(request: HttpRequest) -> str | None:
    """What is wrong with a parsed multipart body (field names, values, file names), or None."""
    for name, values in request.POST.lists():
        if "\x00" in name or _REPLACEMENT in name or any(_REPLACEMENT in v for v in values):
            return "undecodable"
    for name, files in request.FILES.lists():
        if "\x00" in name or _REPLACEMENT in name:
            return "undecodable"
        for upload in files:
            if isinstance(upload, UploadedFile) and _REPLACEMENT in (upload.name or ""):
                return "undecodable"
    return None


def request_problem(request: HttpRequest) -> str | None:
    """Why the request must be refused with a 400, or None."""
    if getattr(request, "_input_guard_cookies", None):
        return "cookie"
    if has_control_characters(request.path_info):
        return "path"
    query = _wsgi_bytes(request.META.get("QUERY_STRING", ""))
    if len(query) > QUERY_STRING_MAX_BYTES:
        return "query too long"
    problem = form_encoded_problem(query, nul_in_values=True)
    if problem:
        return f"query {problem}"
    if request.method == "POST":
        if request.content_type == "application/x-www-form-urlencoded":
            # Values are left to the forms, which answer a NUL with an error on the field.
            problem = form_encoded_problem(request.body, nul_in_values=False)
        elif request.content_type == "multipart/form-data":
            problem = multipart_problem(request)
        if problem:
            return f"body {problem}"
    return None


class InputGuardMiddleware:
    """Refuses unreadable input with the translated 400 page (see the module's docstring).

    Placed before the session middleware: unreadable cookies are dropped before the session is
    looked up with them (a NUL in the session key is a database error on PostgreSQL). The refusal
    itself is answered in ``process_view``, after authentication, so a signed-in user keeps the
    staff layout.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = [name for name, value in request.COOKIES.items() if not _cookie_readable(name, value)]
        for name in refused:
            del request.COOKIES[name]
        request._input_guard_cookies = refused
        response = self.get_response(request)
        for name in refused:
            if name in response.cookies:
                continue
            # A name no Set-Cookie header can carry stays in the browser, and stays ignored.
            with suppress(CookieError):
                response.delete_cookie(name)
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        problem = request_problem(request)
        if problem is None:
            return None
        logger.info("Refused unreadable input: %s", problem)
        from .views import bad_request

        return bad_request(request)
