"""Every path a user can click leads somewhere: on demo data, each demo login follows every link of
the staff workspace it can reach (breadth first, bounded) and never meets a server error, and any
403 or 404 on the way is the staff page that explains it."""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/staff/[^"#?]*(?:\?[^"#]*)?)"')
# Links that are downloads or that end the session; their own tests cover them.
SKIP = re.compile(r"/(logout|download|packet|receipt)/|/evidence/\d+/file/|\.pdf$")
LIMIT = 120  # pages per login: enough to reach every kind of page from the demo's links


LOGINS = ["intake", "investigator", "supervisor", "board", "board2", "publisher"]


def test_every_link_each_demo_login_can_follow_leads_somewhere(client):
    call_command("seed_demo", complaints=300, quiet_logins=True)
    reached = {username: _crawl(client, username) for username in LOGINS}
    # Each login that has work got well into the workspace (its cases, their tabs, its queues); the
    # publisher has no case to open yet and reaches the home, "My work" and the complaint list.
    assert {name: len(kinds) >= (3 if name == "publisher" else 8) for name, kinds in reached.items()} == dict.fromkeys(
        LOGINS, True
    ), {name: sorted(kinds) for name, kinds in reached.items()}


def _crawl(client, username: str) -> set[str]:
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    queue, seen, kinds = deque(["/staff/"]), {"/staff/"}, set()
    visited = 0
    while queue and visited < LIMIT:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        assert response.status_code < 500, (username, url)
        if response.status_code in (403, 404):
            assert "Staff workspace" in response.content.decode(), (username, url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        # One page of each kind (by its path with numbers and tracking numbers blurred) is enough.
        kinds.add(re.sub(r"[A-Z]+-\d{4}-\d+|\d+", "#", urlparse(url).path))
        for link in HREF.findall(response.content.decode()):
            link = urldefrag(link.replace("&amp;", "&"))[0]
            shape = re.sub(r"[A-Z]+-\d{4}-\d+|\d+", "#", urlparse(link).path)
            if link in seen or SKIP.search(link) or (shape in kinds and "page=" not in link):
                continue
            seen.add(link)
            queue.append(link)
    return kinds
