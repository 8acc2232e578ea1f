"""What a publication's allegations add up to, stored on the publication itself.

The cases download has, for each case, how many allegations it has and each kind of allegation
(top-level category code) and each finding once, in the allegations' order. Worked out at read
time, that is a look-up and an aggregate of the allegations for every case: at 600,000 published
cases most of the download's time. A published version's allegations never change, so the answer
is written once, with them:

- the publication services and the demo's writers compute it from the rows they write
  (``summary_fields``);
- any other save or delete of an allegation through the ORM recomputes its publication's
  (``allegation_changed``), so a row written one at a time is never left with a stale summary;
- ``allegation_count`` is NULL on a publication never summarized, and the download then works it
  out from the allegations, as before.

The kinds are stored as codes, as the taxonomy named them when the version was written: the
snapshot's own words, like the rest of the published record.
"""

from collections.abc import Iterable
from typing import Any

SEPARATOR = ";"
FIELDS = ("allegation_count", "category_classes", "findings")


def class_codes() -> dict[int, str]:
    """Every taxonomy entry's code by id (the taxonomy is small)."""
    from complaints.models import AllegationCategory

    return dict(AllegationCategory.objects.values_list("id", "code"))


def summary_fields(rows: Iterable[Any], codes: dict[int, str]) -> dict[str, Any]:
    """The stored summary of ``rows`` (objects with ``category_class_id`` and ``disposition``, in
    their position order)."""
    classes: list[str] = []
    findings: list[str] = []
    count = 0
    for row in rows:
        count += 1
        code = codes.get(row.category_class_id) if row.category_class_id is not None else None
        if code and code not in classes:
            classes.append(code)
        if row.disposition and row.disposition not in findings:
            findings.append(row.disposition)
    return {
        "allegation_count": count,
        "category_classes": SEPARATOR.join(classes),
        "findings": SEPARATOR.join(findings),
    }


class _Row:
    __slots__ = ("category_class_id", "disposition")

    def __init__(self, category_class_id: int | None, disposition: str) -> None:
        self.category_class_id = category_class_id
        self.disposition = disposition


def summarize(publication_ids: Iterable[int], *, codes: dict[int, str] | None = None) -> int:
    """Recompute and store the summary of each publication in ``publication_ids``; returns how many."""
    from .models import Publication, PublishedAllegation

    ids = sorted(set(publication_ids))
    if not ids:
        return 0
    codes = class_codes() if codes is None else codes
    rows: dict[int, list[_Row]] = {pk: [] for pk in ids}
    for publication_id, class_id, disposition in (
        PublishedAllegation.objects.filter(publication_id__in=ids)
        .order_by("publication_id", "position", "id")
        .values_list("publication_id", "category_class_id", "disposition")
    ):
        rows[publication_id].append(_Row(class_id, disposition))
    for pk, allegations in rows.items():
        Publication.objects.filter(pk=pk).update(**summary_fields(allegations, codes))
    return len(ids)


def allegation_changed(instance: Any, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` receiver for published allegations."""
    if kwargs.get("raw"):
        return
    summarize([instance.publication_id])


# The same summary for every publication that has none, in one statement (PostgreSQL): each kind
# and finding ordered by where it first appears, (position, id), as ``summary_fields`` orders them.
SUMMARIZE_ALL_SQL = """
UPDATE publication_publication AS p
SET allegation_count = s.n, category_classes = COALESCE(k.codes, ''), findings = COALESCE(f.codes, '')
FROM (
  SELECT publication_id, count(*) AS n FROM publication_publishedallegation GROUP BY publication_id
) AS s
LEFT JOIN (
  SELECT x.publication_id, string_agg(x.code, ';' ORDER BY x.first) AS codes
  FROM (
    SELECT a.publication_id, c.code, min(ARRAY[a.position::bigint, a.id]) AS first
    FROM publication_publishedallegation AS a
    JOIN complaints_allegationcategory AS c ON c.id = a.category_class_id
    WHERE c.code <> ''
    GROUP BY a.publication_id, c.code
  ) AS x
  GROUP BY x.publication_id
) AS k ON k.publication_id = s.publication_id
LEFT JOIN (
  SELECT y.publication_id, string_agg(y.disposition, ';' ORDER BY y.first) AS codes
  FROM (
    SELECT publication_id, disposition, min(ARRAY[position::bigint, id]) AS first
    FROM publication_publishedallegation
    WHERE disposition <> ''
    GROUP BY publication_id, disposition
  ) AS y
  GROUP BY y.publication_id
) AS f ON f.publication_id = s.publication_id
WHERE p.id = s.publication_id AND p.allegation_count IS NULL
"""
