"""Demo complaints: varied, realistic and deterministic, created in bulk."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oversight.demo import DemoContext, register
from oversight.models import Demographic

from .models import (
    Allegation,
    AllegationCategory,
    Complaint,
    Party,
    PublicTimelineEntry,
    SubjectOfficer,
    TrackingSequence,
)
from .services import format_tracking_number
from .stages import public_stage
from .status_codes import status_code_digest

DEMO_STATUS_CODE = "DEMO-CODE-2026"

CHUNK = 5000
S = Complaint.Status

_CHANNELS = [
    ("web", 55),
    ("phone", 20),
    ("email", 10),
    ("walk_in", 8),
    ("mail", 5),
    ("referral", 2),
]
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
_CLOSURE_REASONS = [
    (Complaint.ClosureReason.NO_JURISDICTION, 4),
    (Complaint.ClosureReason.WITHDRAWN, 3),
    (Complaint.ClosureReason.INSUFFICIENT_INFORMATION, 3),
]


def _weighted(rng, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def _status_for(ctx: DemoContext, age_days: int) -> str:
    rng = ctx.rng
    if age_days < 7:
        return _weighted(rng, [(S.RECEIVED, 6), (S.IN_TRIAGE, 4)])
    if age_days < 60:
        return _weighted(
            rng,
            [
                (S.IN_TRIAGE, 3),
                (S.UNDER_INVESTIGATION, 8),
                (S.IN_MEDIATION, 1),
                (S.REFERRED, 1),
                (S.ADMINISTRATIVELY_CLOSED, 1),
            ],
        )
    if age_days < 365:
        return _weighted(
            rng,
            [
                (S.UNDER_INVESTIGATION, 10),
                (S.FINDINGS_PROPOSED, 3),
                (S.BOARD_REVIEW, 2),
                (S.DECIDED, 1),
                (S.MEDIATED, 1),
                (S.REFERRED, 1),
                (S.ADMINISTRATIVELY_CLOSED, 2),
            ],
        )
    return _weighted(
        rng,
        [
            (S.CLOSED, 12),
            (S.DECIDED, 1),
            (S.MEDIATED, 1),
            (S.REFERRED, 1),
            (S.ADMINISTRATIVELY_CLOSED, 3),
            (S.UNDER_INVESTIGATION, 1),
        ],
    )


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


def _demographics(rng) -> dict[str, str]:
    return {
        "race_ethnicity": rng.choice(Demographic.Race.values),
        "gender": rng.choice(Demographic.Gender.values),
        "age_range": rng.choice(Demographic.AgeRange.values),
    }


def _person(ctx: DemoContext, pools: _Pools, complaint: Complaint, role: str, spanish: bool) -> Party:
    rng = ctx.rng
    first = rng.choice(pools.first_es if spanish else pools.first)
    last = rng.choice(pools.last_es if spanish else pools.last)
    contact = _weighted(rng, [("email", 6), ("phone", 3), ("mail", 1)])
    return Party(
        complaint=complaint,
        role=role,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}{rng.randint(1, 999)}@example.com".lower().replace(" ", ""),
        phone=f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        address=rng.choice(pools.addresses),
        preferred_contact=contact,
        preferred_language="es" if spanish else "en",
        **_demographics(rng),
    )


@register("complaints")
def seed_complaints(ctx: DemoContext) -> None:
    if ctx.complaints == 0:
        return
    pools = _Pools(ctx)
    rng = ctx.rng
    # One code for every demo complaint, so anyone trying the demo can use the status lookup.
    ctx.shared["demo_code_hash"] = status_code_digest(DEMO_STATUS_CODE)
    ctx.log(f"  status code for any demo complaint: {DEMO_STATUS_CODE}")
    leaves = list(AllegationCategory.objects.filter(parent__isnull=False, is_active=True).values_list("pk", flat=True))
    districts = ctx.shared["districts"]
    agency = ctx.shared["agency"]
    officer_ids = ctx.shared["officer_ids"]
    tz = timezone.get_current_timezone()
    horizon = 3 * 365
    # Received times first, sorted, so tracking numbers rise with the date within each year.
    offsets = sorted((rng.random() ** 0.8 * horizon for _ in range(ctx.complaints)), reverse=True)
    anchor = datetime.combine(ctx.as_of, time(23, 0), tzinfo=tz)
    received = [anchor - timedelta(days=o, minutes=rng.randint(0, 600)) for o in offsets]
    numbers = _tracking_numbers(received)
    for start in range(0, ctx.complaints, CHUNK):
        _create_chunk(
            ctx,
            pools,
            received[start : start + CHUNK],
            numbers[start : start + CHUNK],
            leaves,
            districts,
            agency,
            officer_ids,
        )


def _tracking_numbers(received: list[datetime]) -> list[str]:
    prefix = settings.TRACKING_NUMBER_PREFIX
    per_year: dict[int, int] = defaultdict(int)
    years = [timezone.localtime(r).year for r in received]
    for year in years:
        per_year[year] += 1
    start: dict[int, int] = {}
    with transaction.atomic():
        for year, count in per_year.items():
            sequence, _ = TrackingSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
            start[year] = sequence.last_number
            sequence.last_number += count
            sequence.save(update_fields=["last_number"])
    numbers = []
    for year in years:
        start[year] += 1
        numbers.append(format_tracking_number(prefix, year, start[year]))
    return numbers


def _create_chunk(ctx, pools, received, numbers, leaves, districts, agency, officer_ids) -> None:
    rng = ctx.rng
    complaints: list[Complaint] = []
    for when, number in zip(received, numbers, strict=True):
        spanish = rng.random() < 0.18
        narrative, place = _narrative(ctx, pools, spanish)
        age_days = (ctx.as_of - when.date()).days
        status = _status_for(ctx, age_days)
        incident = when - timedelta(days=rng.randint(0, 45))
        exact_time = rng.random() < 0.6
        complaints.append(
            Complaint(
                tracking_number=number,
                channel=_weighted(rng, _CHANNELS),
                received_at=when,
                incident_date=incident.date(),
                incident_date_precision=Complaint.Precision.EXACT
                if rng.random() < 0.8
                else Complaint.Precision.APPROXIMATE,
                incident_time=time(rng.randint(0, 23), rng.choice([0, 15, 30, 45])) if exact_time else None,
                incident_time_precision=Complaint.Precision.EXACT if exact_time else Complaint.Precision.UNKNOWN,
                location_text=place,
                district=rng.choice(districts) if rng.random() < 0.85 else None,
                agency=agency,
                narrative=narrative,
                language="es" if spanish else "en",
                anonymity=_weighted(
                    rng,
                    [
                        (Complaint.Anonymity.NAMED, 75),
                        (Complaint.Anonymity.CONFIDENTIAL, 10),
                        (Complaint.Anonymity.ANONYMOUS, 15),
                    ],
                ),
                status=status,
                status_changed_at=when + timedelta(days=min(age_days, rng.randint(0, 120))),
                # Every status carries what it needs (``manage.py workflow_check`` holds demo data to it).
                referred_to=rng.choice(_REFERRAL_AGENCIES) if status == S.REFERRED else "",
                closure_reason=_weighted(rng, _CLOSURE_REASONS) if status == S.ADMINISTRATIVELY_CLOSED else "",
            )
        )
    for complaint in complaints:
        complaint.status_code_hash = ctx.shared["demo_code_hash"]
    Complaint.objects.bulk_create(complaints, batch_size=1000)
    PublicTimelineEntry.objects.bulk_create(
        [
            PublicTimelineEntry(complaint=c, stage=public_stage(c.status), occurred_at=c.status_changed_at)
            for c in complaints
            if c.status != S.RECEIVED
        ],
        batch_size=2000,
    )
    parties: list[Party] = []
    subjects: list[SubjectOfficer] = []
    for complaint in complaints:
        spanish = complaint.language == "es"
        if complaint.anonymity != Complaint.Anonymity.ANONYMOUS:
            if rng.random() < 0.1:
                parties.append(_person(ctx, pools, complaint, Party.Role.THIRD_PARTY, spanish))
                parties.append(_person(ctx, pools, complaint, Party.Role.VICTIM, spanish))
            else:
                parties.append(_person(ctx, pools, complaint, Party.Role.COMPLAINANT, spanish))
        if rng.random() < 0.25:
            witness = _person(ctx, pools, complaint, Party.Role.WITNESS, spanish)
            if rng.random() < 0.4:
                witness.first_name = witness.last_name = witness.email = witness.phone = witness.address = ""
                witness.preferred_contact = Party.ContactMethod.NONE
                witness.description = (
                    "Neighbor who saw it from the window" if not spanish else "Vecina que lo vio por la ventana"
                )
            parties.append(witness)
        for _ in range(_weighted(rng, [(1, 60), (2, 30), (3, 10)])):
            if rng.random() < 0.6:
                subjects.append(SubjectOfficer(complaint=complaint, officer_id=rng.choice(officer_ids)))
            else:
                subjects.append(
                    SubjectOfficer(
                        complaint=complaint,
                        badge_as_given=str(rng.randint(1000, 9999)) if rng.random() < 0.3 else "",
                        appearance=rng.choice(_APPEARANCE),
                        vehicle=rng.choice(_VEHICLES).format(n=rng.randint(100, 999)),
                    )
                )
    Party.objects.bulk_create(parties, batch_size=1000)
    SubjectOfficer.objects.bulk_create(subjects, batch_size=1000)
    allegations: list[Allegation] = []
    for subject in subjects:
        for category in rng.sample(leaves, _weighted(rng, [(1, 65), (2, 30), (3, 5)])):
            allegations.append(
                Allegation(
                    complaint_id=subject.complaint_id,
                    subject_officer=subject,
                    category_id=category if subject.complaint.status != S.RECEIVED or rng.random() < 0.5 else None,
                )
            )
    Allegation.objects.bulk_create(allegations, batch_size=1000)
    ctx.count("complaints", len(complaints))
    ctx.count("parties", len(parties))
    ctx.count("subject officers", len(subjects))
    ctx.count("allegations", len(allegations))
