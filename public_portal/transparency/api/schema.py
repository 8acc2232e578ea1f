"""The schema's lists of allowed filter values, read when the schema is served.

The kinds of allegation, the districts and the officers named on the public record are data, so
the schema names the values the API takes now (``enum``), and the documentation shows them."""

from typing import Any

from .. import dispositions as disp

FILTERED_PATHS = (
    "/api/v1/dispositions/",
    "/api/v1/allegations/",
    "/api/v1/recommendations/",
    "/api/v1/statistics/",
    "/api/v1/statistics/{key}/",
)
FILTERS = ("year", "category", "disposition", "district", "officer", "response")


def add_filter_choices(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """A drf-spectacular postprocessing hook: the current codes as each filter parameter's ``enum``,
    and every filter may be sent empty."""
    allowed: dict[str, list[str]] = {}
    # Only the schema served by the site reads the data; one generated offline
    # (``manage.py spectacular``) keeps plain strings.
    if request is not None:
        choices = disp.filter_choices()
        allowed = {
            "category": [code for code, _label, _id in choices.categories],
            "district": [code for code, _name, _ids in choices.districts],
            "officer": [key for key, _label, _ids in choices.officers],
        }
    for path in FILTERED_PATHS:
        for parameter in result.get("paths", {}).get(path, {}).get("get", {}).get("parameters", []):
            if parameter.get("in") != "query" or parameter.get("name") not in FILTERS:
                continue
            # An empty filter is no filter, as on the page (a form sends every field, chosen or not).
            parameter["allowEmptyValue"] = True
            values = allowed.get(parameter["name"])
            # A list with nothing in it allows no value at all: leave the parameter a plain string.
            if values:
                parameter["schema"] = {**parameter.get("schema", {}), "enum": values}
    return result
