"""Receivers that feed history and keep per-request memos honest: no business rules here."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.signals import pre_create_historical_record

from .context import current, forget_remembered, recorded_ip


def _history_context(sender, history_instance, **kwargs) -> None:
    # The address only of a signed-in staff member: a change a public visitor's request makes (a
    # complaint filed, a draft saved) keeps the request id and nothing that points at the visitor.
    if hasattr(history_instance, "history_ip"):
        history_instance.history_ip = recorded_ip(history_instance.history_user)
        history_instance.history_request_id = current().request_id


def _forget_after_write(sender, **kwargs) -> None:
    # A row saved or deleted may change an answer the request remembered (a grant, a recusal, a
    # board seat): forget them all. Costs a context lookup when no request memo is active.
    forget_remembered()


def connect() -> None:
    pre_create_historical_record.connect(_history_context, dispatch_uid="oversight.history_context")
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_forget_after_write, dispatch_uid=f"oversight.forget_after_write.{id(signal)}")
