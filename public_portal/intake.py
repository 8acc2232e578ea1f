"""The intake form as a sequence of server-side steps over a draft.

Each step's raw input is saved in the draft as typed, so going back, refreshing or leaving for a
while loses nothing; every step is validated again before submission, and only validated data
reaches ``complaints.services.complaint_submit``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from complaints import services as complaint_services
from complaints import uploads
from complaints import whistleblower as employee_reports
from complaints.models import Complaint
from oversight import audit
from oversight.input_guard import all_storable, parse_int
from oversight.storage import files_removed_on_failure, note_written

from .forms import (
    MAX_ROWS,
    AboutForm,
    ConsentForm,
    EmploymentForm,
    EvidenceForm,
    IncidentForm,
    KindsForm,
    OfficerFormSet,
    ReviewForm,
    WitnessFormSet,
)
from .models import DraftFile, IntakeDraft
from .selectors import consent_text_active, draft_for_request, draft_session_key


@dataclass(frozen=True)
class Step:
    slug: str
    title: Any


STEPS = [
    Step("incident", gettext_lazy("What happened")),
    Step("officers", gettext_lazy("Officers")),
    Step("kinds", gettext_lazy("Kind of misconduct")),
    Step("witnesses", gettext_lazy("Witnesses")),
    Step("evidence", gettext_lazy("Evidence")),
    Step("about", gettext_lazy("About you")),
    Step("consent", gettext_lazy("Before you send")),
    Step("review", gettext_lazy("Review and send")),
]
STEP_SLUGS = [step.slug for step in STEPS]
# Police employees' reports (whistleblower channel): the same steps, and one about the employee's
# work and safety once they have said whether they give their name (docs/whistleblower.md).
EMPLOYEE_STEPS = [*STEPS[:6], Step("employment", gettext_lazy("Your work and your safety")), *STEPS[6:]]
FORMSET_PREFIX = {"officers": "officers", "witnesses": "witnesses"}
_IGNORED_KEYS = {"csrfmiddlewaretoken", "action"}


def steps_for(mode: str) -> list[Step]:
    """The steps of the form in ``mode``: the employee report has one more."""
    return EMPLOYEE_STEPS if mode == IntakeDraft.Mode.EMPLOYEE else STEPS


def step_slugs(mode: str) -> list[str]:
    return [step.slug for step in steps_for(mode)]


def step_index(slug: str, mode: str = IntakeDraft.Mode.PUBLIC) -> int:
    return step_slugs(mode).index(slug)


def neighbours(slug: str, mode: str = IntakeDraft.Mode.PUBLIC) -> tuple[str | None, str | None]:
    slugs = step_slugs(mode)
    i = slugs.index(slug)
    return (slugs[i - 1] if i > 0 else None, slugs[i + 1] if i + 1 < len(slugs) else None)


# --- Drafts --------------------------------------------------------------------------------------


@contextmanager
def _typed_input_write() -> Iterator[None]:
    """The transaction of a write of typed input to a draft: its creation, a step's answers.

    On PostgreSQL it commits without waiting for the write-ahead log to reach the disk
    (``synchronous_commit`` off for this transaction only): that wait is most of what such a
    request would otherwise spend. The trade: should the database server crash, the last fraction
    of a second of these writes can be lost, and the visitor then finds the step as it was before
    (or is asked to start again). Nothing is ever half-written, and the next durable commit on the
    server (a session saved, a complaint filed) makes every earlier one durable as well. Staged
    files, complaints and everything else are committed durably. Inside a caller's transaction
    this joins it and changes nothing.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def draft_start(request: HttpRequest, *, mode: str, language: str) -> IntakeDraft:
    """Begin a new draft for this browser session (replacing an unfinished one)."""
    old = draft_for_request(request, mode)
    if old is not None and not old.submitted:
        draft_discard(old)
    with _typed_input_write():
        draft = IntakeDraft.objects.create(
            mode=mode,
            language=language,
            status_code=complaint_services.status_code_new(),
            staff_user=request.user if mode == IntakeDraft.Mode.STAFF else None,
        )
    request.session[draft_session_key(mode)] = draft.token
    return draft


def draft_discard(draft: IntakeDraft) -> None:
    for staged in draft.files.all():
        staged.file.delete(save=False)
    draft.delete()


def step_field_names(draft: IntakeDraft, slug: str) -> set[str]:
    """The names of the inputs the step's form reads: nothing else a request carries is kept."""
    prefix = FORMSET_PREFIX.get(slug)
    if prefix is None:
        names = set(_STEP_FORMS[slug].base_fields)
        if slug == "incident" and draft.mode == IntakeDraft.Mode.STAFF:
            names |= set(IncidentForm.STAFF_FIELDS)
        return names
    row_fields = (OfficerFormSet if slug == "officers" else WitnessFormSet).form.base_fields
    management = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    return {f"{prefix}-{key}" for key in management} | {
        f"{prefix}-{row}-{name}" for row in range(MAX_ROWS) for name in row_fields
    }


# The steps whose answers are kept as typed, besides the two with rows (``FORMSET_PREFIX``).
_STEP_FORMS = {
    "incident": IncidentForm,
    "kinds": KindsForm,
    "about": AboutForm,
    "employment": EmploymentForm,
    "consent": ConsentForm,
}


def raw_from_post(post: QueryDict, names: set[str] | None = None) -> dict[str, list[str]]:
    """The step's input as sent: the values of ``names`` (``step_field_names``), or of every input
    but the token and the button when no names are given."""
    if names is not None:
        return {key: values for key, values in post.lists() if key in names}
    return {key: values for key, values in post.lists() if key not in _IGNORED_KEYS}


def querydict(raw: dict[str, list[str]] | None) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in (raw or {}).items():
        data.setlist(key, values)
    return data


def step_input_storable(slug: str, raw: dict[str, list[str]]) -> bool:
    """Whether a step's raw input may be kept in the draft: every name and value can be stored (no
    NUL, which PostgreSQL's jsonb refuses), and a step with rows says how many in a way that can be
    read (kept otherwise, an unreadable count would show the step with no rows from then on)."""
    if not all_storable(raw.keys()) or not all_storable(raw.values()):
        return False
    prefix = FORMSET_PREFIX.get(slug)
    return prefix is None or formset_rows(raw, prefix) is not None


def draft_save_step(draft: IntakeDraft, slug: str, raw: dict[str, list[str]]) -> bool:
    """Keep the step's input as typed, and say whether it was kept.

    Input that ``step_input_storable`` refuses is not written at all: the draft keeps the step's
    previous answers whole rather than part of these. Input the draft already holds for the step
    is not written again (pressing "Save and continue" on an unchanged page, every evidence action).
    """
    if not step_input_storable(slug, raw):
        return False
    if slug in draft.data and draft.data[slug] == raw:
        return True
    draft.data = {**draft.data, slug: raw}
    with _typed_input_write():
        draft.save(update_fields=["data", "updated_at"])
    return True


# --- Forms for a step -----------------------------------------------------------------------------


def form_for(draft: IntakeDraft, slug: str, data: QueryDict | None = None, files=None) -> Any:
    """The step's form (or formset), bound to ``data`` or to what the draft holds for the step."""
    stored = draft.data.get(slug)
    bound = data if data is not None else (querydict(stored) if stored is not None else None)
    staff = draft.mode == IntakeDraft.Mode.STAFF
    if slug == "incident":
        return IncidentForm(bound, staff=staff)
    if slug == "officers":
        return OfficerFormSet(bound, prefix="officers")
    if slug == "kinds":
        return KindsForm(bound)
    if slug == "witnesses":
        return WitnessFormSet(bound, prefix="witnesses")
    if slug == "evidence":
        return EvidenceForm(bound, files)
    if slug == "about":
        return AboutForm(
            bound, initial={"preferred_language": draft.language}, employee=draft.mode == IntakeDraft.Mode.EMPLOYEE
        )
    if slug == "employment":
        return EmploymentForm(bound, anonymous=filing_anonymously(draft))
    if slug == "consent":
        return ConsentForm(bound, consent=consent_text_active(language=draft.language), staff=staff)
    if slug == "review":
        return ReviewForm(bound, initial={"form_token": draft.token})
    raise KeyError(slug)


def filing_anonymously(draft: IntakeDraft) -> bool:
    """Whether the "About you" step, as last saved, says the filer stays anonymous."""
    return _last(draft.data.get("about") or {}, "filing_as") == "anonymous"


def step_indicator_key(slug: str, mode: str = IntakeDraft.Mode.PUBLIC) -> tuple:
    """The key the progress indicator's markup is kept under: it shows the steps' titles (the
    mode's) and which one is current, in the page's language, and nothing of the visitor's."""
    return ("step indicator", mode == IntakeDraft.Mode.EMPLOYEE, slug, get_language())


def blank_form_key(draft: IntakeDraft, slug: str, form: Any, *, staged_files: list | None = None) -> tuple | None:
    """The key the step page's form markup is kept under, or None when it must be rendered.

    Only a blank form qualifies: one bound to the visitor's answers, or a page listing their
    uploaded files, is theirs alone. The key holds everything else the markup depends on: the
    mode, the step, the page's language, and whatever the form reports (``render_key``: the
    district list, the consent text, the draft's language, the upload limits).
    """
    if form.is_bound or staged_files:
        return None
    render_key = getattr(form, "render_key", None)
    return (draft.mode, slug, get_language(), *(render_key() if render_key is not None else ()))


# --- Formset rows without JavaScript -----------------------------------------------------------


def _last(raw: dict[str, list[str]], key: str) -> str | None:
    values = raw.get(key)
    return values[-1] if values else None  # as a QueryDict reads it


def formset_rows(raw: dict[str, list[str]], prefix: str, max_rows: int = MAX_ROWS) -> int | None:
    """How many rows the step's hidden count says it has, or None if the count cannot be read.

    The count (``TOTAL_FORMS``) and ``INITIAL_FORMS`` must be plain numbers from 0 to ``max_rows``;
    ``MIN_NUM_FORMS`` and ``MAX_NUM_FORMS``, when sent, plain numbers. A browser sends back what the
    page held; anything else is a broken or hand-made request.
    """
    rows = parse_int(_last(raw, f"{prefix}-TOTAL_FORMS"), maximum=max_rows)
    if rows is None or parse_int(_last(raw, f"{prefix}-INITIAL_FORMS"), maximum=max_rows) is None:
        return None
    for key in ("MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        value = _last(raw, f"{prefix}-{key}")
        if value not in (None, "") and parse_int(value) is None:
            return None
    return rows


def formset_add_row(raw: dict[str, list[str]], prefix: str, max_rows: int = MAX_ROWS) -> dict[str, list[str]]:
    total = formset_rows(raw, prefix, max_rows)
    if total is None:
        return raw
    return {**raw, f"{prefix}-TOTAL_FORMS": [str(min(total + 1, max_rows))]}


def formset_remove_row(raw: dict[str, list[str]], prefix: str, index: int) -> dict[str, list[str]]:
    total_key = f"{prefix}-TOTAL_FORMS"
    total = formset_rows(raw, prefix)
    if total is None or total <= 1 or not 0 <= index < total:
        return raw
    kept = {k: v for k, v in raw.items() if not k.startswith(f"{prefix}-")}
    for key in ("INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        if f"{prefix}-{key}" in raw:
            kept[f"{prefix}-{key}"] = raw[f"{prefix}-{key}"]
    new_index = 0
    for old_index in range(total):
        if old_index == index:
            continue
        head = f"{prefix}-{old_index}-"
        for key, values in raw.items():
            if key.startswith(head):
                kept[f"{prefix}-{new_index}-{key[len(head) :]}"] = values
        new_index += 1
    kept[total_key] = [str(total - 1)]
    return kept


# --- Evidence ---------------------------------------------------------------------------------------


def draft_stage_files(draft: IntakeDraft, uploaded: list) -> list[str]:
    """Check and stage uploaded files, and mark the evidence step as seen; return the error
    messages for the files refused.

    The type is judged from the bytes against the allow-list, never from the name or the
    browser's claim; per-file, count and total limits come from settings. The files' rows and the
    step's mark are committed together, and a file written to staging is removed again if they
    are not.
    """
    if not uploaded:
        draft_save_step(draft, "evidence", {})
        return []
    with files_removed_on_failure(), transaction.atomic():
        errors = _stage(draft, uploaded)
        draft_save_step(draft, "evidence", {})
    return errors


def _stage(draft: IntakeDraft, uploaded: list) -> list[str]:
    errors: list[str] = []
    existing = list(draft.files.all())
    count = len(existing)
    total = sum(f.size for f in existing)
    for upload in uploaded:
        name = complaint_services.safe_display_name(upload.name)
        if count >= settings.INTAKE_MAX_FILES:
            errors.append(
                _("%(name)s was not added: you can send up to %(count)d files.")
                % {"name": name, "count": settings.INTAKE_MAX_FILES}
            )
            continue
        info = uploads.inspect(upload.file)
        problem = _file_problem(name, info, total)
        if problem:
            errors.append(problem)
            continue
        staged = DraftFile(
            draft=draft, original_name=name, size=info.size, content_type=info.content_type, sha256=info.sha256
        )
        staged.file.save("upload", upload.file, save=False)
        note_written(staged.file.storage, staged.file.name)
        staged.save()
        count += 1
        total += info.size
    return errors


def _file_problem(name: str, info: uploads.Inspected, total_so_far: int) -> str | None:
    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    if info.size == 0:
        return _("%(name)s is empty.") % {"name": name}
    if info.size > settings.ATTACHMENT_MAX_BYTES:
        return _("%(name)s is too large. Each file can be up to %(limit)d MB.") % {"name": name, "limit": limit_mb}
    if total_so_far + info.size > settings.INTAKE_MAX_TOTAL_BYTES:
        return _("%(name)s was not added: all files together can be up to %(limit)d MB.") % {
            "name": name,
            "limit": settings.INTAKE_MAX_TOTAL_BYTES // (1024 * 1024),
        }
    if info.content_type == uploads.MARKUP_TYPE:
        return _(
            "The file %(name)s contains web page or script code, so we cannot accept it. "
            "Send the photo, document or recording itself, or a screenshot of a web page."
        ) % {"name": name}
    if info.content_type not in uploads.ALLOWED_TYPES:
        return _(
            "%(name)s is not a kind of file we can accept. Send photos, videos, audio, PDFs or office documents."
        ) % {"name": name}
    return None


def draft_remove_file(draft: IntakeDraft, file_id: int) -> None:
    staged = draft.files.filter(pk=file_id).first()
    if staged is not None:
        staged.file.delete(save=False)
        staged.delete()


# --- Review and submit -----------------------------------------------------------------------------


@dataclass
class Validated:
    form_data: dict[str, Any]
    invalid_steps: list[str]


def draft_validate(draft: IntakeDraft) -> Validated:
    """Validate every step again from what the draft holds."""
    form_data: dict[str, Any] = {}
    invalid: list[str] = []
    slugs = ["incident", "officers", "kinds", "witnesses", "about", "consent"]
    if draft.mode == IntakeDraft.Mode.EMPLOYEE:
        slugs.insert(5, "employment")
    for slug in slugs:
        if slug not in draft.data and slug in ("kinds", "witnesses"):
            form_data[slug] = []
            continue
        form = form_for(draft, slug)
        if slug not in draft.data or not form.is_valid():
            invalid.append(slug)
            continue
        if slug == "officers":
            form_data[slug] = [f.to_data() for f in form.forms if f.cleaned_data.get("known")]
        elif slug == "witnesses":
            form_data[slug] = [f.to_data() for f in form.forms if f.cleaned_data and not f.is_blank()]
        else:
            form_data[slug] = form.to_data()
    return Validated(form_data=form_data, invalid_steps=invalid)


def draft_submit(draft: IntakeDraft, *, actor: Any = None, validated: Validated | None = None) -> Complaint:
    """File the draft as a complaint, once; then forget what the draft held.

    The draft token is the idempotency key, so a second submission of the same draft returns the
    same complaint. Staged files are copied into the complaint's attachments inside the
    submission's transaction and deleted from staging only after it commits. ``validated`` is
    ``draft_validate(draft)`` when the caller has just run it on this same draft; otherwise the
    draft is validated here.
    """
    if draft.complaint_id:
        return draft.complaint
    if validated is None:
        validated = draft_validate(draft)
    if validated.invalid_steps:
        raise ValidationError(_("Some answers need attention before you can send the complaint."))
    staged = list(draft.files.all())
    try:
        handles = _open_staged(staged)
    except FileNotFoundError:
        # A concurrent submission of this same draft (a double click) filed it and cleared its
        # staged files after this request read the list: that submission is the complaint.
        filed = Complaint.objects.filter(idempotency_key=draft.token).first()
        if filed is None:
            raise
        draft.complaint, draft.data = filed, {}
        return filed
    try:
        if draft.mode == IntakeDraft.Mode.EMPLOYEE:
            complaint = _employee_report_submit(draft, validated, handles, staged, actor)
        else:
            complaint = _complaint_submit(draft, validated, handles, staged, actor)
    finally:
        for handle in handles:
            handle.close()
    with transaction.atomic():
        IntakeDraft.objects.filter(pk=draft.pk).update(complaint=complaint, data={})
        _clear_staging(draft.pk)
    draft.complaint = complaint
    draft.data = {}
    return complaint


def _checked_files(handles: list, staged: list[DraftFile]) -> list:
    return [
        complaint_services.CheckedFile(handle, s.original_name, _inspected(s))
        for handle, s in zip(handles, staged, strict=True)
    ]


def _employee_report_submit(draft: IntakeDraft, validated: Validated, handles: list, staged: list, actor: Any):
    """A police employee's report: the form's answers and the "Your work" step's."""
    work = validated.form_data["employment"]
    return employee_reports.employee_report_submit(
        form_data=validated.form_data,
        employee=employee_reports.EmployeeReportData(
            relationship=work["relationship"],
            unit=work.get("unit", ""),
            retaliation_concern=work["retaliation_concern"],
            retaliation_detail=work.get("retaliation_detail", ""),
        ),
        files=_checked_files(handles, staged),
        language=draft.language,
        idempotency_key=draft.token,
        status_code=draft.status_code,
        actor=actor,
    )


def _complaint_submit(draft: IntakeDraft, validated: Validated, handles: list, staged: list, actor: Any):
    """A resident's complaint, from the public form or entered by staff."""
    incident = validated.form_data["incident"]
    staff = draft.mode == IntakeDraft.Mode.STAFF
    received_at = None
    if staff and incident.get("received_date"):
        received_at = timezone.make_aware(
            datetime.combine(datetime.fromisoformat(incident["received_date"]).date(), time(12, 0))
        )
    return complaint_services.complaint_submit(
        form_data=validated.form_data,
        files=_checked_files(handles, staged),
        language=draft.language,
        idempotency_key=draft.token,
        status_code=draft.status_code,
        channel=(incident.get("channel") or Complaint.Channel.PHONE) if staff else Complaint.Channel.WEB,
        actor=actor,
        received_at=received_at,
    )


def _open_staged(staged: list[DraftFile]) -> list:
    """Open every staged file for reading, or none: one that cannot be opened closes the others."""
    handles = []
    try:
        for row in staged:
            handles.append(row.file.open("rb"))
    except BaseException:
        for handle in handles:
            handle.close()
        raise
    return handles


def _inspected(staged: DraftFile) -> uploads.Inspected:
    """What was found when the file was uploaded (``draft_stage_files``)."""
    return uploads.Inspected(content_type=staged.content_type, size=staged.size, sha256=staged.sha256)


def _clear_staging(draft_id: int) -> None:
    """Delete the draft's staged files: their rows in the current transaction, the files once it
    commits (a rollback keeps both)."""
    staged = list(DraftFile.objects.filter(draft_id=draft_id))
    for row in staged:
        row.delete()

    def remove_files() -> None:
        for row in staged:
            row.file.delete(save=False)

    transaction.on_commit(remove_files)


def drafts_purge_expired() -> int:
    """Delete expired drafts and their staged files; return how many drafts went."""
    expired = IntakeDraft.objects.filter(expires_at__lte=timezone.now())
    count = 0
    for draft in expired.prefetch_related("files"):
        draft_discard(draft)
        count += 1
    return count


def record_spam(step: str) -> None:
    audit.record("intake.spam_blocked", outcome=audit.Outcome.DENIED, data={"step": step})
