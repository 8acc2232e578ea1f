"""The measures page writes nothing but its audit trail: who looked at the measures, and who
downloaded which table, with the filters they used (ids and dates, no case, no name)."""

from typing import Any

from oversight import audit

from .selectors import MeasureFilters


def measures_viewed(*, actor: Any, filters: MeasureFilters) -> None:
    """Record that ``actor`` read the measures page for ``filters``."""
    audit.record("measures.viewed", actor=actor, data={"filters": filters.as_data()})


def measures_exported(*, actor: Any, filters: MeasureFilters, table: str) -> None:
    """Record that ``actor`` downloaded the table ``table`` as CSV for ``filters``."""
    audit.record("measures.exported", actor=actor, data={"table": table, "filters": filters.as_data()})
