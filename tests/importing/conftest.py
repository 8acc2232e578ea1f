"""A small office's exports and mapping, written into ``tmp_path`` by each test, and the means to run
``import_cases`` on them and read what it printed.

The office (system ``riverton-cms``) exports three CSV files joined on ``case_no``: ``cases.csv``
(one row per case), ``allegations.csv`` (one row per allegation, naming its officer by initials,
race and sex) and ``complainants.csv``. ``GOOD_CASES``, ``GOOD_ALLEGATIONS`` and
``GOOD_COMPLAINANTS`` are a clean export of four cases, one for each status the data can imply:

- R-101: two allegations against the same officer (JD, White, Male), both with a finding, no
  closing date: decided;
- R-102: one allegation still "Pending": under investigation;
- R-103: an allegation with a finding and a closing date: closed;
- R-104: no allegation rows: the mapping's ``no_allegations`` status (administratively closed,
  for the reason "withdrawn").

Every test that needs something else writes its own file over one of these. The mapping is a
plain dict (``MAPPING``) that a test changes before ``write_mapping`` turns it into TOML, so the
setting under test is visible in the test itself.
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from celery.app.task import Task
from django.core.management import CommandError, call_command
from django.db.models import Q

from complaints.models import Allegation, Complaint, Party, SubjectOfficer
from investigations.importing.models import ImportedCase, ImportRun, SourceRecord
from investigations.models import Finding
from oversight.models import AuditEvent
from search import backends

GOOD_CASES = """\
case_no,received,incident,closed,narrative
R-101,2019-03-04,2019-03-01,,Officer pushed the complainant against a wall outside the library.
R-102,2019-04-10,2019-04,,Officer swore at the complainant during a traffic stop.
R-103,2019-05-20,2019,2019-11-30,Nobody came when the complainant called about a break-in.
R-104,2019-06-02,,,The complainant wrote once and did not answer the office's letters.
"""

GOOD_ALLEGATIONS = """\
case_no,officer,officer_race,officer_sex,allegation,finding
R-101,JD,White,Male,Physical Abuse,Sustained
R-101,JD,White,Male,Verbal Abuse,Not Sustained
R-102,KM,Black,Female,Verbal Abuse,Pending
R-103,PL,Latino,Male,Lack of Service,Not Sustained
"""

GOOD_COMPLAINANTS = """\
case_no,initials,race,sex,age
R-101,BH,Black,Female,21
R-102,NB,White,Female,66
R-103,JM,Unknown,Male,
"""

MAPPING: dict[str, Any] = {
    "system": "riverton-cms",
    "tracking_number": "RIV-{source_id}",
    "files": {
        "cases": {"path": "cases.csv", "key": "case_no"},
        "allegations": {"path": "allegations.csv", "parent": "cases", "parent_key": "case_no"},
        "complainants": {"path": "complainants.csv", "parent": "cases", "parent_key": "case_no"},
    },
    "case": {
        "received": {"column": "received", "formats": ["%Y-%m-%d", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S"]},
        "incident": {"column": "incident", "formats": ["%Y-%m-%d", "%Y-%m", "%Y"]},
        "closed": {"column": "closed", "formats": ["%Y-%m-%d"]},
        "narrative": "narrative",
        "channel": {"value": "mail"},
    },
    "allegations": {
        "file": "allegations",
        "category": {"column": "allegation", "values": "categories"},
        "disposition": {"column": "finding", "values": "dispositions"},
    },
    "officers": {
        "file": "allegations",
        "name": "officer",
        "race": {"column": "officer_race", "values": "races"},
        "sex": {"column": "officer_sex", "values": "genders"},
    },
    "complainants": {
        "file": "complainants",
        "name": "initials",
        "race": {"column": "race", "values": "races"},
        "sex": {"column": "sex", "values": "genders"},
        "age": {"column": "age", "values": "ages"},
    },
    "status": {"no_allegations": "administratively_closed", "closure_reason": "withdrawn"},
    "values": {
        "categories": {
            "Physical Abuse": "force-physical",
            "Verbal Abuse": "disc-words",
            "Lack of Service": "nod-service",
        },
        "dispositions": {"Sustained": "sustained", "Not Sustained": "not_sustained", "Pending": ""},
        "races": {"White": "white", "Black": "black", "Latino": "hispanic", "Unknown": "unknown", "": "unknown"},
        "genders": {"Male": "male", "Female": "female", "Unknown": "unknown", "": "unknown"},
        "ages": {"Unknown": "", "": ""},
    },
}


def csv_lines(*lines: str) -> str:
    """A file's text from its lines, one argument per line, so a line's number is its place here
    (a quoted field holding a line break takes as many arguments as the lines it spans)."""
    return "".join(f"{line}\n" for line in lines)


NOTHING_IMPORTED = "Nothing was imported: fix the problems above (or extend the mapping) and run again."


# --- The mapping as TOML ----------------------------------------------------------------------------


def toml(mapping: dict[str, Any]) -> str:
    """``mapping`` as a TOML document: its settings first, then one table per section, with
    ``[files.NAME]`` and ``[values.NAME]`` as tables of their own."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in mapping.items() if not isinstance(value, dict)]
    for key, section in mapping.items():
        if not isinstance(section, dict):
            continue
        if key in ("files", "values"):
            for name, table in section.items():
                lines += ["", f"[{key}.{name}]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items())]
        else:
            lines += ["", f"[{key}]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in section.items())]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)  # a quoted key is valid for any text, "" and "*" too


def _toml_value(value: Any) -> str:
    # JSON's string escapes (\", \\, \n, \t, \uXXXX) are TOML's basic-string escapes.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


# --- Running the command ------------------------------------------------------------------------------


def report_lines(printed: str) -> list[str]:
    """What the command printed, one entry per line, ends trimmed and runs of spaces as one (the
    file table pads its columns): each line can be compared with a phrase written out in full."""
    return [" ".join(line.split()) for line in printed.splitlines()]


@dataclass
class Refusal:
    lines: list[str]  # the report, as ``report_lines`` gives it
    message: str  # the CommandError's message


class Office:
    """One office's export folder: its CSV files and mapping, and ``import_cases`` run on them as
    ``user``."""

    def __init__(self, folder: Path, user: Any) -> None:
        self.folder = folder
        self.user = user
        self.mapping: dict[str, Any] = copy.deepcopy(MAPPING)
        self.mapping_path = folder / "riverton.toml"

    def write(self, name: str, content: str | bytes, *, encoding: str = "utf-8") -> Path:
        path = self.folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    def write_good_export(self) -> None:
        self.write("cases.csv", GOOD_CASES)
        self.write("allegations.csv", GOOD_ALLEGATIONS)
        self.write("complainants.csv", GOOD_COMPLAINANTS)

    def write_mapping(self) -> Path:
        self.mapping_path.write_text(toml(self.mapping), encoding="utf-8")
        return self.mapping_path

    def call(self, *options: str, user: Any = None, stdout: io.StringIO | None = None) -> str:
        """Run the command with the mapping as it is now; returns what it printed."""
        out = stdout if stdout is not None else io.StringIO()
        self.write_mapping()
        who = (user or self.user).username
        call_command("import_cases", str(self.mapping_path), "--user", who, "--no-progress", *options, stdout=out)
        return out.getvalue()

    def imports(self, *options: str) -> list[str]:
        """A real run that must succeed; returns its report lines."""
        return report_lines(self.call(*options))

    def dry_run(self, *options: str) -> list[str]:
        """A dry run, which must exit normally whatever it finds; returns its report lines."""
        return report_lines(self.call("--dry-run", *options))

    def refused(self, *options: str, user: Any = None) -> Refusal:
        """A run that must stop with a ``CommandError``; returns what it printed first and why."""
        out = io.StringIO()
        with pytest.raises(CommandError) as raised:
            self.call(*options, user=user, stdout=out)
        return Refusal(lines=report_lines(out.getvalue()), message=str(raised.value))


@pytest.fixture
def office(tmp_path, supervisor) -> Office:
    """The office's folder with the clean export written, run as the supervisor (who holds
    ``importing.import_cases``)."""
    office = Office(tmp_path / "exports", supervisor)
    office.folder.mkdir()
    office.write_good_export()
    return office


# --- What was written ---------------------------------------------------------------------------------

WRITTEN_MODELS = (Complaint, ImportedCase, ImportRun, Allegation, SubjectOfficer, Party, Finding, SourceRecord)


def import_events() -> list[str]:
    """The audit actions an import records, oldest first."""
    return list(
        AuditEvent.objects.filter(Q(action__startswith="import.") | Q(action="case.transitioned"))
        .order_by("id")
        .values_list("action", flat=True)
    )


def assert_nothing_written() -> None:
    counts = {model.__name__: model.objects.count() for model in WRITTEN_MODELS}
    assert counts == dict.fromkeys(counts, 0)
    assert import_events() == []


@pytest.fixture
def sent_tasks(monkeypatch) -> list[tuple[str, tuple]]:
    """Every Celery task sent during the test, as ``(task name, args)``, still run as usual."""
    sent: list[tuple[str, tuple]] = []
    original = Task.apply_async

    def apply_async(self, args=None, kwargs=None, **options):
        sent.append((self.name, tuple(args or ())))
        return original(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return sent


@pytest.fixture
def database_search(settings):
    """The database's own search backend (no search service to start)."""
    settings.SEARCH_BACKEND = "database"
    backends.reset()
    yield backends.backend()
    backends.reset()
