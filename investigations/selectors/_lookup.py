"""One object of a case or ``Http404``: the shared shape of every ``*_get_for_case`` selector."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M], **lookups: Any) -> M:
    """The single row matching ``lookups``, else ``Http404``.

    A lookup value the column cannot hold (``"abc"`` for an integer key, from a tampered form)
    is a missing object too: a page answers 404 for it, never 500.
    """
    try:
        return queryset.get(**lookups)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(f"No such {queryset.model._meta.model_name}") from None
