"""Receivers that only feed history: no business rules here."""

from simple_history.signals import pre_create_historical_record

from .context import current


def _history_context(sender, history_instance, **kwargs) -> None:
    ctx = current()
    if hasattr(history_instance, "history_ip"):
        history_instance.history_ip = ctx.ip
        history_instance.history_request_id = ctx.request_id


def connect() -> None:
    pre_create_historical_record.connect(_history_context, dispatch_uid="oversight.history_context")
