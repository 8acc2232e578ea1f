"""The mapping file: how one office's CSV exports map to this system (docs/import.md).

A mapping is TOML. ``load`` reads and checks it as a whole and raises ``MappingError`` listing every
problem with its place in the file ("[case].received: no column given"), so an office fixes its
mapping in one pass. What it names in the database (taxonomy codes, the agency, the roster) is
checked too, against the database the import will write to.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from complaints.models import AllegationCategory, Complaint, Party
from investigations.models import Disposition
from oversight.models import Agency, Demographic

DEFAULT_KEY = "*"  # in a value table, the value for anything the table does not list
STATUS_CHOICES = {
    Complaint.Status.ADMINISTRATIVELY_CLOSED,
    Complaint.Status.RECEIVED,
    Complaint.Status.UNDER_INVESTIGATION,
}


class MappingError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def normalize(value: str) -> str:
    """How value tables compare: case-insensitive, runs of spaces as one, ends trimmed."""
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class SourceFile:
    name: str
    path: Path
    encoding: str
    delimiter: str
    key: str  # the column holding this file's own key ("" when rows have none)
    parent: str  # the file whose rows these belong to ("" for the cases file)
    parent_key: str  # the column holding the parent's key


@dataclass
class ValueTable:
    """Source values to this system's values. ``""`` as a result means "none" (no category, no
    finding yet). ``default`` (the ``"*"`` key) takes every value the table does not list."""

    name: str
    values: dict[str, str]
    default: str | None = None

    def lookup(self, raw: str) -> str | None:
        found = self.values.get(normalize(raw))
        if found is None:
            return self.default
        return found


@dataclass(frozen=True)
class Column:
    """Where one field comes from: a column (maybe through a value table) or a constant."""

    column: str = ""
    values: str = ""  # the value table's name
    constant: str | None = None
    formats: tuple[str, ...] = ()  # dates


@dataclass
class Mapping:
    path: Path
    sha256: str
    system: str
    tracking_number: str
    agency: Agency | None
    files: dict[str, SourceFile]
    root: str
    case: dict[str, Column]
    allegations: dict[str, Column]
    allegations_file: str
    officers: dict[str, Column]
    officers_file: str
    complainants: dict[str, Column]
    complainants_file: str
    tables: dict[str, ValueTable]
    create_districts: bool
    no_allegations_status: str
    closure_reason: str
    decision_date: str  # "decided", then "closed", then this: "received" or "incident"
    categories: dict[str, int] = field(default_factory=dict)  # code -> id

    def columns_of(self, file: str) -> set[str]:
        """Every column the mapping reads from ``file``."""
        wanted = {self.files[file].key, self.files[file].parent_key} - {""}
        for fields, of in (
            (self.case, self.root),
            (self.allegations, self.allegations_file),
            (self.officers, self.officers_file),
            (self.complainants, self.complainants_file),
        ):
            if of == file:
                wanted |= {c.column for c in fields.values() if c.column}
        return wanted


# What each section may name, and what its value tables must map to.
CASE_FIELDS = {
    "received": "date",
    "incident": "date",
    "closed": "date",
    "decided": "date",
    "narrative": "text",
    "location": "text",
    "district": "district",
    "channel": "channel",
    "language": "language",
}
ALLEGATION_FIELDS = {
    "category": "category",
    "disposition": "disposition",
    "discipline": "discipline",
    "description": "text",
}
OFFICER_FIELDS = {"badge": "text", "name": "text", "unit": "text", "race": "race", "sex": "gender"}
COMPLAINANT_FIELDS = {"name": "text", "race": "race", "sex": "gender", "age": "age", "role": "role"}


def _targets(kind: str, categories: dict[str, int]) -> set[str] | None:
    """The values a table feeding ``kind`` may give (None: any text)."""
    from django.conf import settings

    return {
        "category": set(categories),
        "disposition": set(Disposition.values),
        "discipline": {str(v) for v in settings.DISCIPLINE_SCALE},
        "race": set(Demographic.Race.values),
        "gender": set(Demographic.Gender.values),
        "age": set(Demographic.AgeRange.values),
        "channel": set(Complaint.Channel.values),
        "role": set(Party.Role.values),
        "language": {code for code, _name in settings.LANGUAGES},
    }.get(kind)


def load(path: Path, *, data_dir: Path | None = None) -> Mapping:
    """Read and check the mapping at ``path``. Source paths are relative to ``data_dir`` when
    given, else to the mapping file's folder."""
    problems: list[str] = []
    try:
        raw_bytes = path.read_bytes()
    except OSError as error:
        raise MappingError([f"{path.name}: cannot be read ({error.strerror})"]) from None
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MappingError([f"{path.name}: not valid TOML ({error})"]) from None
    base = data_dir or path.parent

    system = str(raw.get("system", "")).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", system):
        problems.append("system: give the source system's name (lower-case letters, digits, '.', '_' or '-')")
    tracking = str(raw.get("tracking_number", "")).strip()
    if "{source_id}" not in tracking:
        problems.append('tracking_number: a pattern containing {source_id}, e.g. "PPD-{source_id}"')

    agency = None
    agency_raw = raw.get("agency")
    if agency_raw is not None:
        if isinstance(agency_raw, str):
            agency_raw = {"short_name": agency_raw}
        short_name = str(agency_raw.get("short_name", "")).strip()
        agency = Agency.objects.filter(short_name=short_name).first()
        if agency is None and agency_raw.get("name"):
            agency = Agency(short_name=short_name, name=str(agency_raw["name"]))  # created by the first real run
        elif agency is None:
            problems.append(f"agency: no agency with the short name {short_name!r} (give a name to create it)")

    files: dict[str, SourceFile] = {}
    for name, spec in (raw.get("files") or {}).items():
        if not isinstance(spec, dict) or not spec.get("path"):
            problems.append(f"[files.{name}]: give the file's path")
            continue
        encoding = str(spec.get("encoding", "utf-8"))
        try:
            "".encode(encoding)
        except LookupError:
            problems.append(f"[files.{name}].encoding: unknown encoding {encoding!r}")
        delimiter = str(spec.get("delimiter", ","))
        if delimiter == "\\t":
            delimiter = "\t"
        if len(delimiter) != 1:
            problems.append(f'[files.{name}].delimiter: one character, e.g. "," or "\\t"')
        files[name] = SourceFile(
            name=name,
            path=(base / str(spec["path"])),
            encoding=encoding,
            delimiter=delimiter,
            key=str(spec.get("key", "")),
            parent=str(spec.get("parent", "")),
            parent_key=str(spec.get("parent_key", "")),
        )
    roots = [f.name for f in files.values() if not f.parent]
    if len(roots) != 1:
        problems.append("[files]: exactly one file must have no parent: the cases file, one row per case")
    root = roots[0] if len(roots) == 1 else ""
    if root and not files[root].key:
        problems.append(f"[files.{root}].key: the column holding the source case id")
    for f in files.values():
        if f.parent:
            if f.parent not in files:
                problems.append(f"[files.{f.name}].parent: no file named {f.parent!r}")
            elif not f.parent_key:
                problems.append(f"[files.{f.name}].parent_key: the column holding the {f.parent} file's key")
            elif files[f.parent].parent and not files[f.parent].key:
                problems.append(f"[files.{f.parent}].key: {f.name} rows point at its rows, so it needs a key column")

    categories = dict(AllegationCategory.objects.values_list("code", "id"))
    tables: dict[str, ValueTable] = {}
    for name, spec in (raw.get("values") or {}).items():
        if not isinstance(spec, dict):
            problems.append(f"[values.{name}]: a table of source value = value")
            continue
        values = {normalize(str(k)): str(v).strip() for k, v in spec.items() if k != DEFAULT_KEY}
        default = str(spec[DEFAULT_KEY]).strip() if DEFAULT_KEY in spec else None
        tables[name] = ValueTable(name=name, values=values, default=default)

    def section(
        key: str, allowed: dict[str, str], required: tuple[str, ...], optional_section: bool
    ) -> tuple[dict[str, Column], str]:
        spec = raw.get(key)
        if spec is None:
            if not optional_section:
                problems.append(f"[{key}]: missing")
            return {}, ""
        of = str(spec.get("file", root if key == "case" else ""))
        if of not in files:
            problems.append(f"[{key}].file: no file named {of!r}")
        columns: dict[str, Column] = {}
        for name, value in spec.items():
            if name == "file":
                continue
            if name not in allowed:
                problems.append(f"[{key}].{name}: not a field this section maps ({', '.join(sorted(allowed))})")
                continue
            columns[name] = _column(f"[{key}].{name}", value, allowed[name], tables, categories, problems)
        for name in required:
            if name not in columns:
                problems.append(f"[{key}].{name}: required")
        return columns, of

    case, case_file = section("case", CASE_FIELDS, ("received", "narrative"), False)
    if case_file and case_file != root:
        problems.append("[case].file: the cases file is the one with no parent")
    allegations, allegations_file = section("allegations", ALLEGATION_FIELDS, (), True)
    officers, officers_file = section("officers", OFFICER_FIELDS, (), True)
    complainants, complainants_file = section("complainants", COMPLAINANT_FIELDS, (), True)
    if allegations_file and allegations_file in files and files[allegations_file].parent != root:
        problems.append("[allegations].file: its parent must be the cases file")
    if officers and not allegations:
        problems.append("[officers]: officers are read with their allegations: map [allegations] too")
    if (
        officers_file
        and officers_file in files
        and officers_file != allegations_file
        and files[officers_file].parent != allegations_file
    ):
        problems.append("[officers].file: the allegations file itself, or a file whose parent is it")
    if complainants_file and complainants_file in files and files[complainants_file].parent != root:
        problems.append("[complainants].file: its parent must be the cases file")
    if "district" in case and agency is None:
        problems.append("agency: districts belong to an agency: name it")
    if "badge" in officers and agency is None:
        problems.append("agency: officers are matched to the agency's roster: name it")

    status = raw.get("status") or {}
    no_allegations = str(status.get("no_allegations", Complaint.Status.ADMINISTRATIVELY_CLOSED))
    if no_allegations not in STATUS_CHOICES:
        problems.append(f"[status].no_allegations: one of {', '.join(sorted(STATUS_CHOICES))}")
    closure_reason = str(status.get("closure_reason", Complaint.ClosureReason.INSUFFICIENT_INFORMATION))
    if closure_reason not in Complaint.ClosureReason.values:
        problems.append(f"[status].closure_reason: one of {', '.join(Complaint.ClosureReason.values)}")
    decision_date = str(status.get("decision_date", "received"))
    if decision_date not in ("received", "incident"):
        problems.append('[status].decision_date: "received" or "incident"')
    create_districts = bool((raw.get("districts") or {}).get("create_missing", False))

    unknown_sections = set(raw) - {
        "system", "tracking_number", "agency", "files", "values", "case", "allegations", "officers",
        "complainants", "status", "districts",
    }  # fmt: skip
    for name in sorted(unknown_sections):
        problems.append(f"{name}: not a setting of the mapping file")
    if problems:
        raise MappingError(problems)
    return Mapping(
        path=path,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        system=system,
        tracking_number=tracking,
        agency=agency,
        files=files,
        root=root,
        case=case,
        allegations=allegations,
        allegations_file=allegations_file,
        officers=officers,
        officers_file=officers_file,
        complainants=complainants,
        complainants_file=complainants_file,
        tables=tables,
        create_districts=create_districts,
        no_allegations_status=no_allegations,
        closure_reason=closure_reason,
        decision_date=decision_date,
        categories=categories,
    )


def _column(
    where: str, value: Any, kind: str, tables: dict[str, ValueTable], categories: dict[str, int], problems: list[str]
) -> Column:
    if isinstance(value, str):
        value = {"column": value}
    if not isinstance(value, dict):
        problems.append(f'{where}: a column name, or a table such as {{ column = "..." }}')
        return Column()
    if "value" in value:
        constant = str(value["value"]).strip()
        allowed = _targets(kind, categories)
        if allowed is not None and constant not in allowed:
            problems.append(f"{where}: {constant!r} is not one of {', '.join(sorted(allowed))}")
        return Column(constant=constant)
    column = str(value.get("column", "")).strip()
    if not column:
        problems.append(f"{where}: no column given")
    formats: tuple[str, ...] = ()
    if kind == "date":
        formats = tuple(str(f) for f in value.get("formats") or ())
        if not formats:
            problems.append(f'{where}: give the date\'s formats, e.g. formats = ["%Y-%m-%d"]')
        for fmt in formats:
            if "%Y" not in fmt:
                problems.append(f"{where}: the format {fmt!r} has no year (%Y)")
    table_name = str(value.get("values", ""))
    if table_name:
        table = tables.get(table_name)
        if table is None:
            problems.append(f"{where}: no value table [values.{table_name}]")
        else:
            allowed = _targets(kind, categories)
            if allowed is not None:
                results = set(table.values.values()) | ({table.default} if table.default is not None else set())
                for result in sorted(results - allowed - {""}):
                    problems.append(f"[values.{table_name}]: {result!r} is not one of {', '.join(sorted(allowed))}")
    elif kind in ("category", "disposition", "discipline", "race", "gender", "channel", "role", "language"):
        problems.append(f'{where}: name the value table that maps this column (values = "...")')
    return Column(column=column, values=table_name, formats=formats)
