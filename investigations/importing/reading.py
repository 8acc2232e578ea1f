"""Reading an office's exports through its mapping: every row checked, nothing written.

``read`` parses each source file (its encoding and delimiter), joins the rows to their cases and
maps every value, and returns a ``Reading``: one ``CasePlan`` per source case, the rows read and
valid per file, every problem with its file and line, and every value a value table does not map,
counted. The dry run prints it; the real run refuses to write anything while it holds a problem.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from complaints.models import Complaint, Party
from oversight.models import Demographic, District

from .mapping import Column, Mapping, SourceFile, normalize

S = Complaint.Status
MAX_SOURCE_ID = 128  # ImportedCase.source_id
MAX_FIELD = 100_000  # characters in one CSV field (a narrative); Python's csv refuses longer ones
csv.field_size_limit(MAX_FIELD)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str


@dataclass
class OfficerPlan:
    badge: str
    name: str
    unit: str
    race: str
    gender: str
    file: str
    line: int


@dataclass
class AllegationPlan:
    officer: int  # index into the case's officers
    category: str  # a taxonomy code, or "" for unclassified
    disposition: str  # "" while no finding was made
    discipline: str
    description: str
    file: str
    line: int


@dataclass
class PartyPlan:
    name: str
    race: str
    gender: str
    age_range: str
    role: str
    file: str
    line: int


@dataclass
class CasePlan:
    source_id: str
    file: str
    line: int
    received: datetime
    narrative: str
    incident: date | None = None
    incident_precision: str = Complaint.Precision.UNKNOWN
    closed: datetime | None = None
    decided: datetime | None = None
    location: str = ""
    district: str = ""
    channel: str = Complaint.Channel.MAIL
    language: str = "en"
    officers: list[OfficerPlan] = field(default_factory=list)
    allegations: list[AllegationPlan] = field(default_factory=list)
    parties: list[PartyPlan] = field(default_factory=list)
    valid: bool = True

    def fingerprint(self) -> str:
        """A hash of everything read for the case, its files and lines included. Worked out once,
        when asked first (the plan is complete by then: reading is over before anything compares)."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            payload = json.dumps(asdict(self), default=str, sort_keys=True, separators=(",", ":"))
            cached = self.__dict__["_fingerprint"] = hashlib.sha256(payload.encode()).hexdigest()
        return cached

    def status(self, mapping: Mapping) -> str:
        """The lifecycle status the data implies."""
        if not self.allegations:
            return mapping.no_allegations_status
        if any(not allegation.disposition for allegation in self.allegations):
            return S.UNDER_INVESTIGATION
        return S.CLOSED if self.closed else S.DECIDED

    def status_date(self, mapping: Mapping) -> datetime:
        """When the case reached that status, as well as the source tells."""
        status = self.status(mapping)
        if status == S.CLOSED:
            return self.closed or self.received
        if status == S.DECIDED:
            return self.decision_date(mapping)
        if status == S.ADMINISTRATIVELY_CLOSED:
            return self.closed or self.received
        return self.received

    def decision_date(self, mapping: Mapping) -> datetime:
        if self.decided:
            return self.decided
        if self.closed:
            return self.closed
        if mapping.decision_date == "incident" and self.incident:
            return _aware(datetime.combine(self.incident, time(12)))
        return self.received


@dataclass
class Reading:
    cases: dict[str, CasePlan]
    rows_read: Counter = field(default_factory=Counter)
    rows_valid: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    # (table, raw value) -> rows, and where each was first seen
    unmapped: Counter = field(default_factory=Counter)
    first_seen: dict = field(default_factory=dict)

    def note_unmapped(self, table: str, value: str, file: str, line: int) -> None:
        self.unmapped[(table, value)] += 1
        self.first_seen.setdefault((table, value), (file, line))

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unmapped


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class _Rows:
    """The rows of one source file as ``(line, {column: value})``, with the file's problems."""

    def __init__(self, source: SourceFile, wanted: set[str], reading: Reading) -> None:
        self.source = source
        self.wanted = wanted
        self.reading = reading

    def problem(self, line: int, message: str) -> None:
        self.reading.problems.append(Problem(self.source.name, line, message))

    def __iter__(self):
        source = self.source
        try:
            data = source.path.read_bytes()
        except OSError as error:
            self.problem(0, f"cannot be read: {error.strerror} ({source.path.name})")
            return
        utf8 = source.encoding.replace("_", "-").lower() in ("utf-8", "utf8")
        if utf8 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]  # the mark is no character: count lines and bytes after it
        encoding = "utf-8" if utf8 else source.encoding
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            self.problem(
                line,
                f"is not valid {source.encoding}: byte 0x{data[error.start]:02x} cannot be read; "
                "save the file in that encoding or give the file's real encoding in the mapping",
            )
            return
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter)
        try:
            header = next(reader)
        except StopIteration:
            self.problem(1, "is empty: no header row")
            return
        except csv.Error as error:
            self.problem(1, f"cannot be parsed: {error}")
            return
        header = [h.strip() for h in header]
        missing = sorted(self.wanted - set(header))
        if missing:
            self.problem(
                1,
                f"has no column {', '.join(repr(m) for m in missing)} (its columns: {', '.join(header)})",
            )
            return
        positions = {name: header.index(name) for name in self.wanted}
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                self.reading.rows_read[source.name] += 1
                self.problem(line, f"cannot be parsed: {error}")
                return
            start, line = line, reader.line_num + 1
            if not row or not any(cell.strip() for cell in row):
                continue
            self.reading.rows_read[source.name] += 1
            if len(row) != len(header):
                self.problem(start, f"has {len(row)} fields; the header has {len(header)}")
                continue
            yield start, {name: row[position].strip() for name, position in positions.items()}


class _Mapper:
    """Maps the values of one row, noting what it cannot map."""

    def __init__(self, mapping: Mapping, reading: Reading, districts: set[str]) -> None:
        self.mapping = mapping
        self.reading = reading
        self.districts = districts

    def start(self, file: str, line: int) -> None:
        self.file, self.line, self.ok = file, line, True

    def fail(self, message: str) -> None:
        self.reading.problems.append(Problem(self.file, self.line, message))
        self.ok = False

    def raw(self, column: Column | None) -> str:
        if column is None:
            return ""
        if column.constant is not None:
            return column.constant
        return self.row.get(column.column, "")

    def text(self, column: Column | None, limit: int = 0) -> str:
        value = self.raw(column)
        return value[:limit] if limit else value

    def value(self, column: Column | None) -> str:
        """Through the column's value table ("" when the column is absent or empty)."""
        if column is None:
            return ""
        raw = self.raw(column)
        if column.constant is not None or not column.values:
            return raw
        if not raw:
            table = self.mapping.tables[column.values]
            found = table.values.get("")
            return found if found is not None else (table.default or "")
        found = self.mapping.tables[column.values].lookup(raw)
        if found is None:
            self.reading.note_unmapped(column.values, normalize(raw), self.file, self.line)
            self.ok = False
            return ""
        return found

    def age(self, column: Column | None) -> str:
        raw = self.raw(column)
        if column is None or not raw:
            return ""
        if raw.isdigit():
            return _age_range(int(raw))
        return self.value(column)

    def when(self, column: Column | None, where: str, *, required: bool = False) -> tuple[datetime | None, str]:
        """A date or date and time, with its precision (``exact`` to the day, else ``approximate``)."""
        raw = self.raw(column)
        if column is None or not raw:
            if required:
                self.fail(f"{where}: no date")
            return None, Complaint.Precision.UNKNOWN
        for fmt in column.formats:
            try:
                parsed = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            precision = Complaint.Precision.EXACT if "%d" in fmt else Complaint.Precision.APPROXIMATE
            return _aware(parsed), precision
        self.fail(f"{where}: {raw!r} is not a date in the format{'s' if len(column.formats) > 1 else ''} "
                  f"{', '.join(column.formats)}")  # fmt: skip
        return None, Complaint.Precision.UNKNOWN


def _age_range(age: int) -> str:
    A = Demographic.AgeRange
    for upper, value in ((17, A.UNDER_18), (24, A.AGE_18_24), (34, A.AGE_25_34), (44, A.AGE_35_44),
                         (54, A.AGE_45_54), (64, A.AGE_55_64)):  # fmt: skip
        if age <= upper:
            return value
    return A.AGE_65_PLUS


def read(mapping: Mapping) -> Reading:
    reading = Reading(cases={})
    districts: set[str] = set()
    if mapping.agency is not None and mapping.agency.pk:
        districts = {
            normalize(c) for c in District.objects.filter(agency=mapping.agency).values_list("code", flat=True)
        }
    m = _Mapper(mapping, reading, districts)
    root = mapping.files[mapping.root]
    first_line: dict[str, int] = {}
    case_fields = mapping.case

    for line, row in _Rows(root, mapping.columns_of(root.name), reading):
        m.row = row
        m.start(root.name, line)
        source_id = row[root.key]
        if not source_id:
            m.fail(f"no case id in column {root.key!r}")
            continue
        if len(source_id) > MAX_SOURCE_ID:
            m.fail(f"case id {source_id[:40]!r}... is longer than {MAX_SOURCE_ID} characters")
            continue
        if source_id in first_line:
            m.fail(f"case id {source_id!r} is also on line {first_line[source_id]}: each case id once")
            if reading.cases[source_id].valid:
                reading.cases[source_id].valid = False
                reading.rows_valid[root.name] -= 1
            continue
        first_line[source_id] = line
        received, _precision = m.when(case_fields.get("received"), "received", required=True)
        incident, incident_precision = m.when(case_fields.get("incident"), "incident")
        closed, _p = m.when(case_fields.get("closed"), "closed")
        decided, _p = m.when(case_fields.get("decided"), "decided")
        narrative = m.text(case_fields.get("narrative"))
        if not narrative:
            m.fail("no narrative")
        district = m.value(case_fields.get("district")) if "district" in case_fields else ""
        if district and normalize(district) not in districts and not mapping.create_districts:
            reading.note_unmapped("districts", normalize(district), root.name, line)
            m.ok = False
        channel = m.value(case_fields.get("channel")) or Complaint.Channel.MAIL
        language = m.value(case_fields.get("language")) or "en"
        plan = CasePlan(
            source_id=source_id,
            file=root.name,
            line=line,
            received=received or timezone.now(),
            narrative=narrative,
            incident=incident.date() if incident else None,
            incident_precision=incident_precision,
            closed=closed,
            decided=decided,
            location=m.text(case_fields.get("location")),
            district=district,
            channel=channel,
            language=language,
            valid=m.ok,
        )
        reading.cases[source_id] = plan
        if m.ok:
            reading.rows_valid[root.name] += 1

    if not reading.cases and any(p.file == root.name and p.line <= 1 for p in reading.problems):
        # The cases file could not be read at all: every other row would only be "not in the
        # cases file", which hides the one problem to fix.
        return reading
    _read_allegations(mapping, reading, m)
    _read_complainants(mapping, reading, m)
    return reading


def _parent(m: _Mapper, reading: Reading, source: SourceFile, row: dict[str, str]) -> CasePlan | None:
    key = row[source.parent_key]
    case = reading.cases.get(key)
    if case is None:
        m.fail(f"case id {key!r} (column {source.parent_key!r}) is not in the {source.parent} file")
    return case


def _officer_index(case: CasePlan, officer: OfficerPlan) -> int:
    """The same officer (badge, name, unit, race and sex as given) named twice in one case is one
    subject officer."""
    identity = (officer.badge, officer.name, officer.unit, officer.race, officer.gender)
    for index, known in enumerate(case.officers):
        if (known.badge, known.name, known.unit, known.race, known.gender) == identity:
            return index
    case.officers.append(officer)
    return len(case.officers) - 1


def _read_officer(m: _Mapper, mapping: Mapping, file: str, line: int) -> OfficerPlan:
    o = mapping.officers
    return OfficerPlan(
        badge=m.text(o.get("badge"), 32),
        name=m.text(o.get("name"), 200),
        unit=m.text(o.get("unit"), 120),
        race=m.value(o.get("race")),
        gender=m.value(o.get("sex")),
        file=file,
        line=line,
    )


def _read_allegations(mapping: Mapping, reading: Reading, m: _Mapper) -> None:
    if not mapping.allegations_file:
        return
    source = mapping.files[mapping.allegations_file]
    a = mapping.allegations
    separate_officers = bool(mapping.officers_file) and mapping.officers_file != source.name
    by_key: dict[str, tuple[CasePlan, AllegationPlan]] = {}
    for line, row in _Rows(source, mapping.columns_of(source.name), reading):
        m.row = row
        m.start(source.name, line)
        case = _parent(m, reading, source, row)
        allegation = AllegationPlan(
            officer=-1,
            category=m.value(a.get("category")),
            disposition=m.value(a.get("disposition")),
            discipline=m.value(a.get("discipline")),
            description=m.text(a.get("description")),
            file=source.name,
            line=line,
        )
        if case is None:
            continue
        if not separate_officers:
            officer = _read_officer(m, mapping, source.name, line) if mapping.officers else None
            allegation.officer = _officer_index(case, officer or OfficerPlan("", "", "", "", "", source.name, line))
            case.allegations.append(allegation)
        elif source.key:
            key = row[source.key]
            if not key:
                m.fail(f"no allegation id in column {source.key!r}")
            elif key in by_key:
                m.fail(f"allegation id {key!r} is also on line {by_key[key][1].line}: each allegation id once")
            else:
                by_key[key] = (case, allegation)
        if m.ok:
            reading.rows_valid[source.name] += 1
        else:
            case.valid = False
    if not separate_officers:
        return
    officers_source = mapping.files[mapping.officers_file]
    named: set[str] = set()
    for line, row in _Rows(officers_source, mapping.columns_of(officers_source.name), reading):
        m.row = row
        m.start(officers_source.name, line)
        key = row[officers_source.parent_key]
        found = by_key.get(key)
        if found is None:
            m.fail(f"allegation {key!r} (column {officers_source.parent_key!r}) is not in the {source.name} file")
            continue
        case, allegation = found
        named.add(key)
        officer = _read_officer(m, mapping, officers_source.name, line)
        copy = AllegationPlan(**{**asdict(allegation), "officer": _officer_index(case, officer)})
        case.allegations.append(copy)
        if m.ok:
            reading.rows_valid[officers_source.name] += 1
        else:
            case.valid = False
    for key, (case, allegation) in by_key.items():
        if key not in named:  # an allegation no officer row names: against an unidentified officer
            allegation.officer = _officer_index(case, OfficerPlan("", "", "", "", "", allegation.file, allegation.line))
            case.allegations.append(allegation)


def _read_complainants(mapping: Mapping, reading: Reading, m: _Mapper) -> None:
    if not mapping.complainants_file:
        return
    source = mapping.files[mapping.complainants_file]
    c = mapping.complainants
    for line, row in _Rows(source, mapping.columns_of(source.name), reading):
        m.row = row
        m.start(source.name, line)
        case = _parent(m, reading, source, row)
        party = PartyPlan(
            name=m.text(c.get("name"), 100),
            race=m.value(c.get("race")),
            gender=m.value(c.get("sex")),
            age_range=m.age(c.get("age")),
            role=m.value(c.get("role")) or Party.Role.COMPLAINANT,
            file=source.name,
            line=line,
        )
        if case is None:
            continue
        case.parties.append(party)
        if m.ok:
            reading.rows_valid[source.name] += 1
        else:
            case.valid = False
