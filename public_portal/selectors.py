"""Every read the intake pages make.

A draft belongs to one browser session (and, for staff entry, to the signed-in user); a draft
that is missing, expired or someone else's is simply not found, and the page sends the visitor
back to the start rather than answering with an error.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint, ConsentText
from complaints.taxonomy import CATEGORY_FOR_KIND
from oversight.models import District

from .models import DraftFile, IntakeDraft


def draft_session_key(mode: str) -> str:
    """The session key that holds the token of the draft being filled in ``mode``."""
    return f"intake_draft:{mode}"


def draft_for_request(request: HttpRequest, mode: str) -> IntakeDraft | None:
    """The unexpired draft this browser session started in ``mode``, or None.

    None is an ordinary answer here (no form started, or it expired), not an error: the caller
    offers a fresh start. A staff draft is found only for the user who started it.
    """
    token = request.session.get(draft_session_key(mode))
    if not token:
        return None
    draft = IntakeDraft.objects.filter(token=token, mode=mode, expires_at__gt=timezone.now()).first()
    if draft is None:
        return None
    if mode == IntakeDraft.Mode.STAFF and draft.staff_user_id != request.user.pk:
        return None
    return draft


def draft_staged_files(*, draft: IntakeDraft) -> QuerySet[DraftFile]:
    """The files uploaded to ``draft`` so far, in the order they were added."""
    return draft.files.order_by("created_at", "id")


def consent_text_active(*, language: str) -> ConsentText | None:
    """The advisory and consent text in use for ``language``, else the one in the site's default
    language; None when the agency has published none yet."""
    default = settings.LANGUAGE_CODE
    texts = list(ConsentText.objects.filter(is_active=True, language__in={language, default}).order_by("-created_at"))
    return next((t for t in texts if t.language == language), None) or next(
        (t for t in texts if t.language == default), None
    )


@dataclass(frozen=True)
class ReviewLookups:
    """The names the review page shows for what the draft holds as codes and ids."""

    district: District | None
    channel_label: Any
    categories: dict[str, AllegationCategory] = field(default_factory=dict)


def review_lookups(*, incident: dict[str, Any], with_categories: bool = True) -> ReviewLookups:
    """The district and channel named in the validated ``incident`` step and, unless
    ``with_categories`` is false, the allegation categories the resident's kinds of misconduct
    map to. A district that no longer exists shows as none rather than failing the page."""
    district_id = incident.get("district_id")
    district = District.objects.filter(pk=district_id).first() if district_id else None
    categories = (
        {c.code: c for c in AllegationCategory.objects.filter(code__in=CATEGORY_FOR_KIND.values())}
        if with_categories
        else {}
    )
    channel = incident.get("channel")
    return ReviewLookups(
        district=district,
        channel_label=dict(Complaint.Channel.choices).get(channel, "") if channel else "",
        categories=categories,
    )
