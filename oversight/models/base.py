from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class HistoryContext(models.Model):
    """Extra columns on every historical row: where the change came from.

    ``history_ip`` is the address of the signed-in staff member who made the change; a change made
    by a public visitor's request (a complaint filed, named or anonymous) has none.
    """

    history_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    history_request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        abstract = True


def _history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    # Imported here: oversight.context has no model imports, but keep model loading cheap.
    from oversight.context import current

    user = current().user
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    request_user = getattr(request, "user", None)
    if request_user is not None and request_user.is_authenticated:
        return request_user
    return None


def history(**kwargs: Any) -> HistoricalRecords:
    """Row history for a domain model, attributed to the acting user, IP and request."""
    kwargs.setdefault("bases", [HistoryContext])
    kwargs.setdefault("get_user", _history_user)
    kwargs.setdefault("user_db_constraint", False)
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)
