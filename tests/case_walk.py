"""A walk over every page of one case, for the tests that check who reads what on it (people's
details in tests/investigations/test_personal_data_everywhere.py, a police employee's identity in
tests/whistleblower/test_identity.py): the named routes that take the case's tracking number, the
admin's pages on the case and its people, the case's audit trail, and every link on those pages
that stays within the case. PDFs are read with pypdf, CSV, JSON and HTML as text."""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from oversight.models import AuditEvent

HREF_RE = re.compile(r"""href=["']([^"'#]+)""")


def routes(patterns=None, prefix: str = "", namespace: str = ""):
    """Every named route of the project as ``(route, "namespace:name")``."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from routes(pattern.url_patterns, route, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, f"{namespace}:{pattern.name}".lstrip(":")


def tracking_number_urls(values: dict[str, list[Any]], *, staff_only: bool = False, strict: bool = True) -> list[str]:
    """Every named route that takes a tracking number, each converter filled from ``values``
    (every combination). ``strict``: a converter missing from ``values`` fails the test; otherwise
    it takes 1 (the first of its objects, or a page that says there is none)."""
    urls = []
    for route, name in routes():
        converters = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if "tracking_number" not in converters or (staff_only and not route.startswith("staff/")):
            continue
        if strict:
            unknown = [c for c in converters if c not in values]
            assert not unknown, f"{name} takes {unknown}: give the walk a value for it"
        combos: list[dict[str, Any]] = [{}]
        for converter in converters:
            combos = [{**combo, converter: value} for combo in combos for value in values.get(converter, [1])]
        urls += [reverse(name, kwargs=kwargs) for kwargs in combos]
    assert len(urls) > 50, "the resolver walk found too few case routes"
    return urls


def admin_and_audit_urls(complaint, objects: Iterable) -> list[str]:
    """The admin's change, history and last history-record pages of each of ``objects`` (models
    with django-simple-history), and the complaint's audit trail: the staff audit log and its CSV
    export filtered by the tracking number, the admin's event list and each event's page."""
    urls = []
    for obj in objects:
        base = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
        record = obj.history.order_by("history_id").last()
        urls += [
            reverse(f"{base}_change", args=[obj.pk]),
            reverse(f"{base}_history", args=[obj.pk]),
            reverse(f"{base}_simple_history", args=[obj.pk, record.history_id]),
        ]
    number = complaint.tracking_number
    query = urlencode({"tracking_number": number})
    urls += [f"{reverse('staff:audit_log')}?{query}", f"{reverse('staff:audit_log_export')}?{query}"]
    urls.append(f"{reverse('admin:oversight_auditevent_changelist')}?{urlencode({'q': number})}")
    events = AuditEvent.objects.filter(
        Q(target_label=number) | Q(target_type="complaints.complaint", target_id=str(complaint.pk))
    )
    urls += [reverse("admin:oversight_auditevent_change", args=[pk]) for pk in events.values_list("pk", flat=True)]
    return urls


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    text: str


def page_text(response) -> str:
    """What a reader of the response reads: a PDF's text, a page's, a CSV's; nothing of an image."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    if any(t in kind for t in ("html", "csv", "json", "text/plain")):
        return unescape(raw.decode("utf-8-sig", errors="replace"))
    return ""  # an image: the evidence itself, not a page about it


def walk(client, urls: list[str], tracking_number: str, limit: int) -> list[Page]:
    """GET every URL, then every link on those pages that stays within the case (a staff or admin
    path holding its tracking number); fails if the walk reaches ``limit`` pages."""
    queue = list(urls)
    seen: set[str] = set(queue)
    pages = []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        text = page_text(response)
        pages.append(Page(url, response.status_code, response.get("Content-Type", ""), text))
        for link in HREF_RE.findall(text):
            link = unescape(link)
            path = urlsplit(link).path
            if path.startswith(("/staff/", "/admin/")) and tracking_number in path and link not in seen:
                seen.add(link)
                queue.append(link)
    assert queue == [], "the walk stopped at its limit"
    return pages


def found(pages: list[Page], texts: list[str]) -> dict[str, list[str]]:
    """Each of ``texts`` read on any page, with the pages' URLs (case-insensitively)."""
    hits: dict[str, list[str]] = {}
    for page in pages:
        for text in texts:
            if text.casefold() in page.text.casefold():
                hits.setdefault(text, []).append(page.url)
    return hits


def body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return page_text(response)
