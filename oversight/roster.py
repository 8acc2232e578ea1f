"""Officer roster import: validate every row first, then write all or nothing."""

import csv
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db import transaction

from . import audit
from .models import Agency, Demographic, Officer

REQUIRED_COLUMNS = ("badge_number", "first_name", "last_name")
OPTIONAL_COLUMNS = ("rank", "unit", "status", "race_ethnicity", "gender", "hire_date")
_FIELDS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def _lookup(choices: Any) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[value.lower()] = value
        table[str(label).lower()] = value
    return table


_STATUS = _lookup(Officer.Status)
_RACE = _lookup(Demographic.Race)
_GENDER = _lookup(Demographic.Gender)


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return self.created + self.updated + self.unchanged > 0


def _clean_row(raw: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    row = {key: (raw.get(key) or "").strip() for key in _FIELDS}
    problems = [f"{column} is required" for column in REQUIRED_COLUMNS if not row[column]]
    values: dict[str, Any] = {
        "badge_number": row["badge_number"][:32],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "rank": row["rank"],
        "unit": row["unit"],
    }
    for column, table, default in (
        ("status", _STATUS, Officer.Status.ACTIVE),
        ("race_ethnicity", _RACE, Demographic.Race.UNKNOWN),
        ("gender", _GENDER, Demographic.Gender.UNKNOWN),
    ):
        given = row[column]
        if not given:
            values[column] = default
        elif given.lower() in table:
            values[column] = table[given.lower()]
        else:
            problems.append(f"{column} {given!r} is not one of: {', '.join(sorted(set(table.values())))}")
    if row["hire_date"]:
        try:
            values["hire_date"] = date.fromisoformat(row["hire_date"])
        except ValueError:
            problems.append(f"hire_date {row['hire_date']!r} is not a date like 2019-06-30")
    else:
        values["hire_date"] = None
    for column, limit in (("first_name", 100), ("last_name", 100), ("rank", 64), ("unit", 120)):
        if len(values[column]) > limit:
            problems.append(f"{column} is longer than {limit} characters")
    if len(row["badge_number"]) > 32:
        problems.append("badge_number is longer than 32 characters")
    return values, problems


def roster_import(*, agency: Agency, stream: IO[str], skip_invalid: bool = False, actor: Any = None) -> ImportResult:
    """Import officers for one agency from CSV.

    Every row is validated before anything is written. With any invalid row nothing is imported
    unless ``skip_invalid`` is set, in which case the valid rows are. Rows are matched to existing
    officers on (agency, badge number): a re-import updates them instead of duplicating.
    """
    result = ImportResult()
    reader = csv.DictReader(stream)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        result.errors.append(RowError(1, f"missing column(s): {', '.join(missing)}"))
        return result
    valid: dict[str, tuple[int, dict[str, Any]]] = {}
    for raw in reader:
        line = reader.line_num
        values, problems = _clean_row(raw)
        badge = values["badge_number"]
        if badge and badge in valid:
            problems.append(f"badge_number {badge} appears again (first on line {valid[badge][0]})")
        if problems:
            result.errors.append(RowError(line, "; ".join(problems)))
            continue
        valid[badge] = (line, values)
    if result.errors and not skip_invalid:
        return result
    result.skipped = len(result.errors)
    with transaction.atomic():
        existing = {o.badge_number: o for o in Officer.objects.filter(agency=agency, badge_number__in=valid)}
        for badge, (_line, values) in valid.items():
            officer = existing.get(badge)
            if officer is None:
                Officer.objects.create(agency=agency, **values)
                result.created += 1
                continue
            changed = [name for name, value in values.items() if getattr(officer, name) != value]
            if changed:
                for name in changed:
                    setattr(officer, name, values[name])
                officer.save(update_fields=[*changed, "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        audit.record(
            "roster.imported",
            target=agency,
            actor=actor,
            data={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            },
        )
    return result
