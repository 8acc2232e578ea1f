"""Public text stays plain: the English prose (paragraphs and list items in the page's main part) of
the meetings pages, a recommendation open for comment, the comment form and its confirmation reads
at a Flesch-Kincaid grade of 8 or below. The grade is computed here, with a plain syllable count
(vowel groups, a silent final "e" dropped), not with the code under test."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from investigations.board.models import BoardMeeting
from public_portal.comments.models import CommentPeriod

pytestmark = pytest.mark.django_db

GRADE = 8.0
PROSE = ("p", "li")


def _syllables(word: str) -> int:
    w = re.sub(r"[^a-z]", "", word.lower())
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


class _Prose(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_main = 0
        self.open = 0
        self.parts: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.in_main += tag == "main"
        if self.in_main and tag in PROSE:
            self.open += 1
            self.current = []

    def handle_endtag(self, tag):
        if self.in_main and tag in PROSE and self.open:
            self.open -= 1
            text = " ".join("".join(self.current).split())
            if text:
                self.parts.append(text)
        self.in_main -= tag == "main"

    def handle_data(self, data):
        if self.open:
            self.current.append(data)


def grade(html: str) -> float:
    prose = _Prose()
    prose.feed(html)
    sentences = words = syllables = 0
    for text in prose.parts:
        sentences += max(1, len([s for s in re.split(r"(?<=[.!?:])\s+", text) if s.strip()]))
        found = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
        words += len(found)
        syllables += sum(_syllables(w) for w in found)
    assert words > 10, "the page has too little prose to grade"
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def test_the_grade_of_a_known_text():
    # "The cat sat on the mat." : 6 words, 6 syllables, 1 sentence.
    html = "<main><p>The cat sat on the mat. The cat sat on the mat.</p></main>"
    assert grade(html) == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)


def test_the_new_public_pages_read_at_grade_eight_or_below(client):
    call_command("seed_demo", complaints=400, seed=7, as_of="2026-11-01", quiet_logins=True)
    period = CommentPeriod.objects.order_by("-closes_on").first()
    number = period.recommendation.number
    urls = ["/meetings/", f"/recommendations/{number}/", f"/recommendations/{number}/comment/"]
    urls += [f"/meetings/{pk}/" for pk in BoardMeeting.objects.exclude(starts_at=None).values_list("pk", flat=True)]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert grade(response.content.decode()) <= GRADE, url
