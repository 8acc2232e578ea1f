import pgtrigger
import pgtrigger.compiler
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyTriggerSql(pgtrigger.compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without its escape hatch.

    pgtrigger's own template lets any session skip a trigger by setting ``pgtrigger.ignore``, which
    every database user may do. The audit table's guard must hold against the application's own
    connection, so this template has no such check: getting past it takes dropping or disabling
    the trigger, which only the table's owner can do. (Versioned through the migration that
    installs it, like pgtrigger's template: change it only with a new migration.)
    """

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


class AppendOnly(pgtrigger.Trigger):
    """Refuses UPDATE and DELETE on every row (PostgreSQL), with one exception: setting the actor
    link to NULL and nothing else, which is what deleting a user does (``on_delete=SET_NULL``; the
    link is not hashed, the username snapshot is). TRUNCATE is a statement, not a row change, and
    is not refused: the test runner empties tables with it."""

    when = pgtrigger.Before
    level = pgtrigger.Row
    operation = pgtrigger.Update | pgtrigger.Delete

    def get_func(self, model):
        return pgtrigger.Func(
            self.format_sql(
                """
            IF TG_OP = 'UPDATE' AND NEW.{columns.actor} IS NULL
               AND (to_jsonb(NEW) - '{columns.actor}') = (to_jsonb(OLD) - '{columns.actor}') THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME;
            """
            )
        )

    def compile(self, model) -> pgtrigger.compiler.Trigger:
        compiled = super().compile(model)
        return pgtrigger.compiler.Trigger(name=compiled.name, sql=AppendOnlyTriggerSql(**compiled.sql.kwargs))


class AuditEvent(models.Model):
    """One meaningful action: who, when, from where, what, on which object, and how it ended.

    Rows are written only by ``oversight.audit.record`` and never updated or deleted: each row
    carries the keyed hash of the one before it, so a changed or removed row breaks the chain that
    ``manage.py audit_verify`` walks. Names are snapshots, so an event outlives what it describes.
    On PostgreSQL a trigger refuses UPDATE and DELETE (``AppendOnly``).
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        DENIED = "denied", _("Denied")
        FAILED = "failed", _("Failed")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_constraint=False,
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True, editable=False)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, editable=False)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, editable=False, db_index=True)
    action = models.CharField(_("action"), max_length=64, editable=False, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True, editable=False)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, editable=False)
    target_label = models.CharField(_("target"), max_length=255, blank=True, editable=False)
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=Outcome.choices,
        default=Outcome.SUCCESS,
        editable=False,
    )
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # The audit log page: newest first, whole or by action, by actor or by tracking number
            # (the target's label), each read as one range of its index (oversight.audit_log).
            models.Index(fields=["occurred_at", "id"], name="audit_log_time_idx"),
            models.Index(fields=["action", "occurred_at", "id"], name="audit_log_action_idx"),
            models.Index(fields=["actor_username", "occurred_at", "id"], name="audit_log_actor_idx"),
            models.Index(fields=["target_label", "occurred_at", "id"], name="audit_log_label_idx"),
        ]
        triggers = [AppendOnly(name="audit_event_append_only")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The single row that holds the newest event's hash; locking it serialises the chain."""

    last_event_id = models.BigIntegerField(null=True, editable=False)
    last_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"audit chain head at event {self.last_event_id}"
