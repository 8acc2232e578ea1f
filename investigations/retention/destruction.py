"""What destroying a case's records removes, found from the app registry rather than listed by hand.

**Case models** are every model with a foreign key or one-to-one link to ``Complaint``, or to
another case model (parties, subject officers, allegations, attachments, the investigation, notes,
interviews, evidence and its custody, subpoenas and their events, findings, the board's votes and
decisions, intake drafts, holds, ...), whichever app defines it. A case's rows are those linked to
it, in the main table and in the model's simple-history table (a row deleted long ago still has
its history rows, and they are found by the same links).

On those rows:

- **free text goes** (every ``CharField`` and ``TextField`` that is not a code from a fixed list):
  names, contact details, narratives, descriptions, summaries, notes, rationales, reasons. Text a
  page shows as the content of a record (a narrative, a note, a summary) and text the database
  requires is replaced by ``MARKER``; the rest is emptied. ``KEPT`` lists the text that stays
  because it is not about a person: the tracking number, language codes, hashes, the agency a case
  was referred to, staff names on the record of who did what, the public timeline's wording, the
  name of an organisation or agency a subpoena went to;
- **codes stay** (fields with choices: status, channel, roles, kinds, dispositions), except the
  party's demographics (``CLEARED_CODES``), which are personal data;
- **links stay**: the district, the roster officer a subject officer was identified as, the
  allegation categories, the staff who acted. So counts by year, district, category, disposition
  and officer are the same after destruction as before;
- **files go**: every file a case row or its history names (attachments, evidence, board packets,
  staged uploads) is deleted from storage once the transaction commits; copies kept only as
  files (``DELETED``: board packets built in the background, staged uploads) go with their rows;
- **history**: every historical row of those objects gets the same treatment, and one new
  historical row per object records who destroyed it and when.

The Django admin's log entries for those objects lose their descriptions, and the notices emailed
to the complainant about this case (``oversight.SentNotification``) lose the address they went to.
The audit trail is left as it is: its events never carry personal data, and rewriting them would
break the hash chain.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from simple_history.models import registered_models
from simple_history.utils import get_history_manager_for_model, get_history_model_for_model

from complaints.models import Complaint
from investigations.models import CustodyEvent, EvidenceItem
from oversight.context import current
from oversight.models import SentNotification

# What a page shows in place of destroyed text (data, like the rest of a row, so not translated).
MARKER = "[Destroyed under the retention schedule]"
HISTORY_REASON = "Destroyed under the retention schedule"

# Text that stays on a destroyed case, by model: none of it is about a resident, witness or officer
# beyond what the roster link says.
KEPT: dict[str, frozenset[str]] = {
    "complaints.complaint": frozenset(
        {"tracking_number", "language", "idempotency_key", "status_code_hash", "referred_to"}
    ),
    "complaints.party": frozenset({"preferred_language"}),
    # The scan's verdict names the malware found, never a person.
    "complaints.attachment": frozenset({"content_type", "sha256", "scan_signature"}),
    "complaints.publictimelineentry": frozenset({"stage", "detail"}),
    "investigations.casenote": frozenset({"author_name"}),
    "investigations.custodyevent": frozenset({"actor_username"}),
    "investigations.evidenceitem": frozenset({"content_type", "sha256", "scan_signature"}),
    "investigations.statuschange": frozenset({"action", "actor_username", "data"}),
    "investigations.subpoenaevent": frozenset({"actor_username"}),
    "board.boarddecision": frozenset({"votes_counted"}),
    "board.decisionfinding": frozenset({"recommended_discipline"}),
    # Where an imported case came from: the source system's case id, file and line, and which
    # record each row was. The fingerprint (a hash of the case's content) goes: a later import
    # finds the case destroyed and leaves it so (``importing.writer.worked_on``).
    "importing.importedcase": frozenset({"system", "source_id", "source_file"}),
    "importing.sourcerecord": frozenset({"model", "source_file"}),
    "board.departmentresponse": frozenset({"discipline_imposed"}),
    "public_portal.intakedraft": frozenset({"token", "language"}),
    "retention.legalhold": frozenset({"reference", "placed_by_name", "released_by_name"}),
    # A publication is the anonymized public record: its identity and who handled it stay; what it
    # says stays only on the version the public reads (KEPT_WHERE below). Its allegations hold only
    # what is public by law (categories, dispositions, an officer named where the policy allows).
    "publication.publication": frozenset(
        {
            "public_id",
            "board_decision",
            # The allegations' kinds and findings, as codes (publication/summaries.py).
            "category_classes",
            "findings",
            "disclosure_policy",
            "source_sha256",
            "drafted_by_name",
            "approved_by_name",
            "published_by_name",
            "ended_by_name",
        }
    ),
    "publication.publishedallegation": frozenset(
        {
            "officer_label",
            "officer_name",
            "officer_badge",
            "disposition",
            "recommended_discipline",
            "department_response",
            "discipline_imposed",
        }
    ),
    "case_messages.message": frozenset({"author_name", "read_by_name"}),
    "case_messages.messageattachment": frozenset({"content_type", "sha256", "scan_signature"}),
}
# Text kept only on the rows that match: a subpoena's recipient when it is an organisation or an
# agency (a person's name and address go).
KEPT_WHERE: dict[tuple[str, str], Q] = {
    ("investigations.subpoena", "recipient_name"): ~Q(recipient_kind="person"),
    ("investigations.subpoena", "recipient_address"): ~Q(recipient_kind="person"),
    # The published version stays as the public read it; drafts, discarded, superseded and
    # retracted versions lose their text (a retraction may have been for what the text said).
    ("publication.publication", "summary"): Q(status="published"),
    ("publication.publication", "discipline_outcome"): Q(status="published"),
    ("publication.publication", "department_response"): Q(status="published"),
}
# Codes that are personal data all the same.
CLEARED_CODES: dict[str, frozenset[str]] = {
    "complaints.party": frozenset({"race_ethnicity", "gender", "age_range"}),
}
# Text that may be blank but is the content of its record: it gets the marker, not emptiness
# (``workflow_check`` also expects a submitted case to have its public summary).
MARKED: frozenset[tuple[str, str]] = frozenset(
    {("investigations.investigation", "public_summary"), ("investigations.investigation", "report")}
)
# Rows that are only copies kept as files: deleted, with their files.
# The search index's entries are copies too: deleted here, and written again from the scrubbed
# rows once the retention record's change commits (search.signals).
DELETED: frozenset[str] = frozenset(
    {"investigations.generateddocument", "public_portal.draftfile", "search.caseentry", "search.dispositionentry"}
)
# The tombstone itself.
UNTOUCHED: frozenset[str] = frozenset({"retention.retentionrecord"})
# Notices emailed to residents, by the first part of their key and the case row its second part names.
NOTICE_KEYS: dict[str, str] = {
    "status": "investigations.statuschange",
    "decision": "board.boarddecision",
    "message": "case_messages.message",
}


@dataclass(frozen=True)
class CaseModel:
    model: type[models.Model]
    # (column holding the parent's id, parent model), one per link to Complaint or a case model.
    links: tuple[tuple[str, type[models.Model]], ...]
    history: type[models.Model] | None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _history_models() -> dict[type[models.Model], type[models.Model]]:
    tracked = {}
    for model in registered_models.values():
        if model._meta.abstract or model._meta.proxy:
            continue
        tracked[model] = get_history_model_for_model(model)
    return tracked


@cache
def case_models() -> tuple[CaseModel, ...]:
    """Every case model, each after the models it links to (so their ids are known first)."""
    history = _history_models()
    historical = set(history.values())
    candidates = [
        m for m in apps.get_models() if m is not Complaint and m not in historical and not m._meta.auto_created
    ]
    found: dict[type[models.Model], CaseModel] = {}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in found:
                continue
            links = tuple(
                (f.attname, f.related_model)
                for f in model._meta.concrete_fields
                if f.is_relation
                and (f.many_to_one or f.one_to_one)
                and f.related_model is not model
                and (f.related_model is Complaint or f.related_model in found)
            )
            if links:
                found[model] = CaseModel(model=model, links=links, history=history.get(model))
                changed = True
    return tuple(found.values())


def complaint_history_model() -> type[models.Model] | None:
    return _history_models().get(Complaint)


# --- Which fields change ------------------------------------------------------------------------


def _text_value(model_field: models.Field, label: str) -> Any:
    if (label, model_field.name) in MARKED or not model_field.blank:
        return MARKER[: model_field.max_length] if model_field.max_length else MARKER
    return ""


def scrubbed_fields(model: type[models.Model]) -> dict[str, Any]:
    """The fields destruction changes on ``model``'s rows, and the value each gets."""
    label = model._meta.label_lower
    if label in UNTOUCHED or label in DELETED:
        return {}
    kept = KEPT.get(label, frozenset())
    cleared = CLEARED_CODES.get(label, frozenset())
    values: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if model_field.primary_key or model_field.is_relation or name in kept:
            continue
        if isinstance(model_field, models.FileField):
            values[name] = ""
        elif isinstance(model_field, models.CharField | models.TextField):
            if model_field.choices and name not in cleared:
                continue
            if model_field.unique:
                continue  # identifiers (tokens, numbers), never a person's words
            values[name] = "" if name in cleared else _text_value(model_field, label)
        elif isinstance(model_field, models.JSONField):
            values[name] = model_field.get_default()
    return values


# --- Destroying one case ------------------------------------------------------------------------


@dataclass
class Destruction:
    """What was removed: row and history-row counts by model, and the files to delete after commit."""

    rows: dict[str, int] = field(default_factory=dict)
    history_rows: dict[str, int] = field(default_factory=dict)
    files: list[tuple[Storage, str]] = field(default_factory=list)
    notices: int = 0
    log_entries: int = 0

    def summary(self) -> dict[str, Any]:
        """For the audit event: counts only."""
        return {
            "rows": sum(self.rows.values()),
            "history_rows": sum(self.history_rows.values()),
            "files": len(self.files),
            "notices": self.notices,
            "admin_log_entries": self.log_entries,
        }


def _ids_of(model: type[models.Model], history: type[models.Model] | None, where: Q) -> set[Any]:
    pk = model._meta.pk.attname
    ids = set(model._default_manager.filter(where).values_list(pk, flat=True))
    if history is not None:
        ids |= set(history.objects.filter(where).values_list(pk, flat=True))
    return ids


def case_row_ids(complaint: Complaint) -> dict[type[models.Model], set[Any]]:
    """The ids of every row of the case, model by model (main and history tables together)."""
    ids: dict[type[models.Model], set[Any]] = {Complaint: {complaint.pk}}
    for case_model in case_models():
        where = Q()
        for column, parent in case_model.links:
            if ids.get(parent):
                where |= Q(**{f"{column}__in": ids[parent]})
        ids[case_model.model] = _ids_of(case_model.model, case_model.history, where) if where else set()
    return ids


def _files(model: type[models.Model], history: type[models.Model] | None, ids: set[Any]) -> list[tuple[Storage, str]]:
    found = []
    for model_field in model._meta.concrete_fields:
        if not isinstance(model_field, models.FileField):
            continue
        names = set(model._default_manager.filter(pk__in=ids).values_list(model_field.attname, flat=True))
        if history is not None:
            names |= set(
                history.objects.filter(**{f"{model._meta.pk.attname}__in": ids}).values_list(
                    model_field.attname, flat=True
                )
            )
        found += [(model_field.storage, name) for name in sorted(n for n in names if n)]
    return found


def _scrub_rows(queryset: models.QuerySet, values: dict[str, Any], label: str, extra: dict[str, Any]) -> int:
    """Apply ``values`` to the rows of ``queryset``; a field kept on some rows (``KEPT_WHERE``)
    changes only on the others. Returns the rows changed."""
    plain = {k: v for k, v in values.items() if (label, k) not in KEPT_WHERE}
    changed = queryset.update(**plain, **extra) if plain or extra else 0
    for (where_label, name), keep in KEPT_WHERE.items():
        if where_label == label and name in values:
            queryset.exclude(keep).update(**{name: values[name]})
    return changed


def _present(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in model._meta.concrete_fields}
    return {k: v for k, v in values.items() if k in names}


def destroy_case_data(*, complaint: Complaint, actor: Any, now: datetime) -> Destruction:
    """Remove the case's personal data and free text from every table, as the module says. Runs
    inside the caller's transaction, with the complaint row locked; the files are returned for the
    caller to delete after commit."""
    result = Destruction()
    ids = case_row_ids(complaint)
    plan: list[tuple[type[models.Model], type[models.Model] | None, set[Any]]] = [
        (Complaint, complaint_history_model(), {complaint.pk})
    ]
    plan += [(cm.model, cm.history, ids[cm.model]) for cm in case_models() if ids[cm.model]]
    emails = _resident_emails(ids)
    seen: set[tuple[int, str]] = set()
    for model, history, row_ids in plan:
        for storage, name in _files(model, history, row_ids):
            if (id(storage), name) not in seen:  # an attachment and the evidence made from it share a file
                seen.add((id(storage), name))
                result.files.append((storage, name))
    for model, history, row_ids in plan:
        label = model._meta.label_lower
        if label in UNTOUCHED:
            continue
        if label in DELETED:
            result.rows[label], _by_model = model._default_manager.filter(pk__in=row_ids).delete()
            continue
        values = scrubbed_fields(model)
        if not values:
            continue
        stamp = {"updated_at": now} if any(f.name == "updated_at" for f in model._meta.concrete_fields) else {}
        result.rows[label] = _scrub_rows(model._default_manager.filter(pk__in=row_ids), values, label, stamp)
        if history is not None:
            past = history.objects.filter(**{f"{model._meta.pk.attname}__in": row_ids})
            result.history_rows[label] = _scrub_rows(
                past, _present(history, values), label, {"history_change_reason": None}
            )
            _record_history(model, row_ids, actor, now)
    _custody_destroyed(ids.get(EvidenceItem, set()), actor, now)
    result.notices = _forget_notices(ids, emails)
    result.log_entries = _scrub_admin_log([(model, row_ids) for model, _history, row_ids in plan])
    return result


def _record_history(model: type[models.Model], row_ids: set[Any], actor: Any, now: datetime) -> None:
    """One historical row per object: who destroyed it, when, from which request."""
    ctx = current()
    objects = list(model._default_manager.filter(pk__in=row_ids))
    get_history_manager_for_model(model).bulk_history_create(
        objects,
        update=True,
        default_user=actor if getattr(actor, "is_authenticated", False) else None,
        default_change_reason=HISTORY_REASON,
        default_date=now,
        custom_historical_attrs={"history_ip": ctx.ip, "history_request_id": ctx.request_id},
    )


def _custody_destroyed(evidence_ids: set[Any], actor: Any, now: datetime) -> None:
    """A "destroyed" custody event on every item not already recorded as destroyed."""
    done = set(
        CustodyEvent.objects.filter(evidence_id__in=evidence_ids, action=CustodyEvent.Action.DESTROYED).values_list(
            "evidence_id", flat=True
        )
    )
    person = actor if getattr(actor, "is_authenticated", False) else None
    CustodyEvent.objects.bulk_create(
        [
            CustodyEvent(
                evidence_id=pk,
                action=CustodyEvent.Action.DESTROYED,
                actor=person,
                actor_username=person.get_username() if person else "",
                occurred_at=now,
                note=HISTORY_REASON,
            )
            for pk in sorted(EvidenceItem.objects.filter(pk__in=evidence_ids).values_list("pk", flat=True))
            if pk not in done
        ]
    )


def _resident_emails(ids: dict[type[models.Model], set[Any]]) -> set[str]:
    """Every email address the case's parties have had (main rows and history)."""
    from complaints.models import Party

    party = next((cm for cm in case_models() if cm.model is Party), None)
    if party is None or not ids.get(Party):
        return set()
    emails = set(Party.objects.filter(pk__in=ids[Party]).values_list("email", flat=True))
    if party.history is not None:
        emails |= set(party.history.objects.filter(id__in=ids[Party]).values_list("email", flat=True))
    return {e for e in emails if e}


def _forget_notices(ids: dict[type[models.Model], set[Any]], emails: set[str]) -> int:
    """Notices this case sent a resident keep that they were sent (so none goes out twice) but not
    where: the address and the key that held it are replaced."""
    if not emails:
        return 0
    ids_by_label = {model._meta.label_lower: {str(pk) for pk in row_ids} for model, row_ids in ids.items()}
    changed = 0
    for pk, key in SentNotification.objects.filter(recipient__in=emails).values_list("pk", "key"):
        prefix, _sep, rest = key.partition(":")
        row = rest.partition(":")[0]
        if prefix in NOTICE_KEYS and row in ids_by_label.get(NOTICE_KEYS[prefix], set()):
            digest = hashlib.sha256(key.encode()).hexdigest()
            changed += SentNotification.objects.filter(pk=pk).update(recipient="", key=f"destroyed:{digest}")
    return changed


def _scrub_admin_log(rows: Iterable[tuple[type[models.Model], set[Any]]]) -> int:
    if not apps.is_installed("django.contrib.admin"):
        return 0
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    rows = [(model, row_ids) for model, row_ids in rows if row_ids]
    types = ContentType.objects.get_for_models(*[model for model, _ids in rows])
    where = Q()
    for model, row_ids in rows:
        where |= Q(content_type=types[model], object_id__in=[str(pk) for pk in row_ids])
    return LogEntry.objects.filter(where).update(object_repr=MARKER, change_message="") if where else 0
