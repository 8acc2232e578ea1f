"""Demo complaints: varied, realistic and deterministic, created in bulk.

Complaints and everything filed with them (timeline entries, parties, subject officers,
allegations) are generated one complaint at a time from the seeded random generator and streamed
to the database through ``oversight.bulk`` writers (COPY on PostgreSQL), so a million complaints
take minutes and memory stays flat.
"""

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from oversight.bulk import TableWriter
from oversight.demo import DemoContext, Weighted, register
from oversight.models import Demographic

from .models import (
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintStatusCount,
    Party,
    PublicTimelineEntry,
    SubjectOfficer,
    TrackingSequence,
)
from .services import format_tracking_number
from .stages import public_stage
from .status_codes import status_code_digest

DEMO_STATUS_CODE = "DEMO-CODE-2026"

S = Complaint.Status

_CHANNELS = Weighted(
    [
        ("web", 55),
        ("phone", 20),
        ("email", 10),
        ("walk_in", 8),
        ("mail", 5),
        ("referral", 2),
    ]
)
_PLACES = [
    "outside the corner store at {street} and {cross}",
    "at the bus stop on {street}",
    "in front of my home on {street}",
    "in the parking lot near {street}",
    "during a traffic stop on {street} near {cross}",
    "at the {street} subway station",
    "in the park off {cross}",
    "at the intersection of {street} and {cross}",
]
_SCENES_EN = [
    "I was stopped {place}. The officer {act} and would not tell me why I was being stopped.",
    "My son was walking home {place} when two officers {act}. He is {age} years old.",
    "I called the police about a break-in and waited hours. When an officer came, he {act}.",
    "During a protest {place}, an officer {act}. Several people saw it and recorded it on their phones.",
    "I asked the officer for his name and badge number {place}. He {act}.",
    "Officers came to my apartment {place} looking for someone who does not live here. One of them {act}.",
]
_ACTS_EN = [
    "pushed me against the car",
    "searched my bag without asking",
    "called me names and laughed",
    "grabbed my arm hard enough to leave bruises",
    "refused to take my report",
    "threatened to arrest me if I kept recording",
    "used a slur about my race",
    "pointed a taser at me",
    "took my phone and did not give it back",
    "told me to go back to my country",
    "handcuffed me too tight and ignored me when I said it hurt",
]
_SCENES_ES = [
    "Me detuvieron {place}. El agente {act} y no me explicó por qué.",
    "Mi hijo caminaba a casa {place} cuando dos agentes {act}. Tiene {age} años.",
    "Llamé a la policía por un robo y esperé horas. Cuando llegó un agente, {act}.",
    "Le pedí al agente su nombre y número de placa {place}. Él {act}.",
]
_ACTS_ES = [
    "me empujó contra el carro",
    "revisó mi bolsa sin pedir permiso",
    "me insultó y se rió",
    "me agarró del brazo y me dejó moretones",
    "se negó a tomar mi denuncia",
    "me amenazó con arrestarme si seguía grabando",
    "me dijo que regresara a mi país",
    "me quitó el teléfono y no me lo devolvió",
]
_OUTCOME_EN = [
    "I want this investigated.",
    "Nobody should be treated like this.",
    "I have a video and photos of my injuries.",
    "My neighbor saw everything and can confirm it.",
    "I filed a complaint at the district but never heard back.",
]
_OUTCOME_ES = [
    "Quiero que esto se investigue.",
    "Nadie debería ser tratado así.",
    "Tengo un video y fotos de mis heridas.",
]
_APPEARANCE = [
    "White male, about 30, short brown hair, tall",
    "Black female officer, glasses, about 40",
    "Hispanic male, heavy build, shaved head",
    "Young officer with a mustache, about 25",
    "Older male sergeant, gray hair",
]
_VEHICLES = ["Marked car #{n}", "Unmarked black SUV", "Police van #{n}", "Bicycle patrol", ""]


_REFERRAL_AGENCIES = ["State Police Internal Affairs", "County Sheriff's Office", "Metro Transit Police"]
_CLOSURE_REASONS = Weighted(
    [
        (Complaint.ClosureReason.NO_JURISDICTION, 4),
        (Complaint.ClosureReason.WITHDRAWN, 3),
        (Complaint.ClosureReason.INSUFFICIENT_INFORMATION, 3),
    ]
)
_ANONYMITY = Weighted(
    [
        (Complaint.Anonymity.NAMED, 75),
        (Complaint.Anonymity.CONFIDENTIAL, 10),
        (Complaint.Anonymity.ANONYMOUS, 15),
    ]
)
_CONTACT = Weighted([(Party.ContactMethod.EMAIL, 6), (Party.ContactMethod.PHONE, 3), (Party.ContactMethod.MAIL, 1)])
_SUBJECTS_PER_COMPLAINT = Weighted([(1, 60), (2, 30), (3, 10)])
_ALLEGATIONS_PER_SUBJECT = Weighted([(1, 65), (2, 30), (3, 5)])
_STATUS_NEW = Weighted([(S.RECEIVED, 6), (S.IN_TRIAGE, 4)])
_STATUS_WEEKS = Weighted(
    [
        (S.IN_TRIAGE, 3),
        (S.UNDER_INVESTIGATION, 8),
        (S.IN_MEDIATION, 1),
        (S.REFERRED, 1),
        (S.ADMINISTRATIVELY_CLOSED, 1),
    ]
)
_STATUS_MONTHS = Weighted(
    [
        (S.UNDER_INVESTIGATION, 10),
        (S.FINDINGS_PROPOSED, 3),
        (S.BOARD_REVIEW, 2),
        (S.DECIDED, 1),
        (S.MEDIATED, 1),
        (S.REFERRED, 1),
        (S.ADMINISTRATIVELY_CLOSED, 2),
    ]
)
_STATUS_YEARS = Weighted(
    [
        (S.CLOSED, 12),
        (S.DECIDED, 1),
        (S.MEDIATED, 1),
        (S.REFERRED, 1),
        (S.ADMINISTRATIVELY_CLOSED, 3),
        (S.UNDER_INVESTIGATION, 1),
    ]
)
_RACES = [str(value) for value in Demographic.Race.values]
_GENDERS = [str(value) for value in Demographic.Gender.values]
_AGES = [str(value) for value in Demographic.AgeRange.values]
_WITNESS_EN = "Neighbor who saw it from the window"
_WITNESS_ES = "Vecina que lo vio por la ventana"
_STAGES = {status: str(public_stage(status)) for status in S.values}

# Column order of the rows the writers below are given.
COMPLAINT_FIELDS = [
    "id",
    "tracking_number",
    "channel",
    "received_at",
    "incident_date",
    "incident_date_precision",
    "incident_time",
    "incident_time_precision",
    "location_text",
    "district_id",
    "agency_id",
    "narrative",
    "language",
    "anonymity",
    "status",
    "status_changed_at",
    "referred_to",
    "closure_reason",
    "status_code_hash",
]
TIMELINE_FIELDS = ["complaint_id", "stage", "occurred_at"]
PARTY_FIELDS = [
    "complaint_id",
    "role",
    "first_name",
    "last_name",
    "description",
    "email",
    "phone",
    "address",
    "preferred_contact",
    "preferred_language",
    "race_ethnicity",
    "gender",
    "age_range",
]
SUBJECT_FIELDS = ["id", "complaint_id", "officer_id", "badge_as_given", "appearance", "vehicle"]
ALLEGATION_FIELDS = ["complaint_id", "subject_officer_id", "category_id"]


# Complaints older than this are all finished: no office still investigates a case filed years ago.
_ARCHIVE_AGE_DAYS = 2 * 365
_STATUS_ARCHIVE = Weighted(
    [
        (S.CLOSED, 12),
        (S.DECIDED, 1),
        (S.MEDIATED, 1),
        (S.REFERRED, 1),
        (S.ADMINISTRATIVELY_CLOSED, 3),
    ]
)


def _status_for(ctx: DemoContext, age_days: int) -> str:
    if age_days < 7:
        return _STATUS_NEW(ctx.rng)
    if age_days < 60:
        return _STATUS_WEEKS(ctx.rng)
    if age_days < 365:
        return _STATUS_MONTHS(ctx.rng)
    if age_days < _ARCHIVE_AGE_DAYS:
        return _STATUS_YEARS(ctx.rng)
    return _STATUS_ARCHIVE(ctx.rng)


class _Pools:
    """Names and places drawn once from Faker: calling Faker per row would be too slow for 1M rows."""

    def __init__(self, ctx: DemoContext) -> None:
        f, fe = ctx.faker, ctx.faker_es
        self.first = [f.first_name() for _ in range(400)]
        self.last = [f.last_name() for _ in range(600)]
        self.first_es = [fe.first_name() for _ in range(200)]
        self.last_es = [fe.last_name() for _ in range(300)]
        self.streets = [f.street_name() for _ in range(300)]
        self.addresses = [f.street_address() for _ in range(800)]


def _narrative(ctx: DemoContext, pools: _Pools, spanish: bool) -> tuple[str, str]:
    rng = ctx.rng
    place = rng.choice(_PLACES).format(street=rng.choice(pools.streets), cross=rng.choice(pools.streets))
    if spanish:
        text = rng.choice(_SCENES_ES).format(place=place, act=rng.choice(_ACTS_ES), age=rng.randint(14, 19))
        return f"{text} {rng.choice(_OUTCOME_ES)}", place
    text = rng.choice(_SCENES_EN).format(place=place, act=rng.choice(_ACTS_EN), age=rng.randint(14, 19))
    return f"{text} {rng.choice(_OUTCOME_EN)}", place


def _person(ctx: DemoContext, pools: _Pools, complaint_id: int, role: str, spanish: bool) -> tuple:
    """One party as a row of ``PARTY_FIELDS``."""
    rng = ctx.rng
    first = rng.choice(pools.first_es if spanish else pools.first)
    last = rng.choice(pools.last_es if spanish else pools.last)
    contact = _CONTACT(rng)
    return (
        complaint_id,
        role,
        first,
        last,
        "",
        f"{first}.{last}{rng.randint(1, 999)}@example.com".lower().replace(" ", ""),
        f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        rng.choice(pools.addresses),
        contact,
        "es" if spanish else "en",
        rng.choice(_RACES),
        rng.choice(_GENDERS),
        rng.choice(_AGES),
    )


def _unnamed_witness(complaint_id: int, spanish: bool, demographics: tuple) -> tuple:
    """A witness known only by a description, as a row of ``PARTY_FIELDS``."""
    return (
        complaint_id,
        Party.Role.WITNESS,
        "",
        "",
        _WITNESS_ES if spanish else _WITNESS_EN,
        "",
        "",
        "",
        Party.ContactMethod.NONE,
        "es" if spanish else "en",
        *demographics,
    )


def _distinct(rng: random.Random, values: list[int], k: int) -> list[int]:
    """``k`` different values drawn at random (``rng.sample`` costs several times as much when ``k``
    is tiny next to ``values``, as allegation categories are)."""
    if not values:
        return []
    picked = [rng.choice(values)]
    while len(picked) < min(k, len(values)):
        value = rng.choice(values)
        if value not in picked:
            picked.append(value)
    return picked


# A large city's office: about 33,000 complaints a year (the demo's 100,000 over three years). A
# bigger demo is a longer history at that pace, not a busier year, so the open work (the intake
# backlog, open investigations, the board's docket) stays what one office carries, at 100,000
# complaints or at a million (thirty years).
COMPLAINTS_PER_DAY = 100_000 / (3 * 365)


def history_days(complaints: int) -> float:
    """How many days back the demo's complaints reach: three years, or longer at the same pace."""
    return max(3 * 365, complaints / COMPLAINTS_PER_DAY)


def _received_times(ctx: DemoContext) -> list[float]:
    """How long before the demo's "today" each complaint came in, in days, largest first: sorted,
    so complaints are generated in order of receipt and tracking numbers rise with the date. Spread
    evenly over the history: the same pace whatever its length."""
    rng = ctx.rng
    horizon = history_days(ctx.complaints)
    return sorted(
        (rng.random() * horizon + rng.randint(0, 600) / 1440 for _ in range(ctx.complaints)),
        reverse=True,
    )


class _TrackingNumbers:
    """Each year's tracking numbers, continuing its sequence. Every year's sequence row is locked
    (``select_for_update``, inside the seeding transaction, so no one else takes a number meanwhile)
    before the first number is given, and saved at the end: no query runs while the complaints are
    generated."""

    def __init__(self, years: set[int]) -> None:
        prefix = self.prefix = settings.TRACKING_NUMBER_PREFIX
        self.sequences = {
            year: TrackingSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)[0]
            for year in sorted(years)
        }

    def next(self, year: int) -> str:
        sequence = self.sequences[year]
        sequence.last_number += 1
        return format_tracking_number(self.prefix, year, sequence.last_number)

    def save(self) -> None:
        for sequence in self.sequences.values():
            sequence.save(update_fields=["last_number"])


def recount_statuses() -> None:
    """Set the status counts to a fresh ``GROUP BY`` of the complaints.

    The counts are kept by triggers on the complaints table, which the bulk load may skip on
    PostgreSQL. Counting once here, in the seeding transaction, leaves them exact: the same numbers
    the triggers would have reached.
    """
    ComplaintStatusCount.objects.all().delete()
    with connection.cursor() as cursor:
        # Only model table names are interpolated, never input.
        cursor.execute(
            f"INSERT INTO {ComplaintStatusCount._meta.db_table} (status, total) "  # noqa: S608  # nosec B608
            f"SELECT status, COUNT(*) FROM {Complaint._meta.db_table} GROUP BY status"
        )


@register("complaints")
def seed_complaints(ctx: DemoContext) -> None:
    if ctx.complaints == 0:
        return
    pools = _Pools(ctx)
    rng = ctx.rng
    # One code for every demo complaint, so anyone trying the demo can use the status lookup.
    code_hash = ctx.shared["demo_code_hash"] = status_code_digest(DEMO_STATUS_CODE)
    ctx.log(f"  status code for any demo complaint: {DEMO_STATUS_CODE}")
    ctx.after_load(recount_statuses)
    leaves = list(
        AllegationCategory.objects.filter(parent__isnull=False, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    district_ids = [district.pk for district in ctx.shared["districts"]]
    agency_id = ctx.shared["agency"].pk
    officer_ids = ctx.shared["officer_ids"]
    tz = timezone.get_current_timezone()
    anchor = datetime.combine(ctx.as_of, time(23, 0), tzinfo=tz)
    as_of: date = ctx.as_of
    offsets = _received_times(ctx)
    # Wall-clock arithmetic in the local zone: a complaint's date and year are the local ones.
    numbers = _TrackingNumbers({(anchor - timedelta(days=offset)).year for offset in offsets})
    with (
        TableWriter(Complaint, COMPLAINT_FIELDS) as complaints,
        TableWriter(PublicTimelineEntry, TIMELINE_FIELDS) as timeline,
        TableWriter(Party, PARTY_FIELDS) as parties,
        TableWriter(SubjectOfficer, SUBJECT_FIELDS) as subjects,
        TableWriter(Allegation, ALLEGATION_FIELDS) as allegations,
    ):
        for offset in offsets:
            when = anchor - timedelta(days=offset)
            complaint_id = complaints.next_id()
            spanish = rng.random() < 0.18
            narrative, place = _narrative(ctx, pools, spanish)
            age_days = (as_of - when.date()).days
            status = _status_for(ctx, age_days)
            incident = when - timedelta(days=rng.randint(0, 45))
            exact_time = rng.random() < 0.6
            date_precision = Complaint.Precision.EXACT if rng.random() < 0.8 else Complaint.Precision.APPROXIMATE
            incident_time = time(rng.randint(0, 23), rng.choice([0, 15, 30, 45])) if exact_time else None
            district_id = rng.choice(district_ids) if rng.random() < 0.85 else None
            channel = _CHANNELS(rng)
            anonymity = _ANONYMITY(rng)
            changed_at = when + timedelta(days=min(age_days, rng.randint(0, 120)))
            complaints.add(
                (
                    complaint_id,
                    numbers.next(when.year),
                    channel,
                    when,
                    incident.date(),
                    date_precision,
                    incident_time,
                    Complaint.Precision.EXACT if exact_time else Complaint.Precision.UNKNOWN,
                    place,
                    district_id,
                    agency_id,
                    narrative,
                    "es" if spanish else "en",
                    anonymity,
                    status,
                    changed_at,
                    # Every status carries what it needs (``manage.py workflow_check`` holds demo
                    # data to it).
                    rng.choice(_REFERRAL_AGENCIES) if status == S.REFERRED else "",
                    _CLOSURE_REASONS(rng) if status == S.ADMINISTRATIVELY_CLOSED else "",
                    code_hash,
                )
            )
            if status != S.RECEIVED:
                timeline.add((complaint_id, _STAGES[status], changed_at))
            if anonymity != Complaint.Anonymity.ANONYMOUS:
                if rng.random() < 0.1:
                    parties.add(_person(ctx, pools, complaint_id, Party.Role.THIRD_PARTY, spanish))
                    parties.add(_person(ctx, pools, complaint_id, Party.Role.VICTIM, spanish))
                else:
                    parties.add(_person(ctx, pools, complaint_id, Party.Role.COMPLAINANT, spanish))
            if rng.random() < 0.25:
                witness = _person(ctx, pools, complaint_id, Party.Role.WITNESS, spanish)
                if rng.random() < 0.4:
                    witness = _unnamed_witness(complaint_id, spanish, witness[-3:])
                parties.add(witness)
            for _ in range(_SUBJECTS_PER_COMPLAINT(rng)):
                subject_id = subjects.next_id()
                if rng.random() < 0.6:
                    subjects.add((subject_id, complaint_id, rng.choice(officer_ids), "", "", ""))
                else:
                    subjects.add(
                        (
                            subject_id,
                            complaint_id,
                            None,
                            str(rng.randint(1000, 9999)) if rng.random() < 0.3 else "",
                            rng.choice(_APPEARANCE),
                            rng.choice(_VEHICLES).format(n=rng.randint(100, 999)),
                        )
                    )
                for category in _distinct(rng, leaves, _ALLEGATIONS_PER_SUBJECT(rng)):
                    categorized = status != S.RECEIVED or rng.random() < 0.5
                    allegations.add((complaint_id, subject_id, category if categorized else None))
        numbers.save()
    ctx.count("complaints", complaints.count)
    ctx.count("parties", parties.count)
    ctx.count("subject officers", subjects.count)
    ctx.count("allegations", allegations.count)


# --- Police employees' reports (whistleblower channel) ---------------------------------------------

# What a police employee told the demo's oversight body (docs/whistleblower.md): a named civilian
# employee who fears retaliation. The name is invented.
_EMPLOYEE_REPORT = {
    "narrative": (
        "I work as a dispatcher. On the night of the arrest on Alder Street I heard a sergeant tell two "
        "officers over the radio to switch off their body cameras before they went into the building. "
        "Afterwards the incident report said the cameras had a technical fault. I kept a copy of the "
        "dispatch log from that night."
    ),
    "retaliation_detail": (
        "After I asked a supervisor about the cameras, my shifts were moved to nights and I was told "
        "that people who talk do not last long here."
    ),
    "unit": "Communications Unit, night shift",
    "person": ("Ondine", "Vasquez-Thorne", "ondine.vt.home@example.net", "555-310-7742"),
}


@register("police employee report")
def seed_employee_report(ctx: DemoContext) -> None:
    """One complaint waiting in triage (or, in a small demo with none, the newest under
    investigation) becomes a police employee's report filed on the web: named, kept confidential,
    with a retaliation concern. The intake coordinator reads it with the employee's identity
    withheld; the supervisor sees who reported."""
    waiting = Complaint.objects.filter(status__in=[S.IN_TRIAGE, S.RECEIVED]).order_by(
        "status",
        "-received_at",
        "-id",  # in triage before received
    )
    complaint = (
        waiting.first()
        or Complaint.objects.filter(status=S.UNDER_INVESTIGATION).order_by("-received_at", "-id").first()
    )
    if complaint is None:
        return
    report = _EMPLOYEE_REPORT
    Complaint.objects.filter(pk=complaint.pk).update(
        channel=Complaint.Channel.WEB,
        narrative=report["narrative"],
        language="en",
        anonymity=Complaint.Anonymity.CONFIDENTIAL,
        employee_relationship=Complaint.EmployeeRelationship.CIVILIAN,
        employee_unit=report["unit"],
        retaliation_concern=True,
        retaliation_detail=report["retaliation_detail"],
    )
    complaint.parties.exclude(role=Party.Role.WITNESS).delete()
    first, last, email, phone = report["person"]
    Party.objects.bulk_create(
        [
            Party(
                complaint=complaint,
                role=Party.Role.EMPLOYEE,
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                preferred_contact=Party.ContactMethod.PHONE,
                preferred_language="en",
            )
        ]
    )
    ctx.log(f"  police employee's report: {complaint.tracking_number}")
