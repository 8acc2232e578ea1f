"""No network identifier of a public visitor is kept: not in any table, history row, audit event,
log line or error email. A signed-in staff member's address is kept.

A resident files through the real public form from a distinctive address, behind a distinctive
forwarding header, with a distinctive browser; then every table is read back (``dumpdata`` and a
raw read of each table the database has) and every log record is captured at DEBUG, SQL included.
"""

import hashlib
import ipaddress
import logging
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory

from complaints.models import Complaint
from oversight.models import AuditEvent

from .intake_flow import Filing, about, file_complaint

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Probe-Browser/7.31.4 anonymity-check"
STAFF_ADDRESS = "192.0.2.150"


def _traces(value: str) -> set[str]:
    """The value and the forms a careless store would keep it in: plain, hashed, packed."""
    traces = {value, hashlib.sha256(value.encode()).hexdigest(), hashlib.md5(value.encode()).hexdigest()}  # noqa: S324
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return traces
    return traces | {str(int(address)), address.packed.hex()}


FORBIDDEN = _traces(ADDRESS) | _traces(FORWARDED) | _traces(AGENT) | {"Probe-Browser"}


def _visitor() -> Client:
    return Client(
        REMOTE_ADDR=ADDRESS,
        HTTP_X_FORWARDED_FOR=FORWARDED,
        HTTP_USER_AGENT=AGENT,
        HTTP_X_REAL_IP=ADDRESS,
    )


def _whole_database() -> str:
    """Every row of every table, as text: the serialized models, the decoded sessions, and a raw
    read of every table the database holds (history, join tables and all)."""
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    parts = [dump.getvalue()]
    parts += [str(session.get_decoded()) for session in Session.objects.all()]
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                parts.append(
                    repr([bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else v for v in row])
                )
    return "\n".join(parts)


def _assert_no_trace(text: str, where: str) -> None:
    found = sorted(trace for trace in FORBIDDEN if trace in text)
    assert not found, f"{where} holds {found}"


@pytest.fixture
def every_log(caplog):
    """Every logger at DEBUG, non-propagating ones included, and every SQL statement with its
    parameters: whatever the application stores goes through here first."""
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    loggers = [logger for logger in loggers if isinstance(logger, logging.Logger)]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False
    for logger, level in saved:
        logger.setLevel(level)
        logger.removeHandler(caplog.handler)


def _log_text(caplog) -> str:
    return caplog.text + "\n".join(str(vars(record)) for record in caplog.records)


def _browse_as_visitor(visitor: Client, complaint: Complaint, settings) -> None:
    """The rest of what a visitor does: a missing page, a refused form, a status lookup, one too many."""
    assert visitor.get("/file/no-such-step-anywhere/").status_code == 404
    strict = Client(
        enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED, HTTP_USER_AGENT=AGENT
    )
    assert strict.post("/status/", {"tracking_number": complaint.tracking_number}).status_code == 403
    settings.RATE_LIMIT_STATUS_LOOKUP = "1/600"
    visitor.post("/status/", {"tracking_number": complaint.tracking_number, "code": "WRONG-CODE-0000"})
    refused = visitor.post("/status/", {"tracking_number": complaint.tracking_number, "code": "WRONG-CODE-0000"})
    assert refused.status_code == 429


@pytest.mark.parametrize("proxies", [0, 1])
@pytest.mark.parametrize("filing_as", ["anonymous", "self"])
def test_a_public_filing_leaves_no_address_or_browser_in_the_database_or_the_logs(
    settings, every_log, filing_as, proxies
):
    # Behind one trusted proxy the forwarded address is the client's: it must be as absent.
    settings.TRUSTED_PROXY_COUNT = proxies
    visitor = _visitor()
    complaint = file_complaint(visitor, Filing(about=about(filing_as=filing_as)))
    _browse_as_visitor(visitor, complaint, settings)

    assert complaint.anonymity == ("anonymous" if filing_as == "anonymous" else "named")
    # The filing really was recorded, in the audit trail and the history, just without the visitor's address.
    submitted = AuditEvent.objects.get(action="complaint.submitted")
    assert (submitted.ip, submitted.actor_username) == (None, "")
    assert AuditEvent.objects.filter(action="ratelimit.refused", ip__isnull=True).count() == 1
    assert not AuditEvent.objects.filter(ip__isnull=False).exists()
    history = complaint.history.earliest()
    assert history.history_ip is None and history.history_request_id
    assert "Not Found" in every_log.text and "Forbidden (CSRF" in every_log.text

    _assert_no_trace(_whole_database(), "the database")
    _assert_no_trace(_log_text(every_log), "the logs")


def test_the_error_email_of_a_public_request_carries_no_address_but_a_staff_one_keeps_its_detail(settings, supervisor):
    settings.ADMINS = [("Operations", "ops@oversight.example")]
    public = RequestFactory().get("/status/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    public.user = AnonymousUser()
    staff = RequestFactory().get("/staff/cases/", REMOTE_ADDR=STAFF_ADDRESS, HTTP_USER_AGENT=AGENT)
    staff.user = supervisor
    logger = logging.getLogger("django.request")
    logger.error("Internal Server Error: /status/", extra={"status_code": 500, "request": public})
    logger.error("Internal Server Error: /staff/cases/", extra={"status_code": 500, "request": staff})

    public_mail, staff_mail = mail.outbox
    assert "Internal Server Error: /status/" in public_mail.subject
    _assert_no_trace(public_mail.subject + public_mail.body, "the public request's error email")
    assert STAFF_ADDRESS in staff_mail.body


def test_a_staff_members_sign_in_and_actions_keep_their_address(supervisor, complaint):
    supervisor.set_password("a long staff password 1")
    supervisor.save()
    staff = Client(REMOTE_ADDR=STAFF_ADDRESS, HTTP_USER_AGENT=AGENT)
    response = staff.post("/staff/login/", {"username": supervisor.username, "password": "a long staff password 1"})
    assert response.status_code == 302

    signed_in = AuditEvent.objects.get(action="auth.login")
    assert (signed_in.actor_username, signed_in.ip) == (supervisor.username, STAFF_ADDRESS)
    # The second factor: the code from their authenticator app.
    from tests.authn.signing_in import app_for, code_now

    staff.post("/staff/second-factor/verify/", {"code": code_now(app_for(supervisor).key)})
    verified = AuditEvent.objects.get(action="auth.otp_verified")
    assert (verified.actor_username, verified.ip) == (supervisor.username, STAFF_ADDRESS)
    assert staff.get(f"/staff/complaints/{complaint.tracking_number}/").status_code == 200
    viewed = AuditEvent.objects.get(action="complaint.viewed", target_id=str(complaint.pk))
    assert (viewed.actor_username, viewed.ip) == (supervisor.username, STAFF_ADDRESS)


def test_a_failed_sign_in_keeps_no_address():
    visitor = _visitor()
    visitor.post("/staff/login/", {"username": "nobody", "password": "wrong password"})
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.ip is None and failed.actor_username == ""
