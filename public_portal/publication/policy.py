"""The disclosure policy: which allegations make an officer's name and badge public, and which make
the discipline and the department's response public.

``settings.PUBLICATION_DISCLOSURE_POLICY`` chooses how:

* ``"rules"`` (the default): the ``DisclosureRule`` table, edited by the system administrator in the
  admin and seeded with the California default (``CALIFORNIA``);
* ``"all_public"``: every identified officer is named, with the discipline and response;
* ``"none"``: no officer is named and no discipline is shown.

A rule covers its category and every sub-category below it, for one final disposition (blank: any).
Where several rules cover an allegation, the one on the nearest category wins (a sub-category's
rule before its class's), and on the same category a rule for the exact disposition before a rule
for any disposition. An allegation no rule covers discloses nothing.

The policy decides per allegation; an officer is named on a publication when at least one of their
allegations in the case is covered by a rule that names (a name shown on one row and hidden on
another would hide nothing). Only officers identified on the roster can be named: a name as the
complainant gave it is not verified, so an unidentified officer is always "Officer A", "Officer B"...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from investigations.models import Disposition

RULES = "rules"
ALL_PUBLIC = "all_public"
NONE = "none"
POLICIES = (RULES, ALL_PUBLIC, NONE)

SUSTAINED = Disposition.SUSTAINED.value
CA_BASIS = "California Penal Code 832.7(b)(1)"

# The California default: Penal Code 832.7(b) as amended by SB 1421 (2018) and SB 16 (2021). Each
# entry: (category code, final disposition, names the officer, discloses discipline, legal basis).
# The law makes the whole record public, discipline included, so each rule discloses both.
CALIFORNIA: list[tuple[str, str, bool, bool, str]] = [
    # Sustained findings of dishonesty: 832.7(b)(1)(C).
    ("untruthfulness", SUSTAINED, True, True, f"{CA_BASIS}(C): sustained finding of dishonesty (SB 1421)."),
    # Sustained findings of sexual assault involving a member of the public: 832.7(b)(1)(B).
    ("opv-sexual", SUSTAINED, True, True, f"{CA_BASIS}(B): sustained finding of sexual assault (SB 1421)."),
    # Sustained findings of bias, prejudice or discrimination, including slurs about a protected group:
    # 832.7(b)(1)(E).
    (
        "bias",
        SUSTAINED,
        True,
        True,
        f"{CA_BASIS}(E): sustained finding of prejudice or discrimination on a protected basis (SB 16).",
    ),
    *[
        (
            code,
            SUSTAINED,
            True,
            True,
            f"{CA_BASIS}(E): sustained finding of language showing prejudice against a protected group (SB 16).",
        )
        for code in ("ol-race", "ol-gender", "ol-sexual-orientation", "ol-religion", "ol-disability")
    ],
    # Sustained findings of an unlawful arrest or an unlawful search: 832.7(b)(1)(D).
    ("aoa-arrest", SUSTAINED, True, True, f"{CA_BASIS}(D): sustained finding of an unlawful arrest (SB 16)."),
    ("aoa-search", SUSTAINED, True, True, f"{CA_BASIS}(D): sustained finding of an unlawful search (SB 16)."),
    # Force: sustained findings of unreasonable or excessive force are public under 832.7(b)(1)(A)(iii);
    # force causing death or great bodily injury is public whatever the finding ((A)(ii)), but the
    # taxonomy records no injury, so those cases are covered only through a rule the agency adds
    # for a category of its own (docs/publication.md, "The disclosure policy").
    (
        "force",
        SUSTAINED,
        True,
        True,
        f"{CA_BASIS}(A)(iii): sustained finding of unreasonable or excessive force (SB 16). Force causing "
        "death or great bodily injury is public whatever the finding under (A)(ii): the taxonomy records no "
        "injury, so add a rule for a category that does.",
    ),
]


@dataclass(frozen=True)
class Disclosure:
    """What one allegation makes public."""

    names_officer: bool = False
    discloses_discipline: bool = False


NOTHING = Disclosure()
EVERYTHING = Disclosure(names_officer=True, discloses_discipline=True)


def policy_name() -> str:
    """The policy in force (``settings.PUBLICATION_DISCLOSURE_POLICY``)."""
    name = str(getattr(settings, "PUBLICATION_DISCLOSURE_POLICY", RULES) or RULES).strip().lower()
    if name not in POLICIES:
        raise ImproperlyConfigured(
            f"PUBLICATION_DISCLOSURE_POLICY must be one of {', '.join(POLICIES)}; it is {name!r}."
        )
    return name


@dataclass
class Policy:
    """The policy in force, loaded once (two small queries) for as many allegations as needed."""

    name: str
    # category id -> parent id, for the whole taxonomy
    parents: dict[int, int | None]
    # (category id, disposition or "") -> Disclosure
    rules: dict[tuple[int, str], Disclosure]

    def decide(self, category_id: int | None, disposition: str) -> Disclosure:
        if self.name == ALL_PUBLIC:
            return EVERYTHING
        if self.name == NONE or category_id is None:
            return NOTHING
        seen: set[int] = set()
        current: int | None = category_id
        while current is not None and current not in seen:
            seen.add(current)
            for key in ((current, disposition), (current, "")):
                if key in self.rules:
                    return self.rules[key]
            current = self.parents.get(current)
        return NOTHING

    def class_of(self, category_id: int | None) -> int | None:
        """The top-level class a category belongs to (itself, if it is one)."""
        seen: set[int] = set()
        current = category_id
        while current is not None and self.parents.get(current) is not None and current not in seen:
            seen.add(current)
            current = self.parents[current]
        return current


def load_policy() -> Policy:
    from complaints.models import AllegationCategory

    from .models import DisclosureRule

    name = policy_name()
    parents = dict(AllegationCategory.objects.values_list("id", "parent_id"))
    rules: dict[tuple[int, str], Disclosure] = {}
    if name == RULES:
        for category_id, disposition, names, discipline in DisclosureRule.objects.values_list(
            "category_id", "disposition", "names_officer", "discloses_discipline"
        ):
            rules[(category_id, disposition)] = Disclosure(names_officer=names, discloses_discipline=discipline)
    return Policy(name=name, parents=parents, rules=rules)


# --- Presets ----------------------------------------------------------------------------------------------


def preset_rows(preset: str, category_ids: dict[str, int]) -> list[dict]:
    """The rules of a preset as field values: ``california``, ``all_public`` (a rule naming the officer
    for any disposition on every top-level class) or ``none`` (no rules)."""
    if preset == "california":
        return [
            {
                "category_id": category_ids[code],
                "disposition": disposition,
                "names_officer": names,
                "discloses_discipline": discipline,
                "legal_basis": basis,
            }
            for code, disposition, names, discipline, basis in CALIFORNIA
            if code in category_ids
        ]
    if preset == ALL_PUBLIC:
        return [
            {
                "category_id": category_id,
                "disposition": "",
                "names_officer": True,
                "discloses_discipline": True,
                "legal_basis": "Agency policy: every finding is public.",
            }
            for category_id in category_ids.values()
        ]
    if preset == NONE:
        return []
    raise ValueError(f"Unknown preset {preset!r}: choose california, all_public or none")


PRESETS = ("california", ALL_PUBLIC, NONE)


def reset_rules(rule_model, category_model, preset: str) -> int:
    """Replace every rule with the preset's (the data migration and ``manage.py disclosure_policy``
    use it, so it takes the model classes). Returns how many rules there are now."""
    if preset == ALL_PUBLIC:
        categories = dict(category_model.objects.filter(parent__isnull=True).values_list("code", "id"))
    else:
        categories = dict(category_model.objects.values_list("code", "id"))
    rows = preset_rows(preset, categories)
    rule_model.objects.all().delete()
    rule_model.objects.bulk_create([rule_model(**row) for row in rows])
    return len(rows)


def seed_california(rule_model, category_model) -> int:
    """Seed the California default if there are no rules yet; never touches rules that exist."""
    if rule_model.objects.exists():
        return 0
    return reset_rules(rule_model, category_model, "california")


def describe(rules: Iterable) -> list[str]:
    """One plain line per rule (for ``disclosure_policy --show``)."""
    lines = []
    for rule in rules:
        made = [
            what
            for what, on in (
                ("name and badge", rule.names_officer),
                ("discipline and response", rule.discloses_discipline),
            )
            if on
        ]
        disposition = rule.get_disposition_display() if rule.disposition else "any disposition"
        lines.append(
            f"{rule.category} ({rule.category.code}), {disposition}: {', '.join(made) or 'nothing'} public."
            + (f" {rule.legal_basis}" if rule.legal_basis else "")
        )
    return lines
