"""Receivers that queue index updates (``search.indexing.queue``) for every change a document shows.

They only queue: the work happens after commit, in a task. Bulk writes that send no signals (demo
seeding, imports) rebuild or queue the index themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from .indexing import queue

CASES, DISPOSITIONS = "cases", "dispositions"


def _case(**kwargs: Any) -> None:
    queue(CASES, [kwargs["instance"].pk])


def _case_of(field: str):
    def receiver(**kwargs: Any) -> None:
        queue(CASES, [getattr(kwargs["instance"], field)])

    return receiver


def _assignment(**kwargs: Any) -> None:
    from investigations.models import Investigation

    investigation_id = kwargs["instance"].investigation_id
    queue(CASES, Investigation.objects.filter(pk=investigation_id).values_list("complaint_id", flat=True))


def _officer(**kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new roster entry is named by no case yet
    from complaints.models import SubjectOfficer

    queue(CASES, SubjectOfficer.objects.filter(officer_id=kwargs["instance"].pk).values_list("complaint_id", flat=True))


def _district(**kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    from complaints.models import Complaint
    from public_portal.publication.models import Publication

    district = kwargs["instance"]
    queue(CASES, Complaint.objects.filter(district_id=district.pk).values_list("pk", flat=True))
    queue(DISPOSITIONS, Publication.objects.filter(district_id=district.pk).values_list("pk", flat=True))


def _category(**kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    from complaints.models import Allegation
    from public_portal.publication.models import PublishedAllegation

    category = kwargs["instance"]
    queue(CASES, Allegation.objects.filter(category_id=category.pk).values_list("complaint_id", flat=True))
    queue(
        DISPOSITIONS,
        PublishedAllegation.objects.filter(category_id=category.pk).values_list("publication_id", flat=True),
    )


def _staff_member(**kwargs: Any) -> None:
    """An investigator's name is in the documents of the cases they work: re-index those when the
    name may have changed (not on the sign-in that only moves ``last_login``)."""
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or (update_fields is not None and not {"first_name", "last_name"} & set(update_fields)):
        return
    from investigations.models import InvestigatorAssignment

    queue(
        CASES,
        InvestigatorAssignment.objects.filter(investigator_id=kwargs["instance"].pk, ended_at__isnull=True).values_list(
            "investigation__complaint_id", flat=True
        ),
    )


def _publication(**kwargs: Any) -> None:
    queue(DISPOSITIONS, [kwargs["instance"].pk])


def _published_allegation(**kwargs: Any) -> None:
    queue(DISPOSITIONS, [kwargs["instance"].publication_id])


def _imported(sender, complaint_ids, **kwargs) -> None:
    # Left in the outbox: the import brings the index up to date once, at its end (below).
    queue("cases", complaint_ids, send=False)


def _import_finished(sender, **kwargs) -> str:
    import time

    from django.conf import settings

    from . import indexing, tasks

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        tasks.drain_search_backlog.delay()
        return "Search index: the updates are queued for the workers."
    started = time.perf_counter()
    done = indexing.drain()
    waiting = indexing.backlog()["cases"]["count"]
    line = f"Search index: {done['cases']:,} cases brought up to date in {time.perf_counter() - started:.1f} s."
    if waiting:
        line += f" {waiting:,} updates still wait (the search service refused them); the periodic drain retries."
    return line


def connect() -> None:
    from complaints.models import (
        Allegation,
        AllegationCategory,
        Complaint,
        ComplaintGroupObjectPermission,
        ComplaintUserObjectPermission,
        Party,
        SubjectOfficer,
    )
    from investigations.importing.signals import cases_written, import_finished
    from investigations.models import CaseNote, Interview, InvestigatorAssignment, Subpoena
    from investigations.retention.models import RetentionRecord
    from oversight.models import District, Officer
    from public_portal.publication.models import Publication, PublishedAllegation

    by_complaint = _case_of("complaint_id")
    # Who may see a case: the principals stored in its document.
    by_grant = _case_of("content_object_id")
    receivers = [
        (Complaint, _case),
        (Party, by_complaint),
        (SubjectOfficer, by_complaint),
        (Allegation, by_complaint),
        (CaseNote, by_complaint),
        (Interview, by_complaint),
        (Subpoena, by_complaint),
        (InvestigatorAssignment, _assignment),
        (ComplaintUserObjectPermission, by_grant),
        (ComplaintGroupObjectPermission, by_grant),
        # Destruction scrubs the case's rows in bulk, then saves its retention record.
        (RetentionRecord, by_complaint),
        (Publication, _publication),
        (PublishedAllegation, _published_allegation),
    ]
    for model, receiver in receivers:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{model._meta.label_lower}-save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-{model._meta.label_lower}-delete")
    # Imports write in bulk (no model signals): they say which cases each batch wrote.
    cases_written.connect(_imported, weak=False, dispatch_uid="search-imported-cases")
    import_finished.connect(_import_finished, weak=False, dispatch_uid="search-import-finished")
    post_save.connect(_officer, sender=Officer, dispatch_uid="search-officer-save")
    post_save.connect(_district, sender=District, dispatch_uid="search-district-save")
    post_save.connect(_category, sender=AllegationCategory, dispatch_uid="search-category-save")
    post_save.connect(_staff_member, sender=get_user_model(), dispatch_uid="search-user-save")
