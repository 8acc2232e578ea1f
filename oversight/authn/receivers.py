"""Sign-in events: every attempt audited, and each session remembered as its person's.

Receivers only record (audit events, the session's clock and its row); what a sign-in may do is
decided by the views, the services and the lockout handler."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from oversight import audit

from . import sessions


@receiver(user_logged_in, dispatch_uid="authn.audit_login")
def _login(sender, request, user, **kwargs) -> None:
    audit.record("auth.login", actor=user, target=user)
    if request is not None and hasattr(request, "session"):
        sessions.session_started(request, user)


@receiver(user_logged_out, dispatch_uid="authn.audit_logout")
def _logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("auth.logout", actor=user, target=user)
    if request is not None and hasattr(request, "session"):
        sessions.session_forgotten(request.session.session_key)


@receiver(user_login_failed, dispatch_uid="authn.audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username tried is kept (it is a staff account name, not a resident's data); never the
    # password, nor the address: whoever failed is not signed in (oversight.audit).
    audit.record(
        "auth.login_failed",
        outcome=audit.Outcome.FAILED,
        data={"username": str(credentials.get("username", ""))[:150]},
    )


@receiver(user_locked_out, dispatch_uid="authn.audit_locked_out")
def _locked_out(sender, request, username, ip_address=None, **kwargs) -> None:
    from .lockout import locked_by

    audit.record(
        "auth.locked_out",
        outcome=audit.Outcome.DENIED,
        data={
            "username": str(username or "")[:150],
            "by": locked_by(request, getattr(request, "axes_credentials", None)) or "account",
        },
    )
