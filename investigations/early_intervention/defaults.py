"""The starting rules, seeded once by a data migration (and by the demo after a flushed database);
after that they are the office's data, changed by supervisors as new versions.

Each entry: (name, kind, parameters). A category is named by its taxonomy code; a rule whose
category the taxonomy does not have is left out.
"""

from decimal import Decimal
from typing import Any

DEFAULT_RULES: list[tuple[str, str, dict[str, Any]]] = [
    ("Three complaints in a year", "complaints", {"count": 3, "window_months": 12}),
    ("Two force allegations in six months", "allegations", {"count": 2, "window_months": 6, "category": "force"}),
    (
        "Sustained bias allegation",
        "finding",
        {"count": 1, "window_months": None, "category": "bias", "disposition": "sustained"},
    ),
    (
        "Complaints at the top of the peer group",
        "peer_percentile",
        {"count": 1, "window_months": 24, "percentile": Decimal("95"), "minimum_peers": 5},
    ),
]
NOTE = "Starting rule."


def seed_default_rules(threshold_model: Any, version_model: Any, category_model: Any) -> int:
    """Create the starting rules if there are none; returns how many were made. Works with the
    migration's historical models and the real ones alike."""
    if threshold_model.objects.exists():
        return 0
    made = 0
    for name, kind, parameters in DEFAULT_RULES:
        values = dict(parameters)
        if "category" in values:
            category = category_model.objects.filter(code=values["category"]).first()
            if category is None:
                continue
            values["category"] = category
        threshold = threshold_model.objects.create(name=name, kind=kind, is_active=True)
        version = version_model.objects.create(threshold=threshold, number=1, note=NOTE, **values)
        threshold.current_version = version
        threshold.save(update_fields=["current_version"])
        made += 1
    return made
