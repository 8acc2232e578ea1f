"""Demo data: the registry every app's ``demo.py`` adds its seeder to, and this floor's seeder.

``manage.py seed_demo`` imports each installed app's ``demo`` module (in INSTALLED_APPS order, so
lower floors seed first) and runs the registered seeders with one shared context. Seeders create
rows with bulk operations (``oversight.bulk``: COPY on PostgreSQL) and draw everything from the
context's seeded random generator, so the same seed and date give the same data.
"""

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from faker import Faker

from .models import Agency, Demographic, District, Officer
from .permissions import Role, setup_roles

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (demo logins only; seed_demo refuses production)

# One demo login per role (and a second investigator, to show that cases are not shared).
DEMO_USERS: list[tuple[str, str, str, str, bool]] = [
    ("intake", Role.INTAKE_COORDINATOR, "Imani", "Torres", False),
    ("investigator", Role.INVESTIGATOR, "Alice", "Nguyen", False),
    ("investigator2", Role.INVESTIGATOR, "Bob", "Okafor", False),
    ("supervisor", Role.SUPERVISOR, "Sofia", "Ramirez", True),
    ("board", Role.BOARD_MEMBER, "Marcus", "Bell", False),
    ("publisher", Role.PUBLISHER, "Priya", "Shah", False),
    # A second publication officer: publications are approved by someone other than who drafted them.
    ("publisher2", Role.PUBLISHER, "Dana", "Whitfield", False),
    ("sysadmin", Role.SYSADMIN, "Sam", "Lee", True),
]


@dataclass
class DemoContext:
    seed: int
    complaints: int
    as_of: date
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)
    faker_es: Faker = field(init=False)
    counts: dict[str, int] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = print
    finishers: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.faker = Faker("en_US")
        self.faker.seed_instance(self.seed)
        self.faker_es = Faker("es_MX")
        self.faker_es.seed_instance(self.seed + 1)

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def after_load(self, finisher: Callable[[], None]) -> None:
        """Run ``finisher`` once every seeder is done, still inside the seeding transaction, after
        triggers are back on: the place to recompute what triggers skipped by the bulk load would
        have maintained (``seed_demo`` runs them in the order they were added)."""
        if finisher not in self.finishers:
            self.finishers.append(finisher)


T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted random choice with its cumulative weights worked out once.

    ``rng.choices(values, weights=...)`` rebuilds them on every call, which shows at a million rows;
    this draws the same way (one ``rng.random()`` per pick) at a fraction of the cost.
    """

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


Seeder = Callable[[DemoContext], None]
SEEDERS: list[tuple[str, Seeder]] = []


def register(name: str) -> Callable[[Seeder], Seeder]:
    def decorate(fn: Seeder) -> Seeder:
        if all(existing != name for existing, _fn in SEEDERS):
            SEEDERS.append((name, fn))
        return fn

    return decorate


def seeders() -> list[tuple[str, Seeder]]:
    """The registered seeders in the order of ``INSTALLED_APPS`` (each app's in the order its module
    registers them), whatever imported a ``demo`` module first: a seeder builds on the apps above
    it (comments on the recommendations, meetings on the board's decisions)."""
    from django.apps import apps

    order = {config.name: index for index, config in enumerate(apps.get_app_configs())}

    def app_index(entry: tuple[str, Seeder]) -> int:
        config = apps.get_containing_app_config(entry[1].__module__)
        return order[config.name] if config is not None else len(order)

    return sorted(SEEDERS, key=app_index)


_RANKS = (
    ["Police Officer"] * 12 + ["Corporal"] * 3 + ["Sergeant"] * 3 + ["Lieutenant", "Captain", "Detective", "Detective"]
)
_UNITS = [
    "Patrol",
    "Patrol",
    "Patrol",
    "Traffic",
    "Narcotics",
    "Gang Unit",
    "Housing",
    "Transit",
    "Detective Bureau",
    "SWAT",
]
_RACES = Weighted(
    [
        (Demographic.Race.WHITE, 50),
        (Demographic.Race.BLACK, 30),
        (Demographic.Race.HISPANIC, 12),
        (Demographic.Race.ASIAN, 5),
        (Demographic.Race.OTHER, 2),
        (Demographic.Race.UNKNOWN, 1),
    ]
)


@register("roster")
def seed_roster(ctx: DemoContext) -> None:
    agency, _ = Agency.objects.get_or_create(
        short_name="MPD",
        defaults={"name": "Metro Police Department", "jurisdiction": "City of Metro"},
    )
    transit, _ = Agency.objects.get_or_create(
        short_name="MTPD",
        defaults={"name": "Metro Transit Police", "jurisdiction": "Metro Transit Authority"},
    )
    District.objects.bulk_create(
        [District(agency=agency, code=f"{n:02d}", name=f"District {n}") for n in range(1, 23)],
        ignore_conflicts=True,
    )
    districts = list(District.objects.filter(agency=agency).order_by("code"))
    officer_count = max(200, min(6000, ctx.complaints // 15))
    # Names come from pools drawn from Faker once (a Faker call per officer is slow), then from the
    # seeded generator. Every officer's attributes are drawn even when the officer exists already,
    # so the random stream (and all the data after it) is the same on every run with the same seed.
    first_names = [ctx.faker.first_name() for _ in range(300)]
    last_names = [ctx.faker.last_name() for _ in range(500)]
    officers = [
        Officer(
            agency=agency,
            badge_number=str(1000 + n),
            first_name=ctx.rng.choice(first_names),
            last_name=ctx.rng.choice(last_names),
            rank=ctx.rng.choice(_RANKS),
            unit=ctx.rng.choice(_UNITS),
            status=Officer.Status.SEPARATED if ctx.rng.random() < 0.07 else Officer.Status.ACTIVE,
            race_ethnicity=_RACES(ctx.rng),
            gender=Demographic.Gender.FEMALE if ctx.rng.random() < 0.22 else Demographic.Gender.MALE,
            hire_date=ctx.as_of - timedelta(days=ctx.rng.randint(200, 30 * 365)),
        )
        for n in range(officer_count)
    ]
    before = Officer.objects.filter(agency=agency).count()
    Officer.objects.bulk_create(officers, batch_size=2000, ignore_conflicts=True)
    officers = range(Officer.objects.filter(agency=agency).count() - before)
    ctx.count("officers", len(officers))
    ctx.count("districts", len(districts))
    ctx.shared.update(
        agency=agency,
        transit=transit,
        districts=districts,
        officer_ids=list(Officer.objects.filter(agency=agency).values_list("pk", flat=True)),
    )


def demo_password_hash(ctx: DemoContext) -> str:
    """One salted hash of the demo password for every demo login: hashing is slow on purpose."""
    if "password_hash" not in ctx.shared:
        ctx.shared["password_hash"] = make_password(DEMO_PASSWORD)
    return ctx.shared["password_hash"]


@register("users")
def seed_users(ctx: DemoContext) -> None:
    User = get_user_model()
    setup_roles()
    users = {}
    for username, role, first, last, is_staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@oversight.example",
                "is_staff": is_staff,
            },
        )
        if created:
            user.password = demo_password_hash(ctx)
            user.save(update_fields=["password"])
            ctx.count("users", 1)
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    ctx.shared["users"] = users
