"""The bodies of the search documents (``search.documents``), built from the database in batches.

``case_sources(ids)`` and ``disposition_sources(ids)`` read a batch of cases or publications in a
fixed number of queries (about a dozen, whatever the batch size) and return ``{id: body}``. An id
missing from the answer is not to be indexed: the case or publication is gone, or (for
dispositions) no longer public. Both backends and ``search_index rebuild`` use these, so what is
searchable never depends on the backend.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from complaints.models import Allegation, AllegationCategory, Complaint, Party, SubjectOfficer
from investigations.models import CaseNote, Disposition, Interview, InvestigatorAssignment, Subpoena
from oversight.personal_data import PEOPLE, RESTRICTED_KINDS, Masker, case_people_by_case

VIEW_PERMISSION = "view_complaint"


def _join(parts: Iterable[Any], sep: str = "\n") -> str:
    return sep.join(str(part).strip() for part in parts if part and str(part).strip())


def _local_year(moment: Any) -> int | None:
    return timezone.localtime(moment).year if moment is not None else None


def _category_names() -> dict[int, tuple[str, str]]:
    """Each category's (English, Spanish) name; a category without a Spanish name uses English."""
    return {
        pk: (name, (translations or {}).get("es") or name)
        for pk, name, translations in AllegationCategory.objects.values_list("pk", "name", "translations")
    }


def principals_by_case(complaint_ids: list[int]) -> dict[int, list[str]]:
    """Who holds ``complaints.view_complaint`` on each case, directly or as a group: the
    ``principals`` of the case document."""
    from complaints.models import ComplaintGroupObjectPermission, ComplaintUserObjectPermission

    found: dict[int, list[str]] = defaultdict(list)
    users = ComplaintUserObjectPermission.objects.filter(
        content_object_id__in=complaint_ids, permission__codename=VIEW_PERMISSION
    ).values_list("content_object_id", "user_id")
    for case_id, user_id in users.order_by("user_id"):
        found[case_id].append(f"user:{user_id}")
    groups = ComplaintGroupObjectPermission.objects.filter(
        content_object_id__in=complaint_ids, permission__codename=VIEW_PERMISSION
    ).values_list("content_object_id", "group_id")
    for case_id, group_id in groups.order_by("group_id"):
        found[case_id].append(f"group:{group_id}")
    return found


def case_sources(complaint_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The case document of each complaint in ``complaint_ids`` that still exists. The words that
    stand in for people in the masked texts ("[a witness]") are in the site's default language,
    whoever's request caused the indexing."""
    with translation.override(settings.LANGUAGE_CODE):
        return _case_sources(complaint_ids)


def _case_sources(complaint_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(set(complaint_ids))
    if not ids:
        return {}
    complaints = list(
        Complaint.objects.filter(pk__in=ids)
        .order_by()
        .values(
            "pk",
            "tracking_number",
            "status",
            "district_id",
            "district__name",
            "received_at",
            "incident_date",
            "language",
            "narrative",
            "location_text",
        )
    )
    if not complaints:
        return {}
    ids = [row["pk"] for row in complaints]
    names = _category_names()

    allegations: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    for case_id, category_id, description in (
        Allegation.objects.filter(complaint_id__in=ids)
        .order_by("pk")
        .values_list("complaint_id", "category_id", "description")
    ):
        allegations[case_id].append((category_id, description))

    officers: dict[int, list[str]] = defaultdict(list)
    officer_ids: dict[int, list[str]] = defaultdict(list)
    for row in (
        SubjectOfficer.objects.filter(complaint_id__in=ids)
        .order_by("pk")
        .values(
            "complaint_id",
            "officer_id",
            "officer__first_name",
            "officer__last_name",
            "officer__badge_number",
            "name_as_given",
            "badge_as_given",
            "unit_as_given",
            "appearance",
            "vehicle",
        )
    ):
        case_id = row["complaint_id"]
        if row["officer_id"]:
            officer_ids[case_id].append(str(row["officer_id"]))
            officers[case_id].append(
                _join([row["officer__first_name"], row["officer__last_name"], row["officer__badge_number"]], " ")
            )
        described = _join(
            [row["name_as_given"], row["badge_as_given"], row["unit_as_given"], row["appearance"], row["vehicle"]], " "
        )
        if described:
            officers[case_id].append(described)

    investigators: dict[int, list[str]] = defaultdict(list)
    investigator_ids: dict[int, list[str]] = defaultdict(list)
    for case_id, user_id, first, last, username in (
        InvestigatorAssignment.objects.filter(investigation__complaint_id__in=ids, ended_at__isnull=True)
        .order_by("pk")
        .values_list(
            "investigation__complaint_id",
            "investigator_id",
            "investigator__first_name",
            "investigator__last_name",
            "investigator__username",
        )
    ):
        investigator_ids[case_id].append(str(user_id))
        investigators[case_id].append(_join([first, last], " ") or username)

    notes: dict[int, list[str]] = defaultdict(list)
    for case_id, body in (
        CaseNote.objects.filter(complaint_id__in=ids).order_by("pk").values_list("complaint_id", "body")
    ):
        notes[case_id].append(body)
    for case_id, summary in (
        Interview.objects.filter(complaint_id__in=ids).order_by("pk").values_list("complaint_id", "summary")
    ):
        notes[case_id].append(summary)

    people = _people_texts(ids)
    maskers = {case_id: Masker(rows) for case_id, rows in case_people_by_case(ids).items()}
    # People of a restricted kind (the police employee who reported a case) are searchable by no
    # one: masked in the texts searched as written too, and left out of ``people``.
    withheld = {case_id: Masker(rows) for case_id, rows in case_people_by_case(ids, RESTRICTED_KINDS).items()}
    principals = principals_by_case(ids)

    sources: dict[int, dict[str, Any]] = {}
    for row in complaints:
        case_id = row["pk"]
        masker = maskers.get(case_id) or Masker()
        unsearchable = withheld.get(case_id) or Masker()
        allegation_texts = [
            _join([*(names.get(category_id) or ()), description], " — ")
            for category_id, description in allegations.get(case_id, [])
        ]
        full = {
            "narrative": unsearchable.text(row["narrative"] or ""),
            "location": unsearchable.text(row["location_text"] or ""),
            "allegations": unsearchable.text(_join(allegation_texts)),
            "notes": unsearchable.text(_join(notes.get(case_id, []))),
        }
        sources[case_id] = {
            "tracking_number": row["tracking_number"],
            "status": row["status"],
            "district_id": str(row["district_id"]) if row["district_id"] else None,
            "district": row["district__name"] or "",
            "received_at": row["received_at"].isoformat() if row["received_at"] else None,
            "year": _local_year(row["received_at"]),
            "incident_date": row["incident_date"].isoformat() if row["incident_date"] else None,
            "language": row["language"],
            "category_ids": sorted({str(c) for c, _d in allegations.get(case_id, []) if c}),
            "officer_ids": sorted(set(officer_ids.get(case_id, []))),
            "investigator_ids": investigator_ids.get(case_id, []),
            "principals": principals.get(case_id, []),
            "officers": _join(officers.get(case_id, [])),
            "investigators": _join(investigators.get(case_id, [])),
            **{f"{name}_masked": masker.text(value) for name, value in full.items()},
            **full,
            "people": _join(people.get(case_id, [])),
        }
    return sources


def _people_texts(ids: list[int]) -> dict[int, list[str]]:
    """The names and contact details of each case's people, as one text per person."""
    found: dict[int, list[str]] = defaultdict(list)
    for label, spec in PEOPLE.items():
        model = {"complaints.party": Party, "investigations.interview": Interview, "investigations.subpoena": Subpoena}[
            label
        ]
        case_key = f"{spec.case_field}_id"
        fields = [
            *spec.name,
            *(f for f in (spec.address, spec.email, spec.phone, spec.description) if f),
        ]
        # Not the people of a restricted kind: the police employee who reported is searchable by no
        # one, nor is an interview of them.
        roles = [role for role in spec.roles if spec.kind_of(role) not in RESTRICTED_KINDS]
        rows = model._default_manager.filter(**{f"{case_key}__in": ids, f"{spec.role_field}__in": roles})
        restricted_links = [role for role, kind in spec.linked_kinds.items() if kind in RESTRICTED_KINDS]
        if restricted_links:
            rows = rows.exclude(**{f"{spec.linked}__role__in": restricted_links})
        rows = rows.order_by("pk").values(case_key, *dict.fromkeys(fields))
        for row in rows:
            found[row[case_key]].append(_join([row[f] for f in fields], " "))
    return found


# --- Public dispositions ---------------------------------------------------------------------------


def disposition_sources(publication_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The public document of each publication in ``publication_ids`` that is public now (published
    and neither superseded nor retracted). Everything comes from the publication and its published
    allegations, and the names of the district and the kinds of allegation they point at."""
    from public_portal.publication.models import Publication, PublishedAllegation

    ids = sorted(set(publication_ids))
    if not ids:
        return {}
    publications = list(
        Publication.objects.filter(Q(pk__in=ids), status=Publication.Status.PUBLISHED, ended_at__isnull=True)
        .order_by()
        .values(
            "pk",
            "public_id",
            "version",
            "decision_date",
            "decision_year",
            "incident_year",
            "received_year",
            "published_at",
            "district_id",
            "district__name",
            "board_decision",
            "summary",
            "discipline_outcome",
            "department_response",
        )
    )
    if not publications:
        return {}
    names = _category_names()
    labels_en, labels_es = _disposition_labels()
    allegations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        PublishedAllegation.objects.filter(publication_id__in=[p["pk"] for p in publications])
        .order_by("publication_id", "position", "pk")
        .values(
            "publication_id",
            "category_id",
            "category_class_id",
            "disposition",
            "officer_disclosed",
            "officer_name",
            "officer_badge",
        )
    ):
        allegations[row["publication_id"]].append(row)
    sources: dict[int, dict[str, Any]] = {}
    for row in publications:
        rows = allegations.get(row["pk"], [])
        category_ids = [r["category_id"] for r in rows if r["category_id"]]
        sources[row["pk"]] = {
            "public_id": row["public_id"],
            "version": row["version"],
            "decision_date": row["decision_date"].isoformat() if row["decision_date"] else None,
            "decision_year": row["decision_year"],
            "incident_year": row["incident_year"],
            "received_year": row["received_year"],
            "published_at": row["published_at"].isoformat() if row["published_at"] else None,
            "district_id": str(row["district_id"]) if row["district_id"] else None,
            "district": row["district__name"] or "",
            "board_decision": row["board_decision"] or "",
            "summary": row["summary"] or "",
            "discipline_outcome": row["discipline_outcome"] or "",
            "department_response": row["department_response"] or "",
            "category_ids": sorted({str(c) for c in category_ids}),
            "category_class_ids": sorted({str(r["category_class_id"]) for r in rows if r["category_class_id"]}),
            "categories": _join(dict.fromkeys(names[c][0] for c in category_ids if c in names)),
            "categories_es": _join(dict.fromkeys(names[c][1] for c in category_ids if c in names)),
            "dispositions": sorted({r["disposition"] for r in rows if r["disposition"]}),
            "findings": _join(dict.fromkeys(labels_en.get(r["disposition"], "") for r in rows)),
            "findings_es": _join(dict.fromkeys(labels_es.get(r["disposition"], "") for r in rows)),
            "officers": _join(
                dict.fromkeys(
                    _join([r["officer_name"], r["officer_badge"]], " ") for r in rows if r["officer_disclosed"]
                )
            ),
        }
    return sources


def _disposition_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The findings' labels in English and in Spanish (the translation catalogue's)."""
    with translation.override("en"):
        english = {value: str(label) for value, label in Disposition.choices}
    with translation.override("es"):
        spanish = {value: str(label) for value, label in Disposition.choices}
    return english, spanish
