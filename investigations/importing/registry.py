"""What the import adds to the case pages, registered from ``ImportingConfig.ready``: on every page
of an imported case, a header link saying where it came from (its source system, case id, file and
line), to the case's timeline, where the import's status change is."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from oversight import hooks


def _header_links(complaint: Any, user: Any) -> list[tuple[str, str]] | None:
    from .models import ImportedCase

    imported = ImportedCase.objects.filter(complaint=complaint).first()
    if imported is None:
        return None
    label = _("Imported from %(system)s: case %(source_id)s (%(file)s, line %(line)s)") % {
        "system": imported.system,
        "source_id": imported.source_id,
        "file": imported.source_file,
        "line": imported.source_line,
    }
    return [(label, reverse("cases:timeline", args=[complaint.tracking_number]))]


def register() -> None:
    hooks.register("case.header_links", "importing", _header_links)
