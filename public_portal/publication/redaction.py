"""The redactor: takes personal details out of a case summary before it is published.

Two sources of what to remove:

* the case's own records (:func:`known_terms_for_case`): names, emails, phones, street addresses
  and vehicle plates of parties, interviewees, person subpoena recipients and subject officers;
* pattern rules that catch such details even when no record holds them (emails, US phone
  numbers, street addresses, dates of birth, licence plates, Social Security numbers, driver's
  licence numbers).

Every removed span becomes one bracketed placeholder per category (``[name removed]``); an
officer whose name the disclosure policy keeps private becomes "Officer A", "Officer B", ...
(the same letter for the same officer throughout one text). The log records where each removed
span was (category, position and length in the source text, and where its replacement sits in
the output) and never the removed text. The rules are written out in docs/publication.md,
"Redaction".
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import gettext_lazy as _


class Category(StrEnum):
    NAME = "name"
    OFFICER_NAME = "officer_name"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    PLATE = "plate"
    DATE_OF_BIRTH = "date_of_birth"
    SSN = "ssn"
    DRIVERS_LICENSE = "drivers_license"


PLACEHOLDERS = {
    Category.NAME: _("[name removed]"),
    Category.EMAIL: _("[email removed]"),
    Category.PHONE: _("[phone number removed]"),
    Category.ADDRESS: _("[address removed]"),
    Category.PLATE: _("[license plate removed]"),
    Category.DATE_OF_BIRTH: _("[date of birth removed]"),
    Category.SSN: _("[Social Security number removed]"),
    Category.DRIVERS_LICENSE: _("[driver's license number removed]"),
}
OFFICER_PSEUDONYM = _("Officer %(letter)s")


@dataclass(frozen=True)
class Term:
    """One value known from the case records.

    ``person`` groups the parts of one person's name (``"party:12"``, ``"officer:5"``, ...);
    ``part`` says which part a name term is: ``"first"``, ``"last"`` or ``"full"``.
    """

    category: Category
    value: str
    person: str = ""
    part: str = ""


@dataclass(frozen=True)
class RedactionEntry:
    """One removed span. ``start``/``length`` are in the source text; ``output_start`` and
    ``output_length`` locate its placeholder in the redacted text. No removed text is kept."""

    category: Category
    start: int
    length: int
    output_start: int = 0
    output_length: int = 0

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class Redaction:
    text: str
    log: tuple[RedactionEntry, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.log:
            counts[entry.category] = counts.get(entry.category, 0) + 1
        return counts


# ---------------------------------------------------------------------------------------------
# Words and patterns, compiled once.


# Ordinary English and Spanish words that are also names. A name part that is one of these, or
# is shorter than four letters, is "weak" (see docs/publication.md for when a weak part goes).
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """
    al am an and art bay bell belle best bill black bond booker born brown bush by cain can carter
    case chase cook cross dale dawn day dean drew early faith fisher ford fox frank gay gene glass
    gold grace grant gray green guy hall hill holly hope hunt hunter iris ivy jack james jean joy
    june king lane lee long love mark marsh may mercy miles miller moore more much new north page
    paris park parks pat patience penny pierce pine price ray reed rich rose ruby sage savage
    sharp shore short small smart stone storm strong summer sun tucker victor wall ward ware wells
    west white will win winter wood woods young
    alba alegre amparo angel blanca blanco bravo bueno caridad cielo clemente cruz dolores esperanza
    flor fuentes gallo garza leal leon lobo luna luz mar marina mayo mercedes nieves olivo
    palma paloma paz perla piedad pilar prado ramos reyes rey rocio rosa rosario salvador
    santo santos serrano sierra sol soledad toro valle vega ventura
    """
)
PARTICLES = _words("da das de del della der di do dos du el la las le los san santa st van von y")
NAME_SUFFIXES = _words("jr jr. sr sr. ii iii iv")
TITLE_WORDS = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Sr|Sra|Srta|Don|Doña|Officer|Ofc|Off|P\.?O|Sgt|Sergeant|Det|Detective|Lt|"
    r"Lieutenant|Cpl|Corporal|Capt|Captain|Cpt|Deputy|Trooper|Agent|Inspector|Insp|Cmdr|Commander|Chief|"
    r"Agente|Oficial|Sargento|Teniente"
)
TITLE_BEFORE_RE = re.compile(rf"(?<![^\W\d_])(?:Police\s+)?(?:{TITLE_WORDS})\.?\s+$", re.IGNORECASE)
LEADING_TITLE_RE = re.compile(rf"^(?:(?:{TITLE_WORDS})\.?\s+)+", re.IGNORECASE)

# What may stand between two parts of one name: spaces, line breaks and light punctuation.
SEPARATOR_RE = re.compile(r"[\s.,'’\-–—_/]{0,6}")
SENTENCE_END = ".!?"
OPENERS = " \t\r\n\"'“‘([«"

ACCENTS = {
    "a": "aáàâäãå",
    "e": "eéèêë",
    "i": "iíìîï",
    "o": "oóòôöõø",
    "u": "uúùûü",
    "n": "nñ",
    "c": "cç",
    "y": "yý",
}
LINE_BREAK_HYPHEN = r"(?:-[ \t]*\r?\n[ \t]*)?"

EMAIL_RE = re.compile(r"(?<![\w.%+\-'])[\w.%+\-']+@[\w\-]+(?:\.[\w\-]+)+")
PHONE_RE = re.compile(
    r"(?<![\w\-+])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)[\s.\-]?|\d{3}[\s.\-]?)\d{3}[\s.\-]?\d{4}(?![\w\-])"
    r"|(?<![\w\-.])\d{3}[\-.]\d{4}(?![\w\-]|\.\d)"
)
SSN_RE = re.compile(
    r"(?<![\w\-])\d{3}(?P<sep>[\- ])\d{2}(?P=sep)\d{4}(?![\w\-])"
    r"|(?i:\b(?:SSN|S\.S\.N\.|social\s+security(?:\s+(?:number|no\.?|\#))?|seguro\s+social))[\s:#]*(?P<bare>\d{9})(?!\d)"
)
MONTHS = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|setiembre|octubre|noviembre|diciembre"
)
DATE = (
    rf"\d{{1,2}}[/\-.]\d{{1,2}}[/\-.]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+de|\s+of)?\s+(?:{MONTHS})\.?,?(?:\s+de)?\s+\d{{4}}"
)
DOB_RE = re.compile(
    r"(?:\b(?:DOB|D\.O\.B|date\s+of\s+birth|birth\s*date|birthday|born|fecha\s+de\s+nacimiento|nacid[oa]))"
    rf"(?![A-Za-z])[^\n\d]{{0,20}}?(?P<date>{DATE})(?![\w])",
    re.IGNORECASE,
)
DL_RE = re.compile(
    r"(?:(?i:\bdriver['’]?s?\s+licen[cs]e|\blicencia(?:\s+de\s+conducir)?|\boperator['’]?s\s+licen[cs]e)|\b(?:DL|D\.L\.))"
    r"(?i:(?:\s*(?:number|no\.?|num\.?|\#|:|is|was|of))*)\s*(?:[A-Z]{2}\s+)?"
    r"(?P<value>[A-Za-z]{0,3}\d[\d \-]{3,18}\d)(?![\w])"
)
PLATE_VALUE = r"[A-Za-z0-9]{1,4}(?:[\s\-·]?(?=[A-Za-z]{0,4}\d)[A-Za-z0-9]{1,5})?"
PLATE_RE = re.compile(
    r"(?<!driver's )(?<!driver’s )(?<!drivers )(?<!driver )"
    r"(?i:\b(?:plates?|tags?|licen[cs]e(?:\s+plate)?|registration|reg\.|placas?|matr[ií]cula))"
    r"(?i:(?:\s*(?:number|no\.?|num\.?|\#|:|is|was|reads?|reading|of))*)\s*"
    rf"(?P<value>{PLATE_VALUE})(?![A-Za-z0-9])"
)
PLATE_TOKEN_RE = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z\-]*\d)(?=[\d\-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9\-]{3,8}(?![A-Za-z0-9])"
)

STREET_SUFFIXES = _words(
    "St Street Ave Av Avenue Rd Road Blvd Boulevard Ln Lane Dr Drive Ct Court Pl Place Way Ter Terrace "
    "Pkwy Parkway Cir Circle Hwy Highway Sq Square Pike Aly Alley Row Trl Trail Plz Plaza Walk Mall"
)
_SUFFIX_ALT = "|".join(
    sorted({form for s in STREET_SUFFIXES for form in (s, s.upper(), s.lower())}, key=len, reverse=True)
)
ADDRESS_RE = re.compile(
    r"(?<![\w\-])\d{1,6}[A-Za-z]?(?:-\d{1,5})?\s+"
    r"(?:(?:[NSEW]|North|South|East|West|NE|NW|SE|SW|NORTH|SOUTH|EAST|WEST)\.?\s+)?"
    r"(?:(?:[A-Z0-9][A-Za-z0-9'’.\-]*|de|la|del|of|the)\s+){0,4}?"
    rf"[A-Z0-9][A-Za-z0-9'’\-]*\s+(?:{_SUFFIX_ALT})\.?(?![A-Za-z])"
    r"(?:,?\s+(?i:apt|apartment|unit|suite|ste|fl|floor|rm|room)\.?\s*\#?\s*[A-Za-z0-9\-]{1,6}(?![A-Za-z0-9])"
    r"|,?\s*\#\s*[A-Za-z0-9\-]{1,6}(?![A-Za-z0-9]))?"
    r"(?:,?\s+[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2},?\s+[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?(?![A-Za-z0-9]))?"
    r"|(?i:\bP\.?\s?O\.?\s+Box\s+\d{1,6})(?!\d)"
)
SUFFIX_EQUIVALENTS = [
    {"st", "street"},
    {"ave", "av", "avenue"},
    {"rd", "road"},
    {"blvd", "boulevard"},
    {"ln", "lane"},
    {"dr", "drive"},
    {"ct", "court"},
    {"pl", "place"},
    {"ter", "terrace"},
    {"pkwy", "parkway"},
    {"cir", "circle"},
    {"hwy", "highway"},
    {"sq", "square"},
    {"apt", "apartment"},
    {"ste", "suite"},
    {"n", "north"},
    {"s", "south"},
    {"e", "east"},
    {"w", "west"},
]
SENTENCE_FOLLOWS_RE = re.compile(r"\s*$|\s+[\"'“‘(\[«]*[A-ZÁÉÍÓÚÑÜ]")
# One written-out middle name between a given name and a surname: "Ana María Quintero".
MIDDLE_NAME_RE = re.compile(r"\s{1,3}[A-ZÁÉÍÓÚÑÜ][^\W\d_]{1,20}\s{1,3}")
INITIAL_RE = re.compile(r"(?<![^\W_])(?P<letter>[A-Z])(?P<dot>\.)?(?![^\W_])")

# When two spans overlap, the longer wins; on equal length, the earlier category here.
PRIORITY = [
    Category.EMAIL,
    Category.SSN,
    Category.DATE_OF_BIRTH,
    Category.DRIVERS_LICENSE,
    Category.PHONE,
    Category.PLATE,
    Category.ADDRESS,
    Category.OFFICER_NAME,
    Category.NAME,
]


# ---------------------------------------------------------------------------------------------
# Collecting the terms from a case.


def known_terms_for_case(complaint) -> tuple[Term, ...]:
    """Every name, email, phone, street address and plate the case records hold, as typed terms.

    Reads parties, subject officers (with their roster officers), interviews and subpoenas to
    persons: four queries whatever the case's size. Writes nothing.
    """
    from complaints.models import Party, SubjectOfficer
    from investigations.models import Interview, Subpoena

    terms: list[Term] = []

    parties = Party.objects.filter(complaint=complaint).values_list(
        "pk", "first_name", "last_name", "email", "phone", "address"
    )
    for pk, first, last, email, phone, address in parties:
        person = f"party:{pk}"
        terms += _name_terms(Category.NAME, person, first=first, last=last)
        terms += _contact_terms(email=email, phone=phone, address=address)

    subjects = SubjectOfficer.objects.filter(complaint=complaint).values_list(
        "pk", "officer_id", "officer__first_name", "officer__last_name", "name_as_given", "vehicle"
    )
    subject_person: dict[int, str] = {}
    for pk, officer_id, first, last, given, vehicle in subjects:
        person = f"officer:{officer_id}" if officer_id else f"subject:{pk}"
        subject_person[pk] = person
        if officer_id:
            terms += _name_terms(Category.OFFICER_NAME, person, first=first or "", last=last or "")
        terms += _name_terms(Category.OFFICER_NAME, person, full=given)
        terms += [Term(Category.PLATE, plate) for plate in extract_plates(vehicle)]

    interviews = Interview.objects.filter(complaint=complaint).values_list(
        "pk", "person_name", "role", "party_id", "subject_officer_id"
    )
    for pk, name, role, party_id, subject_id in interviews:
        if subject_id or role == Interview.Role.SUBJECT_OFFICER:
            person = subject_person.get(subject_id, f"interview:{pk}")
            terms += _name_terms(Category.OFFICER_NAME, person, full=name)
        else:
            person = f"party:{party_id}" if party_id else f"interview:{pk}"
            terms += _name_terms(Category.NAME, person, full=name)

    recipients = Subpoena.objects.filter(complaint=complaint, recipient_kind=Subpoena.RecipientKind.PERSON).values_list(
        "pk", "recipient_name", "recipient_address"
    )
    for pk, name, address in recipients:
        terms += _name_terms(Category.NAME, f"subpoena:{pk}", full=name)
        terms += _contact_terms(address=address)

    return tuple(dict.fromkeys(terms))


def _name_terms(category: Category, person: str, *, first: str = "", last: str = "", full: str = "") -> list[Term]:
    first, last, full = first.strip(), last.strip(), full.strip()
    if full and not (first or last):
        words = _strip_titles(full).split()
        while words and words[-1].casefold().strip(",") in NAME_SUFFIXES:
            words.pop()
        if len(words) == 1:
            last = words[0]
        elif words:
            first, last = " ".join(words[:-1]), words[-1]
    terms = []
    if first:
        terms.append(Term(category, first, person, "first"))
    if last:
        terms.append(Term(category, last, person, "last"))
    if first and last:
        terms.append(Term(category, f"{first} {last}", person, "full"))
    return terms


def _strip_titles(name: str) -> str:
    return LEADING_TITLE_RE.sub("", name.strip())


def _contact_terms(*, email: str = "", phone: str = "", address: str = "") -> list[Term]:
    terms = []
    if email.strip():
        terms.append(Term(Category.EMAIL, email.strip()))
    if phone.strip():
        terms.append(Term(Category.PHONE, phone.strip()))
    # Only the pieces with a number identify a place ("1234 N Broad St", "PA 19107"); a city alone does not.
    for line in re.split(r"[\n,;]+", address or ""):
        if _has_digit(line):
            terms.append(Term(Category.ADDRESS, line.strip()))
    return terms


def extract_plates(text: str) -> list[str]:
    """Plate numbers in a vehicle description: after a plate word, or a letters-and-digits token."""
    if not text:
        return []
    plates = [m.group("value") for m in PLATE_RE.finditer(text) if _has_digit(m.group("value"))]
    plates += [m.group(0) for m in PLATE_TOKEN_RE.finditer(text) if len(re.sub(r"\W", "", m.group(0))) >= 5]
    return list(dict.fromkeys(plates))


def _has_digit(value: str) -> bool:
    return any(ch.isdigit() for ch in value)


# ---------------------------------------------------------------------------------------------
# Compiling the case-specific patterns.


def _fold(text: str) -> str:
    """Lower case, no accents, letters only: the key a written name part is looked up by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))


def _token_pattern(token: str) -> str:
    pieces = []
    for ch in _fold_keep_inner(token):
        if ch in "-'’":
            pieces.append(r"[\-'’\s]?")
        else:
            pieces.append(f"[{ACCENTS.get(ch, ch)}]" if ch in ACCENTS else re.escape(ch))
        pieces.append(LINE_BREAK_HYPHEN)
    return "".join(pieces[:-1])


def _fold_keep_inner(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(ch for ch in decomposed if (ch.isalpha() or ch in "-'’") and not unicodedata.combining(ch))


@dataclass(frozen=True)
class _Person:
    key: str
    officer: bool


@dataclass
class _Compiled:
    name_re: re.Pattern | None
    # folded token -> list of (person index, role) where role is "given", "surname" or "particle"
    tokens: dict[str, list[tuple[int, str]]]
    strong: frozenset[str]
    initials: frozenset[str]
    persons: list[_Person]
    structured: list[tuple[re.Pattern, Category]]


def _split_parts(value: str) -> list[str]:
    parts = []
    for word in value.replace("’", "'").split():
        word = word.strip('.,;:()"')
        if not word or word.casefold() in NAME_SUFFIXES:
            continue
        parts.append(word)
        if "-" in word:
            parts += [piece for piece in word.split("-") if piece]
    return parts


@lru_cache(maxsize=64)
def _compile(terms: tuple[Term, ...], public: frozenset[str], hidden: tuple[str, ...]) -> _Compiled:
    persons: list[_Person] = []
    person_index: dict[str, int] = {}
    # person key -> {"given": [...], "surname": [...], "full": [...]}
    names: dict[str, dict[str, list[str]]] = {}
    officer_keys: set[str] = set()
    structured: list[tuple[re.Pattern, Category]] = []

    all_terms = list(terms)
    for number, name in enumerate(hidden):
        all_terms += _name_terms(Category.OFFICER_NAME, f"hidden:{number}", full=name)

    for term in all_terms:
        if term.category in (Category.NAME, Category.OFFICER_NAME):
            key = term.person or f"{term.category}:{term.value}"
            slot = names.setdefault(key, {"given": [], "surname": [], "full": []})
            role = {"first": "given", "last": "surname"}.get(term.part, "full")
            slot[role].append(term.value)
            if term.category == Category.OFFICER_NAME:
                officer_keys.add(key)
        else:
            pattern = _structured_term_pattern(term)
            if pattern is not None:
                structured.append((pattern, term.category))

    public_folded = {" ".join(_fold(w) for w in name.split()) for name in public}
    tokens: dict[str, list[tuple[int, str]]] = {}
    written: dict[str, str] = {}
    strong: set[str] = set()
    initials: set[str] = set()
    for key, slot in names.items():
        officer = key in officer_keys
        full_names = slot["full"] + ([f"{g} {s}" for g in slot["given"] for s in slot["surname"]])
        if officer and (
            key in public or any(" ".join(_fold(w) for w in full.split()) in public_folded for full in full_names)
        ):
            continue
        index = person_index.setdefault(key, len(persons))
        if index == len(persons):
            persons.append(_Person(key, officer))
        given = [p for value in slot["given"] for p in _split_parts(value)]
        surname = [p for value in slot["surname"] for p in _split_parts(value)]
        for full in slot["full"]:
            words = [w for w in _strip_titles(full).split() if w.casefold().strip(".,") not in NAME_SUFFIXES]
            given += _split_parts(" ".join(words[:-1]))
            surname += _split_parts(" ".join(words[-1:]))
        for role, words in (("given", given), ("surname", surname)):
            for word in words:
                folded = _fold(word)
                if len(folded) < 2:
                    continue
                this_role = "particle" if folded in PARTICLES else role
                entry = (index, this_role)
                if entry not in tokens.setdefault(folded, []):
                    tokens[folded].append(entry)
                written.setdefault(folded, word)
                if len(folded) >= 4 and folded not in STOPWORDS and folded not in PARTICLES:
                    strong.add(folded)
                initials.add(folded[0].upper())
        # A name written without a space ("AnaQuintero") is one token; it is always strong.
        for g in given[:1]:
            for s in surname[-1:]:
                joined = _fold(g) + _fold(s)
                if _fold(g) and _fold(s):
                    tokens.setdefault(joined, [])
                    if (index, "full") not in tokens[joined]:
                        tokens[joined].append((index, "full"))
                    written.setdefault(joined, g + s)
                    strong.add(joined)

    name_re = None
    if tokens:
        alternatives = sorted(tokens, key=len, reverse=True)
        body = "|".join(_token_pattern(written[t]) for t in alternatives)
        name_re = re.compile(rf"(?<![^\W\d_])(?:{body})(?![^\W\d_])", re.IGNORECASE)
    return _Compiled(name_re, tokens, frozenset(strong), frozenset(initials), persons, structured)


def _structured_term_pattern(term: Term) -> re.Pattern | None:
    value = term.value.strip()
    if term.category == Category.EMAIL:
        return re.compile(rf"(?<![\w.\-]){re.escape(value)}(?![\w\-])", re.IGNORECASE) if "@" in value else None
    if term.category == Category.PHONE:
        digits = re.sub(r"\D", "", value)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) < 7:
            return None
        joined = r"[\s.\-()]{0,3}".join(digits)
        local = r"[\s.\-]?".join([digits[-7:-4], digits[-4:]]) if len(digits) == 10 else None
        body = rf"(?:\+?1[\s.\-]*)?\(?{joined}" + (rf"|{local}" if local else "")
        return re.compile(rf"(?<![\d\-])(?:{body})(?![\d\-])")
    if term.category == Category.ADDRESS:
        words = re.findall(r"[A-Za-z0-9]+", value)
        if len(words) < 2 or not any(_has_digit(w) for w in words) or all(w.isdigit() for w in words):
            return None
        pieces = []
        for word in words:
            group = next((g for g in SUFFIX_EQUIVALENTS if word.casefold() in g), None)
            pieces.append("(?:" + "|".join(sorted(group, key=len, reverse=True)) + ")" if group else re.escape(word))
        return re.compile(r"(?<![A-Za-z0-9])" + r"[\s.,#\-]{1,4}".join(pieces) + r"\.?(?![A-Za-z0-9])", re.IGNORECASE)
    if term.category == Category.PLATE:
        chars = re.sub(r"[^A-Za-z0-9]", "", value)
        if len(chars) < 2:
            return None
        return re.compile(
            r"(?<![A-Za-z0-9])" + r"[\s\-.·]?".join(re.escape(c) for c in chars) + r"(?![A-Za-z0-9])",
            re.IGNORECASE,
        )
    return None


# ---------------------------------------------------------------------------------------------
# Redacting.


@dataclass
class _Span:
    start: int
    end: int
    category: Category
    officer: int | None = None  # person index, for officer pseudonyms


def redact(
    text: str,
    *,
    terms: Iterable[Term] = (),
    officer_names_public: set[str] | None = None,
    officer_names_hidden: Iterable[str] = (),
) -> Redaction:
    """Remove every known term and every pattern match from ``text``.

    ``terms`` come from :func:`known_terms_for_case`. Officer name terms become "Officer A",
    "Officer B", ... unless the officer is in ``officer_names_public`` (full names, compared
    without regard to case, accents or spacing, or person keys such as ``"officer:5"``), in which
    case they stay. ``officer_names_hidden`` adds officers, by full name, that the case records do
    not hold but the text may mention; they are pseudonymised too.
    """
    compiled = _compile(
        tuple(dict.fromkeys(terms)), frozenset(officer_names_public or ()), tuple(dict.fromkeys(officer_names_hidden))
    )
    structured = _merge(_structured_spans(text, compiled))
    name_spans = _name_spans(text, compiled, structured)
    spans = _merge(structured + name_spans)
    return _assemble(text, spans)


def _structured_spans(text: str, compiled: _Compiled) -> list[_Span]:
    spans: list[_Span] = []
    for match in EMAIL_RE.finditer(text):
        spans.append(_Span(match.start(), match.end(), Category.EMAIL))
    for match in SSN_RE.finditer(text):
        group = "bare" if match.group("bare") else 0
        spans.append(_Span(match.start(group), match.end(group), Category.SSN))
    for match in DOB_RE.finditer(text):
        spans.append(_Span(match.start("date"), match.end("date"), Category.DATE_OF_BIRTH))
    for match in DL_RE.finditer(text):
        spans.append(_Span(match.start("value"), match.end("value"), Category.DRIVERS_LICENSE))
    for match in PHONE_RE.finditer(text):
        spans.append(_Span(match.start(), match.end(), Category.PHONE))
    for match in PLATE_RE.finditer(text):
        if _has_digit(match.group("value")):
            spans.append(_Span(match.start("value"), match.end("value"), Category.PLATE))
    for match in ADDRESS_RE.finditer(text):
        spans.append(_Span(match.start(), match.end(), Category.ADDRESS))
    for pattern, category in compiled.structured:
        for match in pattern.finditer(text):
            spans.append(_Span(match.start(), match.end(), category))
    for span in spans:
        # "... Broad St." keeps the full stop: it may end the sentence.
        if (
            span.category == Category.ADDRESS
            and text[span.end - 1] == "."
            and SENTENCE_FOLLOWS_RE.match(text, span.end)
        ):
            span.end -= 1
    return spans


@dataclass
class _Occurrence:
    start: int
    end: int
    token: str  # folded; "" for an initial
    initial: str = ""
    dotted: bool = False


def _name_spans(text: str, compiled: _Compiled, structured: list[_Span]) -> list[_Span]:
    if compiled.name_re is None:
        return []
    occurrences: list[_Occurrence] = []
    for match in compiled.name_re.finditer(text):
        occurrences.append(_Occurrence(match.start(), match.end(), _fold(match.group(0))))
    for match in INITIAL_RE.finditer(text):
        occurrences.append(_Occurrence(match.start(), match.end(), "", match.group("letter"), bool(match.group("dot"))))
    occurrences = [o for o in occurrences if o.initial or o.token in compiled.tokens]
    occurrences = _outside(occurrences, structured)
    occurrences.sort(key=lambda o: (o.start, -o.end))

    spans: list[_Span] = []
    for run in _runs(text, occurrences, compiled):
        parts = [o for o in run if o.token]
        if not parts:
            continue
        if len(run) > 1 and _run_is_name(text, run, compiled):
            spans.append(_person_span(text, run[0].start, run[-1].end, parts, compiled))
            continue
        for part in parts:
            if part.token in compiled.strong or _weak_part_goes(text, part):
                spans.append(_person_span(text, part.start, part.end, [part], compiled))
    return spans


def _outside(occurrences: list[_Occurrence], spans: list[_Span]) -> list[_Occurrence]:
    """The occurrences that overlap none of ``spans`` (merged, so sorted and disjoint)."""
    if not spans:
        return occurrences
    starts = [s.start for s in spans]
    kept = []
    for occurrence in occurrences:
        i = bisect_right(starts, occurrence.start) - 1
        overlaps = (i >= 0 and spans[i].end > occurrence.start) or (
            i + 1 < len(spans) and spans[i + 1].start < occurrence.end
        )
        if not overlaps:
            kept.append(occurrence)
    return kept


def _runs(text: str, occurrences: list[_Occurrence], compiled: _Compiled) -> Iterator[list[_Occurrence]]:
    run: list[_Occurrence] = []
    for occurrence in occurrences:
        if run and occurrence.start < run[-1].end:
            continue  # an initial inside a longer match
        if run and _joins(text, run[-1], occurrence, compiled):
            run.append(occurrence)
            continue
        if run:
            yield _trim(run, compiled.initials)
        run = [occurrence]
    if run:
        yield _trim(run, compiled.initials)


def _joins(text: str, previous: _Occurrence, occurrence: _Occurrence, compiled: _Compiled) -> bool:
    if SEPARATOR_RE.fullmatch(text, previous.end, occurrence.start):
        # "Quintero. Quintero" reads as two mentions, and each goes on its own anyway; "May. Hall"
        # stays one run, or neither weak part would go.
        strong_pair = previous.token in compiled.strong and occurrence.token in compiled.strong
        return not strong_pair or not any(ch in SENTENCE_END for ch in text[previous.end : occurrence.start])
    if previous.token and occurrence.token and MIDDLE_NAME_RE.fullmatch(text, previous.end, occurrence.start):
        given = {person for person, role in compiled.tokens[previous.token] if role == "given"}
        return any(role == "surname" and person in given for person, role in compiled.tokens[occurrence.token])
    return False


def _trim(run: list[_Occurrence], initials: frozenset[str]) -> list[_Occurrence]:
    """Initials at the edges of a run count only if they are a known person's initial, and an
    undotted one ("I", "A") only in front of a name part; inside a run any capital counts."""
    while run and run[-1].initial and (run[-1].initial not in initials or not run[-1].dotted):
        run = run[:-1]
    while run and run[0].initial and run[0].initial not in initials:
        run = run[1:]
    return run


def _run_is_name(text: str, run: list[_Occurrence], compiled: _Compiled) -> bool:
    parts = [o for o in run if o.token]
    if any(o.token in compiled.strong for o in parts):
        return True
    if any(text[o.start].isupper() for o in parts):
        return True
    # Given name (or initial) before a surname of the same person: "may hall", "m. hall".
    seen_given: set[int] = set()
    seen_initial = False
    for occurrence in run:
        if occurrence.initial:
            seen_initial = True
            continue
        roles = compiled.tokens[occurrence.token]
        for person, role in roles:
            if role == "surname" and (person in seen_given or seen_initial):
                return True
        seen_given |= {person for person, role in roles if role == "given"}
    return False


def _weak_part_goes(text: str, part: _Occurrence) -> bool:
    before = text[max(0, part.start - 40) : part.start]
    if TITLE_BEFORE_RE.search(before):
        return True
    written = text[part.start : part.end]
    if not written[0].isupper() or (len(written) > 1 and written.isupper()):
        return False
    return not _at_sentence_start(text, part.start)


def _at_sentence_start(text: str, position: int) -> bool:
    before = text[:position]
    stripped = before.rstrip(OPENERS)
    if not stripped or stripped[-1] in SENTENCE_END:
        return True
    return bool(re.search(r"\n[ \t]*\n[\s\"'“‘(\[«]*$", before))


def _person_span(text: str, start: int, end: int, parts: list[_Occurrence], compiled: _Compiled) -> _Span:
    candidates: list[int] | None = None
    for part in parts:
        people = [person for person, _role in compiled.tokens[part.token]]
        candidates = people if candidates is None else [p for p in candidates if p in people] or candidates
    candidates = candidates or []
    if not candidates or any(not compiled.persons[p].officer for p in candidates):
        return _Span(start, end, Category.NAME)
    title = TITLE_BEFORE_RE.search(text, max(0, start - 40), start)
    if title:
        start = title.start()
    return _Span(start, end, Category.OFFICER_NAME, candidates[0])


def _merge(spans: list[_Span]) -> list[_Span]:
    """Overlapping spans become one; it takes the category of the longest (ties: PRIORITY)."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), PRIORITY.index(s.category)))
    merged: list[_Span] = []
    winners: list[_Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            current, winner = merged[-1], winners[-1]
            if (span.end - span.start, -PRIORITY.index(span.category)) > (
                winner.end - winner.start,
                -PRIORITY.index(winner.category),
            ):
                winners[-1] = winner = span
            current.end = max(current.end, span.end)
            current.category, current.officer = winner.category, winner.officer
            continue
        merged.append(_Span(span.start, span.end, span.category, span.officer))
        winners.append(span)
    return merged


def _officer_letter(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _assemble(text: str, spans: list[_Span]) -> Redaction:
    pieces: list[str] = []
    log: list[RedactionEntry] = []
    letters: dict[int, str] = {}
    placeholders = {category: str(text) for category, text in PLACEHOLDERS.items()}
    pseudonym = str(OFFICER_PSEUDONYM)
    position = 0
    length = 0
    for span in spans:
        pieces.append(text[position : span.start])
        length += span.start - position
        if span.category == Category.OFFICER_NAME:
            letter = letters.setdefault(span.officer or 0, _officer_letter(len(letters)))
            replacement = pseudonym % {"letter": letter}
        else:
            replacement = placeholders[span.category]
        pieces.append(replacement)
        log.append(RedactionEntry(span.category, span.start, span.end - span.start, length, len(replacement)))
        length += len(replacement)
        position = span.end
    pieces.append(text[position:])
    return Redaction(text="".join(pieces), log=tuple(log))


def segments(source: str, log: Iterable[RedactionEntry]) -> Iterator[tuple[str, Category | None]]:
    """The source text in pieces, each with the category it was removed as (``None``: kept).

    A review page shows the source with the removed pieces highlighted; nothing removed is stored.
    """
    position = 0
    for entry in sorted(log, key=lambda e: e.start):
        if entry.start > position:
            yield source[position : entry.start], None
        yield source[entry.start : entry.end], entry.category
        position = entry.end
    if position < len(source):
        yield source[position:], None
