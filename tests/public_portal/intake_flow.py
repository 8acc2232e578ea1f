"""Walking the intake form the way a browser does, for tests."""

from dataclasses import dataclass, field

from django.test import Client

from tests.factories import PNG_BYTES

PUBLIC = "/file"
STAFF = "/staff/intake/new"


def incident(**overrides) -> dict:
    data = {
        "date_precision": "exact",
        "date": "2026-03-12",
        "time_precision": "approximate",
        "time": "21:15",
        "location": "Outside the laundromat at 5th and Market",
        "district": "",
        "narrative": "Two officers stopped me, pushed me against the wall and took my phone when I asked why.",
        "website": "",
    }
    return {**data, **overrides}


def officers(*rows: dict) -> dict:
    rows = rows or ({"known": "identified", "name": "Officer Reyes", "badge": "4471"},)
    data = {
        "officers-TOTAL_FORMS": str(len(rows)),
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "1",
        "officers-MAX_NUM_FORMS": "10",
    }
    for i, row in enumerate(rows):
        for key in ("known", "name", "badge", "appearance", "vehicle", "unit"):
            data[f"officers-{i}-{key}"] = row.get(key, "")
    return data


def witnesses(*rows: dict) -> dict:
    rows = rows or ({},)
    data = {
        "witnesses-TOTAL_FORMS": str(len(rows)),
        "witnesses-INITIAL_FORMS": "0",
        "witnesses-MIN_NUM_FORMS": "1",
        "witnesses-MAX_NUM_FORMS": "10",
    }
    for i, row in enumerate(rows):
        for key in ("first_name", "last_name", "phone", "email", "description"):
            data[f"witnesses-{i}-{key}"] = row.get(key, "")
    return data


def about(**overrides) -> dict:
    data = {
        "filing_as": "self",
        "first_name": "Rosa",
        "last_name": "Delgado",
        "email": "rosa.delgado@example.com",
        "phone": "555-201-3344",
        "address": "",
        "preferred_contact": "email",
        "preferred_language": "en",
        "race_ethnicity": "prefer_not",
        "gender": "female",
        "age_range": "35_44",
    }
    return {**data, **overrides}


@dataclass
class Filing:
    incident: dict = field(default_factory=incident)
    officers: dict = field(default_factory=officers)
    kinds: list = field(default_factory=lambda: ["force", "property"])
    witnesses: dict = field(default_factory=witnesses)
    files: list = field(default_factory=lambda: [("photo.png", PNG_BYTES)])
    about: dict = field(default_factory=about)


def post_ok(client: Client, url: str, data: dict, expect_next: str) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code, _errors(response))
    assert response["Location"].endswith(expect_next), (url, response["Location"])


def _errors(response) -> str:
    body = response.content.decode()
    start = body.find('id="error-summary"')
    return body[start : start + 1500] if start >= 0 else body[:500]


def start(client: Client, base: str = PUBLIC) -> None:
    response = client.post(f"{base}/", {"action": "start"})
    assert response.status_code == 302 and response["Location"].endswith(f"{base}/incident/")


def fill_to_review(client: Client, filing: Filing | None = None, base: str = PUBLIC) -> None:
    filing = filing or Filing()
    start(client, base)
    post_ok(client, f"{base}/incident/", {**filing.incident, "action": "next"}, f"{base}/officers/")
    post_ok(client, f"{base}/officers/", {**filing.officers, "action": "next"}, f"{base}/kinds/")
    post_ok(client, f"{base}/kinds/", {"kinds": filing.kinds, "action": "next"}, f"{base}/witnesses/")
    post_ok(client, f"{base}/witnesses/", {**filing.witnesses, "action": "next"}, f"{base}/evidence/")
    for name, content in filing.files:
        upload(client, name, content, base=base)
    post_ok(client, f"{base}/evidence/", {"action": "next"}, f"{base}/about/")
    post_ok(client, f"{base}/about/", {**filing.about, "action": "next"}, f"{base}/consent/")
    post_ok(client, f"{base}/consent/", {"agree": "on", "action": "next"}, f"{base}/review/")


def upload(client: Client, name: str, content: bytes, base: str = PUBLIC):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{base}/evidence/", {"action": "upload", "files": [SimpleUploadedFile(name, content)]})


def form_token(client: Client, base: str = PUBLIC) -> str:
    import re

    page = client.get(f"{base}/review/").content.decode()
    return re.search(r'name="form_token" value="([0-9a-f]+)"', page).group(1)


def submit(client: Client, base: str = PUBLIC):
    return client.post(f"{base}/review/", {"form_token": form_token(client, base), "website": "", "action": "submit"})


def file_complaint(client: Client, filing: Filing | None = None, base: str = PUBLIC):
    """Fill every step and send; returns the complaint."""
    from complaints.models import Complaint

    fill_to_review(client, filing, base)
    response = submit(client, base)
    assert response.status_code == 302 and response["Location"].endswith(f"{base}/done/"), _errors(response)
    tracking = client.session[f"intake_last:{'staff' if base == STAFF else 'public'}"]
    return Complaint.objects.get(tracking_number=tracking)
