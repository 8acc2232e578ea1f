"""Police employees' reports: the whistleblower channel ("I work for the police department").

A police employee files through the same steps as a resident, plus their relationship to the
department (sworn officer, civilian employee, former employee, contractor, or not said), an
optional unit and whether they fear retaliation. ``employee_report_submit`` files it like
``services.complaint_submit`` files a resident's complaint (the same checks, files, tracking
number, status code, timeline entry and ``complaint.submitted`` event, once per idempotency key),
with three differences:

* the employee, when they give their name, is a party of their own role (``Party.Role.EMPLOYEE``),
  whose details only readers holding ``complaints.view_whistleblower_identity`` see
  (``oversight.personal_data.EMPLOYEE_KIND``); a named report is always confidential;
* an anonymous report keeps no identity at all: no employee party, no unit, no demographics;
* no email is sent on its own (a receipt or a notice can land in a mailbox the department reads):
  the employee follows the report with the tracking number and status code.

The relationship and the retaliation flag are written on the complaint once, here, and never
change with a move, so they follow the case. docs/whistleblower.md gives the decisions.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from oversight import audit

from .models import Complaint, Party
from .services import CheckedFile, PartyData, _parties_from_form, complaint_form_plan, complaint_planned_file

Relationship = Complaint.EmployeeRelationship
UNIT_MAX = Complaint._meta.get_field("employee_unit").max_length
DETAIL_MAX = 5000


@dataclass(frozen=True)
class EmployeeReportData:
    """What the employee said of their work and their safety (the "Your work" step)."""

    relationship: str
    unit: str = ""
    retaliation_concern: bool = False
    retaliation_detail: str = ""


def _employee_party(about: dict[str, Any], language: str) -> PartyData:
    return PartyData(
        role=Party.Role.EMPLOYEE,
        first_name=about.get("first_name", ""),
        last_name=about.get("last_name", ""),
        email=about.get("email", ""),
        phone=about.get("phone", ""),
        address=about.get("address", ""),
        preferred_contact=about.get("preferred_contact") or Party.ContactMethod.EMAIL,
        preferred_language=about.get("preferred_language") or language,
        race_ethnicity=about.get("race_ethnicity", ""),
        gender=about.get("gender", ""),
        age_range=about.get("age_range", ""),
    )


def _employee_checked(employee: EmployeeReportData, *, anonymous: bool) -> EmployeeReportData:
    """The employee's answers, cleaned; raises ValidationError when they cannot be kept."""
    if employee.relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose how you work with the police department.")})
    unit = (employee.unit or "").strip()
    detail = (employee.retaliation_detail or "").strip()
    if anonymous and unit:
        raise ValidationError(_("An anonymous report cannot record the employee's unit."))
    if len(unit) > UNIT_MAX or len(detail) > DETAIL_MAX:
        raise ValidationError(_("An answer about your work is too long."))
    return EmployeeReportData(
        relationship=employee.relationship,
        unit=unit,
        retaliation_concern=bool(employee.retaliation_concern),
        retaliation_detail=detail,
    )


def employee_report_submit(
    *,
    form_data: dict[str, Any],
    employee: EmployeeReportData,
    files: list[tuple[Any, str] | CheckedFile],
    language: str,
    idempotency_key: str,
    status_code: str,
    actor: Any = None,
) -> Complaint:
    """File a police employee's report from the intake form, with its files, exactly once.

    The rules of ``services.complaint_submit`` hold (the slow work first, outside any transaction;
    one short transaction that takes the tracking number and inserts everything; no row and no file
    left by a failure; a second call with the same key returns the first report), and these:

    * ``form_data["about"]["filing_as"]`` is ``"anonymous"`` or ``"self"``. Anonymous: no employee
      party and no unit (a unit given is refused, not dropped: the form drops it first). Named: one
      party in the employee role, and the report is confidential.
    * The relationship must be one of ``Complaint.EmployeeRelationship``; it and the retaliation
      flag are stored on the complaint, with the unit and the retaliation detail, before the first
      history row is written. The files, the insert and the events go through
      ``services.complaint_planned_file``, the second half of every public submission.
    * No receipt email is queued. ``complaint.submitted`` is recorded as for a resident, and
      ``employee_report.submitted`` besides, with the retaliation flag and nothing about the person.
    """
    existing = Complaint.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    about = form_data.get("about", {})
    anonymous = about.get("filing_as") == "anonymous"
    employee = _employee_checked(employee, anonymous=anonymous)
    # Only the witnesses come from the resident's rules: the employee is a party of their own.
    _anonymity, parties = _parties_from_form({"filing_as": "anonymous"}, form_data.get("witnesses", []), language)
    if not anonymous:
        parties.insert(0, _employee_party(about, language))
    anonymity = Complaint.Anonymity.ANONYMOUS if anonymous else Complaint.Anonymity.CONFIDENTIAL
    plan = complaint_form_plan(
        form_data,
        parties=parties,
        anonymity=anonymity,
        channel=Complaint.Channel.WEB,
        language=language,
        received_at=None,
        actor=actor,
        idempotency_key=idempotency_key,
        status_code=status_code,
    )
    complaint = plan.complaint
    complaint.employee_relationship = employee.relationship
    complaint.employee_unit = employee.unit
    complaint.retaliation_concern = employee.retaliation_concern
    complaint.retaliation_detail = employee.retaliation_detail
    return complaint_planned_file(
        plan,
        files,
        actor=actor,
        submitted={"channel": complaint.channel, "anonymity": anonymity, "language": language, "files": len(files)},
        # No receipt email: it could land in a mailbox the department reads.
        on_insert=lambda report: audit.record(
            "employee_report.submitted",
            target=report,
            actor=actor,
            data={"retaliation_concern": report.retaliation_concern},
        ),
    )
