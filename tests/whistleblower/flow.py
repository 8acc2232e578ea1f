"""Walking the police employee's form the way a browser does, for tests.

The same steps as a resident's (tests/public_portal/intake_flow.py), at ``/police-employee/``, with
the "Your work and your safety" step after "About you". The reporter's details are distinctive
words no other record of a test holds, so finding one anywhere means it leaked.
"""

from dataclasses import dataclass, field

from django.test import Client

from complaints.models import Complaint
from tests.public_portal.intake_flow import _errors, incident, officers, post_ok, upload, witnesses

EMPLOYEE = "/police-employee"

# The employee who reports, as typed into the form.
REPORTER = {
    "first_name": "Philippa",
    "last_name": "Quarrington-Oyelaran",
    "email": "p.quarrington.home@mailbox.example",
    "phone": "555-017-4433",
    "address": "12 Juniper Hollow Road",
}
UNIT = "Evidence Room Annex, overnight"
DETAIL = "My locker was searched the week after I asked about the missing bags."
NARRATIVE = "A sergeant in my unit removed two bags of seized cash from the evidence room and changed the log."


def about(**overrides) -> dict:
    data = {
        "filing_as": "self",
        **REPORTER,
        "preferred_contact": "phone",
        "preferred_language": "en",
        "race_ethnicity": "",
        "gender": "",
        "age_range": "",
    }
    return {**data, **overrides}


def employment(**overrides) -> dict:
    data = {
        "relationship": "civilian",
        "unit": UNIT,
        "retaliation_concern": "yes",
        "retaliation_detail": DETAIL,
    }
    return {**data, **overrides}


@dataclass
class Filing:
    incident: dict = field(default_factory=lambda: incident(narrative=NARRATIVE, location="Headquarters, 4th floor"))
    officers: dict = field(default_factory=lambda: officers({"known": "identified", "name": "Sgt. Holloway"}))
    kinds: list = field(default_factory=lambda: ["lied"])
    witnesses: dict = field(default_factory=witnesses)
    files: list = field(default_factory=list)
    about: dict = field(default_factory=about)
    employment: dict = field(default_factory=employment)


def start(client: Client) -> None:
    response = client.post(f"{EMPLOYEE}/", {"action": "start"})
    assert response.status_code == 302 and response["Location"].endswith(f"{EMPLOYEE}/incident/")


def fill_to_review(client: Client, filing: Filing | None = None) -> None:
    filing = filing or Filing()
    base = EMPLOYEE
    start(client)
    post_ok(client, f"{base}/incident/", {**filing.incident, "action": "next"}, f"{base}/officers/")
    post_ok(client, f"{base}/officers/", {**filing.officers, "action": "next"}, f"{base}/kinds/")
    post_ok(client, f"{base}/kinds/", {"kinds": filing.kinds, "action": "next"}, f"{base}/witnesses/")
    post_ok(client, f"{base}/witnesses/", {**filing.witnesses, "action": "next"}, f"{base}/evidence/")
    for name, content in filing.files:
        response = upload(client, name, content, base=base)
        assert response.status_code == 302, _errors(response)
    post_ok(client, f"{base}/evidence/", {"action": "next"}, f"{base}/about/")
    post_ok(client, f"{base}/about/", {**filing.about, "action": "next"}, f"{base}/employment/")
    post_ok(client, f"{base}/employment/", {**filing.employment, "action": "next"}, f"{base}/consent/")
    post_ok(client, f"{base}/consent/", {"agree": "on", "action": "next"}, f"{base}/review/")


def form_token(client: Client) -> str:
    import re

    page = client.get(f"{EMPLOYEE}/review/").content.decode()
    return re.search(r'name="form_token" value="([0-9a-f]+)"', page).group(1)


def submit(client: Client):
    return client.post(f"{EMPLOYEE}/review/", {"form_token": form_token(client), "website": "", "action": "submit"})


def file_report(client: Client, filing: Filing | None = None) -> Complaint:
    """Fill every step and send; returns the report."""
    fill_to_review(client, filing)
    response = submit(client)
    assert response.status_code == 302 and response["Location"].endswith(f"{EMPLOYEE}/done/"), _errors(response)
    return Complaint.objects.get(tracking_number=client.session["intake_last:employee"])
