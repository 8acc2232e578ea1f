"""What publication adds to the parts below it, registered from ``PublicationConfig.ready``:

- ``staff_home.panels``: for publication officers, the counts of versions being prepared and a link
  to the queue;
- the retention lifecycle's ``destroy`` move: a case with a version being prepared (draft or
  approved) is not destroyed; the draft is discarded first (destruction would empty its text under
  the publisher's eyes). A published version does not stand in the way: destruction keeps the text of
  the version the public reads (``investigations.retention.destruction``, ``KEPT_WHERE``) and empties
  every other version, so the public record stays as it was.
"""

from django.utils.translation import gettext as _

from oversight import hooks
from oversight.lifecycle import MoveContext

from .models import Publication

P = Publication.Status


def no_version_in_progress(ctx: MoveContext) -> str | None:
    in_progress = (
        Publication.objects.filter(complaint_id=ctx.obj.complaint_id, status__in=[P.DRAFT, P.APPROVED])
        .order_by("-version")
        .first()
    )
    if in_progress is None:
        return None
    return _("A publication of this case is being prepared (%(id)s): a publication officer discards it first.") % {
        "id": in_progress.public_id
    }


def _published_since_import(complaint_ids: list[int]) -> set[int]:
    """Imported cases with a publication: a later import leaves them as they are."""
    from .models import Publication

    return set(Publication.objects.filter(complaint_id__in=complaint_ids).values_list("complaint_id", flat=True))


def _publish_imported(*, complaint_ids, actor, reason, progress=None) -> str:
    from .bulk import publish_imported

    report = publish_imported(complaint_ids=complaint_ids, actor=actor, reason=reason, progress=progress)
    return "\n".join(str(line) for line in report.lines())


def register() -> None:
    from investigations.retention.workflow import RETENTION_LIFECYCLE

    from . import views

    hooks.register("staff_home.panels", "publication", views.staff_home_panel)
    hooks.register("import.worked_on", "publication", _published_since_import)
    hooks.register("import.publish", "publication", _publish_imported)
    RETENTION_LIFECYCLE.add_guard("destroy", name="publication.no_version_in_progress", check=no_version_in_progress)
