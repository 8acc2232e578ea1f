"""The database backend's index, and the queue of updates waiting to reach whichever backend runs.

``CaseEntry`` and ``DispositionEntry`` are the database backend's documents: one row per indexed
case or public disposition, holding its text as ``search.text.analyze`` gives it (English and
Spanish stems in order). On PostgreSQL the ``*_vector`` columns hold that text as ``tsvector``
values, each with a GIN index (made in the migration, on PostgreSQL only), and the ``*_terms``
columns stay empty; on SQLite the ``*_terms`` columns hold the stems and the vectors stay empty.
Filters and facet counts are read from the case's own tables when searching, so they are always
the database's own; an entry also keeps copies of the status, district and year received, which on
PostgreSQL share one GIN index with the vectors so that words and filters narrow the search together.

``PendingUpdate`` is the outbox: every change that should reach the index adds (or refreshes) a
row in the same transaction as the change, and the row is deleted once the backend has taken the
update. A backend that is down leaves the rows, which the periodic ``drain`` retries and
``search_index status`` counts.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseEntry(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint", primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    # Text every reader of the case may search (people's names replaced by their roles)...
    open_terms = models.TextField(blank=True)
    open_vector = SearchVectorField(null=True)
    # ...and the whole text, people's details included (complaints.view_personal_data).
    full_terms = models.TextField(blank=True)
    full_vector = SearchVectorField(null=True)
    # Copies of the case's status, district and year received, kept beside the vectors so that on
    # PostgreSQL one GIN index over the vector and these (btree_gin, migration search/0003) narrows a
    # search by its words and filters at once. Searches still filter on the case's own columns too.
    status = models.CharField(max_length=32, blank=True)
    district_id = models.BigIntegerField(null=True)
    received_year = models.PositiveSmallIntegerField(null=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case search entry")
        verbose_name_plural = _("case search entries")

    def __str__(self) -> str:
        return f"case {self.complaint_id}"


class DispositionEntry(models.Model):
    publication = models.OneToOneField(
        "publication.Publication", primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    terms = models.TextField(blank=True)
    vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("disposition search entry")
        verbose_name_plural = _("disposition search entries")

    def __str__(self) -> str:
        return f"publication {self.publication_id}"


class PendingUpdate(models.Model):
    class Kind(models.TextChoices):
        CASES = "cases", _("Cases")
        DISPOSITIONS = "dispositions", _("Public dispositions")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    queued_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("pending search update")
        verbose_name_plural = _("pending search updates")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_pending_once")]
        indexes = [models.Index(fields=["kind", "queued_at"], name="search_pending_queued_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
