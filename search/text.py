"""Text handling every search backend shares: folding, query parsing, stemming and snippets.

Both backends match the same way, so that a query finds the same cases whichever one a city runs:

* **Folding.** Text and queries are lower-cased and stripped of accents ("Cámara" and "camara" are
  one word) before anything else; Elasticsearch does it with its ``asciifolding`` filter, the
  database backend here in Python before the text is stored.
* **Stemming** in English and in Spanish (Snowball, the stemmers PostgreSQL and Elasticsearch both
  use): "tattoos" finds "tattoo", "tatuajes" finds "tatuaje", "detenida" finds "detenido".
* **A query** is words, "quoted phrases" and -excluded words; every word and phrase must match
  (the way people type into a search box, and PostgreSQL's ``websearch_to_tsquery``).

Snippets (``snippets``) are made here too, from the stored text: the words that match are wrapped
in ``<mark>``, everything else escaped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Longest query a search box takes; longer input is cut, not refused.
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SNIPPET_CHARS = 180
SNIPPETS_PER_FIELD = 2

# Letters and digits: underscores and punctuation separate words, as in both engines' tokenizers.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def fold(text: str) -> str:
    """``text`` lower-cased with accents removed ("Cámara Ñandú" -> "camara nandu")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@functools.cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def stems(word: str) -> frozenset[str]:
    """The English and Spanish stems of one folded word (for marking words in snippets)."""
    return frozenset(_cached_stem(language, word) for language in LANGUAGES)


def words(text: str) -> list[str]:
    """The folded words of ``text``."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Term:
    """One part of a query: a word, or a phrase (several words in a row); ``negated`` excludes."""

    words: tuple[str, ...]
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def as_text(self) -> str:
        joined = " ".join(self.words)
        quoted = f'"{joined}"' if self.is_phrase else joined
        return f"-{quoted}" if self.negated else quoted


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return any(not term.negated for term in self.terms)

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.negated)

    def as_text(self) -> str:
        """The query in the syntax both engines read (``websearch_to_tsquery`` and
        ``simple_query_string``), rebuilt from folded words only: no operator a person did not mean."""
        return " ".join(term.as_text() for term in self.terms)


def parse(query: str) -> ParsedQuery:
    """The terms of a search box's text. Punctuation separates words; a query with only excluded
    words matches nothing (``bool(parsed)`` is False), as does an empty one."""
    terms: list[Term] = []
    for match in _TOKEN.finditer((query or "")[:MAX_QUERY_CHARS]):
        negated = bool(match.group(1) or match.group(3))
        found = tuple(words(match.group(2) if match.group(2) is not None else match.group(4)))
        if not found:
            continue
        if match.group(2) is None and len(found) > 1:
            # "use-of-force" or "O'Brien" typed without quotes: each piece is a word of its own.
            terms.extend(Term((word,), negated) for word in found)
        else:
            terms.append(Term(found, negated))
        if len(terms) >= MAX_TERMS:
            break
    return ParsedQuery(tuple(terms[:MAX_TERMS]))


LANGUAGES = ("english", "spanish")


@functools.lru_cache(maxsize=50_000)
def _cached_stem(language: str, word: str) -> str:
    return _stemmer(language).stemWord(word)


def stem(language: str, word: str) -> str:
    """The stem of one folded word in ``language`` ("english" or "spanish")."""
    return _cached_stem(language, word)


def analyze(*texts: str) -> tuple[str, str]:
    """The words of ``texts`` as two lines of stems, English then Spanish, one stem per word in
    order: what the database backend stores and searches (``to_tsvector('simple', ...)`` of each
    line keeps the positions that phrases need)."""
    folded = [w for text in texts if text for w in words(text)]
    return (" ".join(_cached_stem("english", w) for w in folded), " ".join(_cached_stem("spanish", w) for w in folded))


def tsquery(parsed: ParsedQuery) -> str:
    """``parsed`` as a PostgreSQL ``to_tsquery('simple', ...)`` over the lines of ``analyze``:
    each term matches its English stems in a row or its Spanish stems in a row."""

    def one(term: Term) -> str:
        alternatives = []
        for language in LANGUAGES:
            alternatives.append(" <-> ".join(f"'{_cached_stem(language, w)}'" for w in term.words))
        body = "(" + " | ".join(f"({alt})" for alt in dict.fromkeys(alternatives)) + ")"
        return f"!{body}" if term.negated else body

    return " & ".join(one(term) for term in parsed.terms)


def holds(lines: tuple[str, str], term: Term) -> bool:
    """Whether the ``analyze`` lines hold ``term``: its stems in a row in either language."""
    for language, line in zip(LANGUAGES, lines, strict=True):
        wanted = " ".join(_cached_stem(language, w) for w in term.words)
        if f" {wanted} " in f" {line} ":
            return True
    return False


def matches(text: str, parsed: ParsedQuery) -> bool:
    """Whether ``text`` holds every positive term of ``parsed`` and no negative one: the meaning
    of a query, applied in Python (the SQLite fallback's check, and the tests' oracle)."""
    lines = analyze(text)
    return (
        bool(parsed)
        and all(holds(lines, t) for t in parsed.positive)
        and not any(holds(lines, t) for t in parsed.negative)
    )


def _token_stems(text: str) -> list[tuple[int, int, frozenset[str]]]:
    return [(m.start(), m.end(), stems(fold(m.group()))) for m in _WORD.finditer(text)]


def snippets(text: str, parsed: ParsedQuery, *, limit: int = SNIPPETS_PER_FIELD) -> list[SafeString]:
    """Up to ``limit`` passages of ``text`` around the words that match ``parsed``, escaped, with
    those words in ``<mark>``. Empty when nothing in ``text`` matches."""
    if not text or not parsed:
        return []
    wanted = set().union(*(stems(word) for term in parsed.positive for word in term.words))
    tokens = _token_stems(text)
    hits = [(start, end) for start, end, token in tokens if token & wanted]
    if not hits:
        return []
    passages: list[tuple[int, int]] = []
    for start, _end in hits:
        if passages and start < passages[-1][1]:
            continue
        begin = max(0, start - SNIPPET_CHARS // 3)
        finish = min(len(text), begin + SNIPPET_CHARS)
        # Whole words at both ends.
        if begin > 0:
            space = text.find(" ", begin, start)
            begin = space + 1 if space != -1 else begin
        if finish < len(text):
            space = text.rfind(" ", start, finish)
            finish = space if space > start else finish
        passages.append((begin, finish))
        if len(passages) >= limit:
            break
    out = []
    for begin, finish in passages:
        parts, cursor = [], begin
        for start, end in hits:
            if start < begin or end > finish:
                continue
            parts.append(escape(text[cursor:start]))
            parts.append(f"<mark>{escape(text[start:end])}</mark>")
            cursor = end
        parts.append(escape(text[cursor:finish]))
        prefix = "… " if begin > 0 else ""
        suffix = " …" if finish < len(text) else ""
        out.append(mark_safe(prefix + "".join(parts).strip() + suffix))  # noqa: S308  # nosec B308 B703: every piece escaped
    return out
