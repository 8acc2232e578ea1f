"""The measures page on the demo data: every table counts something, and every download works."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from investigations.measures.selectors import TABLE_KEYS

pytestmark = pytest.mark.django_db


def test_the_page_and_every_download_work_on_the_demo_data(client):
    call_command("seed_demo", complaints=300, quiet_logins=True)
    client.force_login(get_user_model().objects.get(username="supervisor"))
    response = client.get("/staff/measures/", {"period": "last-year"})
    assert response.status_code == 200
    measures = response.context["measures"]
    assert measures.open.total > 0
    assert measures.caseload.carrying >= 2
    assert not measures.table("times").is_empty
    assert "Nothing to count yet" not in response.content.decode()
    for key in TABLE_KEYS:
        download = client.get(f"/staff/measures/{key}.csv", {"period": "last-12-months"})
        assert download.status_code == 200, key
        assert download.content.decode("utf-8").count("\r\n") >= 2, key
