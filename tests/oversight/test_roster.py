import io

import pytest
from django.core.management import CommandError, call_command

from oversight.models import Officer
from oversight.roster import roster_import
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

HEADER = "badge_number,first_name,last_name,rank,unit,status,race_ethnicity,gender,hire_date\n"
GOOD = (
    "4401,Ana,Lopez,Sergeant,Patrol,active,Hispanic or Latino,female,2015-04-01\n"
    "4402,James,Carter,Police Officer,Traffic,active,black,male,2019-09-15\n"
    "4403,Wei,Chen,Detective,Detective Bureau,separated,asian,male,\n"
)


@pytest.fixture
def agency():
    return AgencyFactory(name="Metro Police Department", short_name="MPD")


def _write(tmp_path, text: str):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_imports_every_officer(agency, tmp_path, capsys):
    call_command("import_roster", _write(tmp_path, HEADER + GOOD), agency="MPD")
    assert "3 created, 0 updated" in capsys.readouterr().out
    ana = Officer.objects.get(agency=agency, badge_number="4401")
    assert (ana.first_name, ana.race_ethnicity, ana.gender, str(ana.hire_date)) == (
        "Ana",
        "hispanic",
        "female",
        "2015-04-01",
    )
    assert Officer.objects.get(badge_number="4403").status == Officer.Status.SEPARATED


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(agency, tmp_path, capsys):
    bad = HEADER + GOOD + "4404,Maria,,Police Officer,Patrol,active,white,female,15/04/2020\n"
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_roster", _write(tmp_path, bad), agency="MPD")
    err = capsys.readouterr().err
    assert "line 5" in err
    assert "last_name is required" in err
    assert "hire_date '15/04/2020'" in err
    assert Officer.objects.count() == 0


def test_skip_invalid_imports_the_valid_rows(agency, tmp_path, capsys):
    bad = HEADER + GOOD + "4405,Tom,Reed,Police Officer,Patrol,on leave,white,male,\n"
    call_command("import_roster", _write(tmp_path, bad), agency="MPD", skip_invalid=True)
    out = capsys.readouterr()
    assert "line 5: status 'on leave'" in out.err
    assert "3 created, 0 updated, 0 unchanged, 1 skipped" in out.out
    assert Officer.objects.count() == 3


def test_reimport_updates_instead_of_duplicating(agency, tmp_path, capsys):
    call_command("import_roster", _write(tmp_path, HEADER + GOOD), agency="MPD")
    changed = GOOD.replace("4402,James,Carter,Police Officer,Traffic", "4402,James,Carter,Corporal,Traffic")
    call_command("import_roster", _write(tmp_path, HEADER + changed), agency="MPD")
    assert "0 created, 1 updated, 2 unchanged" in capsys.readouterr().out
    assert Officer.objects.count() == 3
    james = Officer.objects.get(badge_number="4402")
    assert james.rank == "Corporal"
    assert james.history.count() == 2


def test_the_same_badge_in_another_agency_is_another_officer(agency, tmp_path):
    other = AgencyFactory(name="Transit Police", short_name="TPD")
    call_command("import_roster", _write(tmp_path, HEADER + GOOD), agency="MPD")
    call_command("import_roster", _write(tmp_path, HEADER + GOOD), agency="TPD")
    assert Officer.objects.filter(badge_number="4401").count() == 2
    assert Officer.objects.filter(agency=other).count() == 3


def test_a_badge_repeated_within_the_file_is_an_error(agency):
    text = HEADER + GOOD + "4401,Ann,Lopez,Sergeant,Patrol,active,,,\n"
    result = roster_import(agency=agency, stream=io.StringIO(text))
    assert [str(e) for e in result.errors] == ["line 5: badge_number 4401 appears again (first on line 2)"]
    assert Officer.objects.count() == 0


def test_missing_required_columns_are_reported(agency):
    result = roster_import(agency=agency, stream=io.StringIO("badge,name\n1,Ann\n"))
    assert str(result.errors[0]) == "line 1: missing column(s): badge_number, first_name, last_name"


def test_an_unknown_agency_is_refused_with_the_known_ones(agency, tmp_path):
    with pytest.raises(CommandError, match="Known agencies: MPD"):
        call_command("import_roster", _write(tmp_path, HEADER + GOOD), agency="NOPE")
