"""The redactor: takes personal details out of a case summary before it is published.

Two sources of what to remove:

* the case's own records (:func:`known_terms_for_case`): names, emails, phones, street addresses
  and vehicle plates of parties, interviewees, person subpoena recipients and subject officers;
* pattern rules that catch such details even when no record holds them (emails, US phone
  numbers, street addresses, dates of birth, licence plates, Social Security numbers, driver's
  licence numbers, age/race/sex descriptors such as "21/B/F", and names written after a rank or a
  courtesy title or as initials before such a descriptor).

Every removed span becomes one bracketed placeholder per category (``[name removed]``); an
officer whose name the disclosure policy keeps private becomes "Officer A", "Officer B", ...
(the same letter for the same officer throughout one text); a name only the pattern rules find
is a placeholder, since nothing tells which officer it is. The log records where each removed
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
    DESCRIPTION = "description"


PLACEHOLDERS = {
    Category.NAME: _("[name removed]"),
    Category.EMAIL: _("[email removed]"),
    Category.PHONE: _("[phone number removed]"),
    Category.ADDRESS: _("[address removed]"),
    Category.PLATE: _("[license plate removed]"),
    Category.DATE_OF_BIRTH: _("[date of birth removed]"),
    Category.SSN: _("[Social Security number removed]"),
    Category.DRIVERS_LICENSE: _("[driver's license number removed]"),
    Category.DESCRIPTION: _("[age, race and sex removed]"),
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
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Sr|Sra|Srta|Don|Doña|Officers?|Ofcs?|Off|P[./]?Os?|Sgts?|Sergeants?|Dets?|"
    r"Detectives?|Lts?|Lieutenants?|Cpls?|Corporals?|Capts?|Captains?|Cpt|Deputy|Deputies|Troopers?|Agents?|"
    r"Inspectors?|Insp|Cmdr|Commander|Chief|Agentes?|Oficial|Oficiales|Sargentos?|Tenientes?"
)
TITLE_BEFORE_RE = re.compile(rf"(?<![^\W\d_])(?:Police\s+)?(?:{TITLE_WORDS})\.?\s+$", re.IGNORECASE)
LEADING_TITLE_RE = re.compile(rf"^(?:(?:{TITLE_WORDS})\.?\s+)+", re.IGNORECASE)
TITLE_AT_RE = re.compile(rf"(?:Police\s+)?(?:{TITLE_WORDS})\.?\s", re.IGNORECASE)

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

# Initials: two or three capital letters, run together ("BH", "BHM") or each with a full stop ("B.H.",
# "B.H", "B. H."; spaced, the last stop too, or "Officer B. I went" would hold "B. I"). Not part of a
# longer word or of a longer dotted abbreviation ("U.S.A.").
INITIALS = r"[A-Z](?:\.[A-Z]){1,2}\.?|[A-Z](?:\.[ ][A-Z]){1,2}\.|[A-Z]{2,3}"
INITIALS_VALUE_RE = re.compile(INITIALS)
INITIALS_BEFORE = r"(?<![^\W_])(?<![^\W_]\.)"
INITIALS_AFTER = r"(?![^\W_])(?!\.[A-Z0-9](?![a-z]))"
# After a title only the unspaced forms: "Officer M. S." is a letter and the next sentence's start.
INITIALS_AT = re.compile(rf"(?:[A-Z](?:\.[A-Z]){{1,2}}\.?|[A-Z]{{2,3}}){INITIALS_AFTER}")

# The age/race/sex descriptor of the Philadelphia style: "21/B/F", "21 / B / F", "29/unk/M", "42/AI/F".
DESCRIPTION = (
    r"(?<![\w/])\d{1,3}[ \t]{0,2}/[ \t]{0,2}[A-Za-z]{1,3}[ \t]{0,2}/[ \t]{0,2}"
    r"(?:[A-Z](?![A-Z0-9/])|[a-z](?![A-Za-z0-9/]))"
)
DESCRIPTION_RE = re.compile(DESCRIPTION)
# Shorter forms, taken only right after initials or a name the rules find: "43/M", "68 B/F", "19B/M", "B/F".
SHORT_DESCRIPTION_RE = re.compile(r"(?<![\w/])(?:\d{1,3}[ \t]?[A-Z]{1,2}|[A-Z]{1,2}|\d{1,3})[ \t]?/[ \t]?[MF](?![\w/])")
# Initials right before a descriptor: "The complainant, BH, 21/B/F", "JM, Jr., 18/B/M", "B.H. 21/B/F".
INITIALS_BEFORE_DESCRIPTION_RE = re.compile(
    rf"{INITIALS_BEFORE}(?P<initials>(?:{INITIALS})(?:-[A-Z]\.?)?)(?![^\W_])"
    rf"(?:,?[ \t]*[JS]r\.?)?,?[ \t]{{0,3}}(?P<description>{DESCRIPTION}|{SHORT_DESCRIPTION_RE.pattern})"
)
# Where a descriptor may follow a name in a list: "The complainants, MS, 50/B/F and TS, state".
DESCRIPTION_AFTER_RE = re.compile(rf",?[ \t]{{0,3}}(?P<description>{DESCRIPTION}|{SHORT_DESCRIPTION_RE.pattern})")

# Ranks written before an officer's name, and courtesy titles written before anyone's. A rank is
# matched whatever its capitals; "PO" only in capitals; the courtesy titles as usually written.
POLICE_TITLE_RE = re.compile(
    r"(?<![^\W_])(?P<title>"
    r"(?i:officers?|ofcs?\.?|detectives?|dets?\.?|sergeants?|sgts?\.?|lieutenants?|lts?\.?|corporals?|cpls?\.?"
    r"|captains?|capts?\.?|cpt\.?|inspectors?|insp\.?|troopers?|deput(?:y|ies)|agents?|chief|commanders?"
    r"|supervisors?"
    r"|agentes?|oficial(?:es)?|sargentos?|tenientes?|capit[aá]n(?:es)?|inspector(?:es)?)"
    r"|P/Os?|P\.[ ]?O\.|POs?"
    r"|Mrs?\.?|Ms\.?|Miss|Mx\.?|Dr\.?|Sra?\.|Srta\.?"
    r")(?P<gap>[ \t]+|[ \t]*\r?\n[ \t]*)"
)
COURTESY_TITLES = _words("mr mrs ms miss mx dr sr sra srta")
# People a narrative names by a role and initials: "The complainant, JM, states", "her son, JB,",
# "Civilian TD" (a civilian employee). Only initials are taken after these.
ROLE_RE = re.compile(
    r"(?<![^\W_])(?P<title>(?i:complainants?|sons?|daughters?|wife|wives|husbands?|mothers?|fathers?|parents?"
    r"|brothers?|sisters?|cousins?|nephews?|nieces?|aunts?|uncles?|grand(?:son|daughter|mother|father)s?"
    r"|step(?:son|daughter)s?|children|child|spouses?|fianc[eé]e?s?|boyfriends?|girlfriends?|partners?"
    r"|friends?|companions?|roommates?|neighbou?rs?|tenants?|landlords?|clients?|witness(?:es)?|victims?"
    r"|juveniles?|drivers?|passengers?|employees?|co-?workers?|civilians?|guards?|dispatchers?|investigators?"
    r"|behalf[ \t]+of))"
    r"(?P<gap>,[ \t]*|[ \t]+)"
)
UPPER = "A-ZÁÉÍÓÚÑÜÀÈÌÒÙÇ"
LOWER = "a-záéíóúñüàèìòùçäëïöâêîôû"
# A capitalised surname: "Dempsey", "McDonald", "O'Brien", "Smith-Jones", "Núñez".
SURNAME = rf"(?:[A-Z]['’])?[{UPPER}][{LOWER}]+(?:[{UPPER}][{LOWER}]+)?(?:-[{UPPER}][{LOWER}]+)?(?![^\W_])"
NAME_WORD_AT = re.compile(rf"(?:(?P<initial>[A-Z])\.[ ]?)?(?P<surname>{SURNAME})")
WORD_GAP_RE = re.compile(r"[ \t]+|[ \t]*\r?\n[ \t]*")
LIST_JOINER_RE = re.compile(r"[ \t]*,[ \t]*(?:(?i:and|&)[ \t]+)?|[ \t]+(?i:and|y)[ \t]+|[ \t]*&[ \t]*")
TIME_BEFORE_RE = re.compile(r"\d[ \t]?$")
# Words that make the capitalised words before them a unit's or a place's name, not a person's:
# "Officers DL and CH, Center City District", "Detective MW, Northeast Detective Division".
UNIT_WORDS = _words(
    """
    police detective detectives division district unit units squad bureau department dept headquarters
    station precinct affairs task force team patrol narcotics highway traffic academy court office
    """
)
# Capitalised words that follow a rank or title without being a name ("Detective Division",
# "Officer Involved", "P.O. Box"), the ranks themselves, and words that start the next clause.
NOT_NAMES = UNIT_WORDS | _words(
    """
    officer officers sergeant sergeants lieutenant lieutenants corporal corporals captain captains
    inspector inspectors commissioner commissioners deputy chief commander commanders supervisor
    supervisors trooper agent agents sheriff marshal major colonel general internal training box
    sgt sgts det dets lt lts cpl cpls capt capts cpt insp ofc ofcs
    involved safety friendly unknown unidentified other another both two three several
    center city central north south east west northeast northwest southeast southwest
    according since however although because upon during later once prior shortly subsequently
    additionally furthermore meanwhile eventually finally now
    the a an and or but nor if when while as at in on of to for with from by after before then also
    that this these those there here he she they we you it i his her hers their them him who whom
    which what where why how was were is are be been had has have did does do said says stated states
    told asked yes no not all any each every some please sir ma'am mr mrs ms miss dr jr sr
    monday tuesday wednesday thursday friday saturday sunday
    el la los las de del y que en con por para su sus un una
    """
)
# Acronyms the record-free rules leave alone where an acronym is likely: a later mention of letters
# found once ("ER" for an emergency room), and after a role without a comma ("the passenger SUV").
# Right after a rank only "ID" is one ("Officer ID number"). A record's own value always goes.
ACRONYMS = _words(
    """
    PPD IAD IAB DA ADA CCTV ID TV USA US PA NJ ER EMS EMT SWAT DUI DWI DHS FBI ATF DEA ICE IRS ATM CAP PFA
    SUV ATV GPS VIN SVU FOP RPC PDU PCD CPR DNA DMV BMV OK ECW EPW OLC ASP MDT BWC APB CIU SEPTA PECO
    CFCF USPS UPS JFK
    """
)
RANK_ACRONYMS = frozenset({"ID"})

# When two spans overlap, the longer wins; on equal length, the earlier category here.
PRIORITY = [
    Category.EMAIL,
    Category.SSN,
    Category.DATE_OF_BIRTH,
    Category.DRIVERS_LICENSE,
    Category.PHONE,
    Category.PLATE,
    Category.ADDRESS,
    Category.DESCRIPTION,
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
    if full and not (first or last) and _initials_letters(_strip_titles(full)):
        # "KF", "B. H.": one person's initials, kept whole rather than split into given name and surname.
        last = _strip_titles(full)
    elif full and not (first or last):
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


def _initials_letters(value: str) -> str:
    """``"BH"`` for a value that is only initials (``"BH"``, ``"B.H."``, ``"B. H."``), else ``""``."""
    value = value.strip()
    if not INITIALS_VALUE_RE.fullmatch(value):
        return ""
    return re.sub(r"[^A-Z]", "", value)


def _initials_pattern(letters: str) -> str:
    """The ways ``letters`` may be written as initials: ``BH``, ``B.H.``, ``B.H``, ``B. H.``."""
    return "|".join([letters, r"\.".join(letters) + r"\.?", r"\.[ ]".join(letters) + r"\."])


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
    # Record values that are initials ("BH", "B. H."), matched in capitals only.
    initials_re: re.Pattern | None = None
    # Tokens the records hold only as initials: written with small letters they are an ordinary
    # short name part ("Wu" for a record "WU"), and all in small letters they are never a name.
    capitals_only: frozenset[str] = frozenset()
    # Folded name parts of officers kept public: the pattern rules leave them as written.
    public_words: frozenset[str] = frozenset()


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
    public_words = {word for name in public if ":" not in name for word in _folded_words([name])}
    tokens: dict[str, list[tuple[int, str]]] = {}
    written: dict[str, str] = {}
    strong: set[str] = set()
    initials: set[str] = set()
    initials_of: dict[str, str] = {}  # letters -> how they are matched
    as_initials: set[str] = set()
    as_words: set[str] = set()
    for key, slot in names.items():
        officer = key in officer_keys
        full_names = slot["full"] + ([f"{g} {s}" for g in slot["given"] for s in slot["surname"]])
        if officer and (
            key in public or any(" ".join(_fold(w) for w in full.split()) in public_folded for full in full_names)
        ):
            public_words |= _folded_words(slot["given"] + slot["surname"] + slot["full"])
            continue
        index = person_index.setdefault(key, len(persons))
        if index == len(persons):
            persons.append(_Person(key, officer))
        given: list[str] = []
        surname: list[str] = []
        for role, values in (("given", slot["given"]), ("surname", slot["surname"]), ("full", slot["full"])):
            for value in values:
                letters = _initials_letters(_strip_titles(value) if role == "full" else value)
                if letters:
                    # Initials: one token, found in capitals by initials_re; a record "BH" also
                    # stands for a short surname written "Bh" (a legacy record in capitals).
                    folded = letters.casefold()
                    entry = (index, "given" if role == "given" else "surname")
                    if entry not in tokens.setdefault(folded, []):
                        tokens[folded].append(entry)
                    written.setdefault(folded, letters)
                    initials_of[letters] = _initials_pattern(letters)
                    as_initials.add(folded)
                    initials.add(letters[0])
                elif role == "full":
                    words = [w for w in _strip_titles(value).split() if w.casefold().strip(".,") not in NAME_SUFFIXES]
                    given += _split_parts(" ".join(words[:-1]))
                    surname += _split_parts(" ".join(words[-1:]))
                else:
                    (given if role == "given" else surname).extend(_split_parts(value))
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
                as_words.add(folded)
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
    initials_re = None
    if initials_of:
        body = "|".join(initials_of[letters] for letters in sorted(initials_of, key=len, reverse=True))
        initials_re = re.compile(rf"{INITIALS_BEFORE}(?:{body}){INITIALS_AFTER}")
    return _Compiled(
        name_re,
        tokens,
        frozenset(strong),
        frozenset(initials),
        persons,
        structured,
        initials_re=initials_re,
        capitals_only=frozenset(as_initials - as_words),
        public_words=frozenset(public_words),
    )


def _folded_words(values: Iterable[str]) -> set[str]:
    """The folded name parts in ``values``, and the letters of any that are initials."""
    words = set()
    for value in values:
        stripped = _strip_titles(value)
        letters = _initials_letters(stripped)
        if letters:
            words.add(letters.casefold())
        for word in stripped.split():
            words |= {_fold(piece) for piece in [word, *word.split("-")] if len(_fold(piece)) > 1}
    return words


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
    # 0 for a name only the record-free name rules found: it gives way to anything else it overlaps.
    rank: int = 1


def redact(
    text: str,
    *,
    terms: Iterable[Term] = (),
    officer_names_public: set[str] | None = None,
    officer_names_hidden: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> Redaction:
    """Remove every known term and every pattern match from ``text``.

    ``terms`` come from :func:`known_terms_for_case`. Officer name terms become "Officer A",
    "Officer B", ... unless the officer is in ``officer_names_public`` (full names, compared
    without regard to case, accents or spacing, or person keys such as ``"officer:5"``), in which
    case they stay. ``officer_names_hidden`` adds officers, by full name, that the case records do
    not hold but the text may mention; they are pseudonymised too. ``keep`` lists exact phrases
    no rule removes: the checks pass the pseudonyms a redacted text already uses, so that
    "Officer AB" (a case's 28th officer) is not taken for an officer's initials.
    """
    compiled = _compile(
        tuple(dict.fromkeys(terms)), frozenset(officer_names_public or ()), tuple(dict.fromkeys(officer_names_hidden))
    )
    structured = _merge(_structured_spans(text, compiled))
    name_spans = _name_spans(text, compiled, structured)
    spans = structured + name_spans + _pattern_name_spans(text, compiled)
    kept = [
        match.span()
        for phrase in set(keep)
        if phrase
        for match in re.finditer(rf"(?<![^\W_]){re.escape(phrase)}(?![^\W_])", text)
    ]
    if kept:
        spans = [s for s in spans if not any(start <= s.start and s.end <= end for start, end in kept)]
    return _assemble(text, _retitle(text, _merge(spans)))


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
    for match in DESCRIPTION_RE.finditer(text):
        spans.append(_Span(match.start(), match.end(), Category.DESCRIPTION))
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
    strong: bool = False


def _name_spans(text: str, compiled: _Compiled, structured: list[_Span]) -> list[_Span]:
    if compiled.name_re is None:
        return []
    occurrences: list[_Occurrence] = []
    # Initials the records hold, in capitals: always a name. First, so that the same span found
    # again by name_re below is the one skipped.
    if compiled.initials_re is not None:
        for match in compiled.initials_re.finditer(text):
            end = _end_before_full_stop(text, match.start(), match.end())
            token = re.sub(r"[^A-Z]", "", match.group(0)).casefold()
            occurrences.append(_Occurrence(match.start(), end, token, strong=True))
    for match in compiled.name_re.finditer(text):
        token = _fold(match.group(0))
        if token in compiled.capitals_only and not _capitalised(match.group(0)):
            continue
        occurrences.append(_Occurrence(match.start(), match.end(), token, strong=token in compiled.strong))
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
            if part.strong or _weak_part_goes(text, part):
                spans.append(_person_span(text, part.start, part.end, [part], compiled))
    return spans


def _pattern_name_spans(text: str, compiled: _Compiled) -> list[_Span]:
    """Names no record needs to hold: after a rank or courtesy title ("Officers KF and TD", "Sgt. RW",
    "Officer Dempsey", "Ms. JR"), initials right before an age/race/sex descriptor ("BH, 21/B/F"), and
    every later mention, in the same text, of initials or a surname found so ("BH states..."). Each
    is a name (``[name removed]``): with no record, nothing tells which officer it is, and a letter
    could join a misspelt "FK" to the wrong officer. The title stays, and so do officers kept public
    and acronyms where an acronym is likely (ACRONYMS)."""
    spans: list[_Span] = []
    learned: set[str] = set()  # initials, as letters
    surnames: set[str] = set()  # as written

    def found(start: int, end: int, letters: str, words: list[str]) -> None:
        if letters:
            if letters.casefold() in compiled.public_words:
                return
            learned.add(letters)
        elif all(_fold(word) in compiled.public_words for word in words):
            return
        spans.append(_Span(start, end, Category.NAME, rank=0))
        for word in words:
            folded = word.casefold()
            if len(folded) >= 3 and folded not in STOPWORDS and folded not in PARTICLES:
                surnames.add(word)

    titled = [(match, True) for match in POLICE_TITLE_RE.finditer(text)]
    titled += [(match, False) for match in ROLE_RE.finditer(text)]
    for match, is_rank in titled:
        title = match.group("title").rstrip(".")
        # "Officers KF, TD and JS": a plural title may list names of either kind; a singular one
        # ("Officer RC, MS and VM", as narratives write it) only initials after the first name.
        plural = title.casefold().endswith("s") and title.casefold() not in COURTESY_TITLES
        shouting = title.isupper() and len(title) > 3
        # Right after a rank, or after a role and a comma ("The complainant, ER,"), capital letters
        # are initials; "officer ID" is the one compound. After a role and a space ("the
        # passenger SUV") an acronym is more likely.
        acronyms = RANK_ACRONYMS if is_rank or "," in match.group("gap") else ACRONYMS
        options = {"shouting": shouting, "acronyms": acronyms}
        item = _name_after(text, match.end(), initials_only=not is_rank, **options)
        while item is not None:
            found(*item)
            end = item[1]
            description = DESCRIPTION_AFTER_RE.match(text, end)
            if description:
                spans.append(_Span(*description.span("description"), Category.DESCRIPTION))
                end = description.end()
            joiner = LIST_JOINER_RE.match(text, end)
            if joiner is None:
                break
            item = _name_after(text, joiner.end(), initials_only=not (is_rank and plural), **options)

    for match in INITIALS_BEFORE_DESCRIPTION_RE.finditer(text):
        # The descriptor makes these initials a person's whatever their letters, so no acronym
        # test here; their later mentions are tested, as an acronym there may be just that. Spaced
        # after a title ("Officer A. S., 68 B/F") they are a letter and the next sentence, as above.
        start = match.start("initials")
        if " " in match.group("initials") and TITLE_BEFORE_RE.search(text, max(0, start - 40), start):
            continue
        found(start, match.end("initials"), re.sub(r"[^A-Z]", "", match.group("initials")), [])
        spans.append(_Span(match.start("description"), match.end("description"), Category.DESCRIPTION))

    learned -= ACRONYMS
    if learned:
        body = "|".join(_initials_pattern(letters) for letters in sorted(learned, key=len, reverse=True))
        for match in re.finditer(rf"{INITIALS_BEFORE}(?:{body}){INITIALS_AFTER}", text):
            letters = re.sub(r"[^A-Z]", "", match.group(0))
            if letters in {"AM", "PM"} and TIME_BEFORE_RE.search(text, max(0, match.start() - 2), match.start()):
                continue  # "at 11:30 AM": a time, even where someone's initials are AM
            end = _end_before_full_stop(text, match.start(), match.end())
            spans.append(_Span(match.start(), end, Category.NAME, rank=0))
    if surnames:
        body = "|".join(re.escape(word) for word in sorted(surnames, key=len, reverse=True))
        for match in re.finditer(rf"(?<![^\W_])(?:{body})(?![^\W_])", text):
            spans.append(_Span(match.start(), match.end(), Category.NAME, rank=0))
    return spans


def _name_after(
    text: str, position: int, *, initials_only: bool, shouting: bool, acronyms: frozenset[str]
) -> tuple[int, int, str, list[str]] | None:
    """The name written at ``position`` (just after a title), as ``(start, end, initials, surnames)``:
    initials ("KF", "K.F.") or one to three capitalised words ("Dempsey", "John Smith", "John Q.
    Smith"); None when what follows is not a name ("Detective Division", "Officer A")."""
    match = INITIALS_AT.match(text, position)
    if match:
        letters = re.sub(r"[^A-Z]", "", match.group(0))
        if letters in acronyms or (shouting and letters.casefold() in NOT_NAMES):
            return None
        return position, _end_before_full_stop(text, position, match.end()), letters, []
    if initials_only:
        return None
    words = []
    end = cursor = position
    while len(words) < 3:
        word = NAME_WORD_AT.match(text, cursor)
        if word is None or word.group("surname").casefold() in NOT_NAMES or POLICE_TITLE_RE.match(text, cursor):
            break
        if word.group("initial") and not words:
            # "Officer A. Walsh said" is a pseudonym and the next sentence as often as a name, and
            # always so in a redacted text; a middle initial ("John Q. Walsh") is taken.
            break
        words.append(word.group("surname"))
        end = word.end()
        gap = WORD_GAP_RE.match(text, end)
        if gap is None:
            break
        cursor = gap.end()
    following = NAME_WORD_AT.match(text, cursor) if words else None
    if following and following.group("surname").casefold() in UNIT_WORDS:
        return None  # "Officers LP, Center City District"
    return (position, end, "", words) if words else None


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
        strong_pair = previous.strong and occurrence.strong
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
    if any(o.strong for o in parts):
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


def _capitalised(written: str) -> bool:
    """``Wu``, not ``WU`` or ``wu``."""
    return written[0].isupper() and not written.isupper()


def _end_before_full_stop(text: str, start: int, end: int) -> int:
    """Where dotted initials end: "by B.H. The officer..." keeps its full stop, which ends the sentence."""
    dotted = "." in text[start : end - 1]
    if end - start > 1 and text[end - 1] == "." and dotted and SENTENCE_FOLLOWS_RE.match(text, end):
        return end - 1
    return end


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
    """Overlapping spans become one; it takes the category of the longest (ties: PRIORITY), except
    that a name only the record-free rules found gives way to any other span, however short."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), PRIORITY.index(s.category)))
    merged: list[_Span] = []
    winners: list[_Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            current, winner = merged[-1], winners[-1]
            if (span.rank, span.end - span.start, -PRIORITY.index(span.category)) > (
                winner.rank,
                winner.end - winner.start,
                -PRIORITY.index(winner.category),
            ):
                winners[-1] = winner = span
            current.end = max(current.end, span.end)
            current.category, current.officer, current.rank = winner.category, winner.officer, winner.rank
            continue
        merged.append(_Span(span.start, span.end, span.category, span.officer, span.rank))
        winners.append(span)
    return merged


def _retitle(text: str, spans: list[_Span]) -> list[_Span]:
    """An officer's span that a pattern name widened to the left ("Officer John Smith" where the
    records know only Smith) takes in the rank before it, as every officer's span does."""
    previous_end = 0
    for span in spans:
        if span.category == Category.OFFICER_NAME and not TITLE_AT_RE.match(text, span.start):
            title = TITLE_BEFORE_RE.search(text, max(previous_end, span.start - 40), span.start)
            if title:
                span.start = title.start()
        previous_end = span.end
    return spans


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
