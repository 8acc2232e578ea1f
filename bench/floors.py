"""Floors: bare views that deliver what a page delivers from one hand-written SQL query.

A floor is the cost of the page's data and markup with nothing else: no selectors, no permission
checks, no hooks, no audit. Each staff page is measured beside its floor in the same run, and the
ratio (page median / floor median) says how much the page spends beyond its data.

* **List pages** (the case list, the intake queue) are rendered with the page's own template and
  the minimal context it needs; the one query fetches the rows the page showed (same columns, same
  number of rows, by primary key) and the district choices of the filter form. Floors show no
  total count (the real page's figure is part of what the ratio measures).
* **Case tabs** fetch the complaint row and the tab's rows in one query with joins and render
  them with ``CASE_TEMPLATE``, a simple table inside the staff layout: the real tab templates need
  the whole case frame (tabs, moves, deadline state) to render.
* **Other pages** (dashboard, board queue, staff home) fetch the cases the page links to and render
  them with ``ROWS_TEMPLATE``.
* **Intake** (``intake_floor``) stores one complaint with one party, one officer and one allegation
  through the ORM, with a form page for the CSRF token, so it can be driven like the public form.

The session, user and permission reads of the shared middleware and staff layout happen for a
floor as for the page; they are counted in the floor's queries.

Table and column names come from the models' metadata, so a renamed column fails loudly here.
"""

import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from complaints.models import Allegation, Complaint, Party, SubjectOfficer
from oversight.models import District

# --- What the harness registers before it requests a floor --------------------------------------
#
# The harness measures the real page first, reads which rows it showed, and registers them here
# under a key; the floor URL names the key. The test client runs in the same process.


@dataclass
class ListSpec:
    template: str
    tracking_numbers: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseSpec:
    tab: str
    tracking_number: str


SPECS: dict[str, Any] = {}


def register(key: str, spec: Any) -> str:
    SPECS[key] = spec
    return key


def _spec(key: str, kind: type) -> Any:
    spec = SPECS.get(key)
    if not isinstance(spec, kind):
        raise Http404
    return spec


# --- SQL helpers --------------------------------------------------------------------------------


def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def col(model: Any, alias: str, name: str) -> str:
    return f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def cols(model: Any, alias: str, *names: str) -> str:
    return ", ".join(col(model, alias, name) for name in names)


def _fetch(sql: str, params: list[Any]) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()


# --- List pages ---------------------------------------------------------------------------------

_STATUS = dict(Complaint.Status.choices)
_CHANNEL = dict(Complaint.Channel.choices)


class Row(SimpleNamespace):
    """A list row with what the list templates read from a Complaint."""

    def get_status_display(self) -> str:
        return str(_STATUS.get(self.status, self.status))

    def get_channel_display(self) -> str:
        return str(_CHANNEL.get(self.channel, self.channel))


class Person(SimpleNamespace):
    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Page(SimpleNamespace):
    """What components/pagination.html reads, for both keyset and numbered pages."""

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _list_sql() -> str:
    user = get_user_model()
    return f"""
        SELECT {cols(Complaint, "c", "tracking_number", "received_at", "channel", "status", "language")},
               {col(District, "d", "name")} AS district_name,
               {cols(user, "u", "username", "first_name", "last_name")},
               (SELECT json_agg(json_build_array({col(District, "dd", "id")}, {col(District, "dd", "name")})
                                ORDER BY {col(District, "dd", "code")})
                  FROM {table(District)} dd) AS districts
          FROM {table(Complaint)} c
          LEFT JOIN {table(District)} d ON d.id = {col(Complaint, "c", "district")}
          LEFT JOIN {table(user)} u ON u.id = {col(Complaint, "c", "entered_by")}
         WHERE {col(Complaint, "c", "tracking_number")} = ANY(%s)
         ORDER BY array_position(%s, {col(Complaint, "c", "tracking_number")})
    """


def _list_rows(tracking_numbers: list[str]) -> tuple[list[Row], list[tuple[int, str]]]:
    _names, raw = _fetch(_list_sql(), [tracking_numbers, tracking_numbers])
    rows, districts = [], []
    for tn, received_at, channel, status, language, district, username, first, last, district_json in raw:
        rows.append(
            Row(
                tracking_number=tn,
                received_at=received_at,
                channel=channel,
                status=status,
                language=language,
                district=SimpleNamespace(name=district) if district else None,
                entered_by=Person(username=username, first_name=first, last_name=last) if username else None,
            )
        )
        districts = district_json or districts
    return rows, [(pk, name) for pk, name in districts]


class _FilterForm(forms.Form):
    """The list filters with the district choices read in the floor's one query."""

    def __init__(self, *args, fields: dict[str, forms.Field], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields)
        for f in self.fields.values():
            f.widget.attrs["class"] = "usa-select" if isinstance(f.widget, forms.Select) else "usa-input"


def _form_like(product_form: forms.Form, districts: list[tuple[int, str]]) -> forms.Form:
    fields = {}
    for name, f in product_form.fields.items():
        if isinstance(f, forms.ModelChoiceField):
            fields[name] = forms.ChoiceField(label=f.label, required=False, choices=[("", "—"), *districts])
        else:
            fields[name] = f
    return _FilterForm(fields=fields)


def list_floor(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key, ListSpec)
    rows, districts = _list_rows(spec.tracking_numbers)
    form = _form_like(spec.extra["form_class"](), districts)
    page = Page(
        object_list=rows,
        total=SimpleNamespace(count=len(rows), capped=False),
        is_keyset=spec.extra.get("keyset", True),
        has_next=True,
        has_previous=False,
        has_other_pages=True,
        next_cursor="next",
        previous_cursor="",
        number=1,
        next_page_number=2,
        previous_page_number=None,
        paginator=SimpleNamespace(num_pages=2, count=len(rows)),
    )
    context = {"form": form, "forms_with_errors": [], "page": page, "querystring": "", **spec.extra.get("context", {})}
    return render(request, spec.template, context)


# --- Other pages: the cases the page links to -------------------------------------------------

ROWS_TEMPLATE = engines["django"].from_string(
    """{% extends "base_staff.html" %}{% load i18n %}
{% block title %}Floor{% endblock %}
{% block main %}<div class="grid-container usa-section"><h1>{{ heading }}</h1>
{% if rows %}<table class="usa-table usa-table--striped data-table"><thead><tr><th scope="col">Tracking number</th>
<th scope="col">Received</th><th scope="col">District</th><th scope="col">Status</th></tr></thead><tbody>
{% for r in rows %}<tr><th scope="row">
<a href="{% url 'cases:overview' r.tracking_number %}">{{ r.tracking_number }}</a></th>
<td>{{ r.received_at|date:"Y-m-d" }}</td><td>{{ r.district.name|default:"—" }}</td>
<td>{{ r.get_status_display }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>Nothing here.</p>{% endif %}</div>{% endblock %}"""
)


def rows_floor(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key, ListSpec)
    rows, _districts = _list_rows(spec.tracking_numbers)
    return HttpResponse(ROWS_TEMPLATE.render({"rows": rows, "heading": spec.extra.get("heading", "")}, request))


# --- Case tabs ------------------------------------------------------------------------------------


def _case_tab_sql(tab: str) -> tuple[str, str]:
    """(joins and columns of the tab's rows, their order) for one case tab."""
    from investigations.board.models import BoardDecision, DecisionFinding, Vote
    from investigations.models import (
        CaseNote,
        EvidenceItem,
        Finding,
        Interview,
        Investigation,
        StatusChange,
        Subpoena,
        TollingPeriod,
    )
    from oversight.models import Officer

    user = get_user_model()
    c_id = col(Complaint, "c", "id")
    history = Complaint.history.model
    tabs = {
        "overview": (
            f"""{cols(SubjectOfficer, "s", "name_as_given", "badge_as_given", "appearance")},
                {cols(Officer, "o", "badge_number", "first_name", "last_name")}, {col(Allegation, "a", "description")}
              FROM base LEFT JOIN {table(SubjectOfficer)} s ON {col(SubjectOfficer, "s", "complaint")} = base.id
              LEFT JOIN {table(Officer)} o ON o.id = {col(SubjectOfficer, "s", "officer")}
              LEFT JOIN {table(Allegation)} a ON {col(Allegation, "a", "subject_officer")} = s.id""",
            "s.id, a.id",
        ),
        "timeline": (
            f"""{cols(StatusChange, "t", "action", "from_status", "to_status", "reason", "created_at")},
                {cols(user, "u", "first_name", "last_name")}
              FROM base LEFT JOIN {table(StatusChange)} t ON {col(StatusChange, "t", "complaint")} = base.id
              LEFT JOIN {table(user)} u ON u.id = {col(StatusChange, "t", "actor")}""",
            f"{col(StatusChange, 't', 'created_at')}, t.id",
        ),
        "notes": (
            f"""{cols(CaseNote, "t", "kind", "body", "author_name", "created_at")}
              FROM base LEFT JOIN {table(CaseNote)} t ON {col(CaseNote, "t", "complaint")} = base.id""",
            f"{col(CaseNote, 't', 'created_at')} DESC, t.id DESC",
        ),
        "interviews": (
            f"""{cols(Interview, "t", "person_name", "role", "conducted_at", "location", "summary")},
                {cols(user, "u", "first_name", "last_name")}
              FROM base LEFT JOIN {table(Interview)} t ON {col(Interview, "t", "complaint")} = base.id
              LEFT JOIN {table(user)} u ON u.id = {col(Interview, "t", "interviewer")}""",
            f"{col(Interview, 't', 'conducted_at')}, t.id",
        ),
        "evidence": (
            f"""{cols(EvidenceItem, "t", "number", "kind", "source", "description", "received_at")},
                {cols(user, "u", "first_name", "last_name")}
              FROM base LEFT JOIN {table(EvidenceItem)} t ON {col(EvidenceItem, "t", "complaint")} = base.id
              LEFT JOIN {table(user)} u ON u.id = {col(EvidenceItem, "t", "received_by")}""",
            f"{col(EvidenceItem, 't', 'number')}",
        ),
        "subpoenas": (
            f"""{cols(Subpoena, "t", "number", "recipient_name", "demand", "due_date", "status")}
              FROM base LEFT JOIN {table(Subpoena)} t ON {col(Subpoena, "t", "complaint")} = base.id""",
            f"{col(Subpoena, 't', 'number')}",
        ),
        "findings": (
            f"""{col(Allegation, "a", "description")},
                {cols(Finding, "f", "proposed_disposition", "rationale", "final_disposition")}
              FROM base LEFT JOIN {table(Allegation)} a ON {col(Allegation, "a", "complaint")} = base.id
              LEFT JOIN {table(Finding)} f ON {col(Finding, "f", "allegation")} = a.id""",
            "a.id",
        ),
        "deadline": (
            f"""{cols(Investigation, "i", "priority", "discovery_date")},
                {cols(TollingPeriod, "t", "reason", "start", "end", "note")}
              FROM base LEFT JOIN {table(Investigation)} i ON {col(Investigation, "i", "complaint")} = base.id
              LEFT JOIN {table(TollingPeriod)} t ON {col(TollingPeriod, "t", "investigation")} = i.id""",
            "t.id",
        ),
        "history": (
            f"""{cols(history, "h", "history_date", "history_type", "status", "history_change_reason")}
              FROM base LEFT JOIN {table(history)} h ON h.{connection.ops.quote_name("id")} = base.id""",
            "h.history_date DESC, h.history_id DESC",
        ),
        "board": (
            f"""{cols(Vote, "t", "choice", "comment", "created_at")}, {cols(user, "u", "first_name", "last_name")}
              FROM base LEFT JOIN {table(Vote)} t ON {col(Vote, "t", "complaint")} = base.id
              LEFT JOIN {table(user)} u ON u.id = {col(Vote, "t", "member")}""",
            "t.id",
        ),
        "decision": (
            f"""{cols(BoardDecision, "t", "kind", "instructions", "created_at")},
                {cols(DecisionFinding, "df", "final_disposition", "rationale", "recommended_discipline")}
              FROM base LEFT JOIN {table(BoardDecision)} t ON {col(BoardDecision, "t", "complaint")} = base.id
              LEFT JOIN {table(DecisionFinding)} df ON {col(DecisionFinding, "df", "decision")} = t.id""",
            "t.id, df.id",
        ),
    }
    if tab not in tabs:
        raise Http404
    rest, order = tabs[tab]
    sql = f"""
        WITH base AS (
            SELECT {c_id} AS id, {cols(Complaint, "c", "tracking_number", "status", "received_at")},
                   {col(District, "d", "name")} AS district_name
              FROM {table(Complaint)} c LEFT JOIN {table(District)} d ON d.id = {col(Complaint, "c", "district")}
             WHERE {col(Complaint, "c", "tracking_number")} = %s)
        SELECT base.tracking_number, base.status, base.received_at, base.district_name, {rest}
         ORDER BY {order} LIMIT 200"""
    return sql, order


CASE_TEMPLATE = engines["django"].from_string(
    """{% extends "base_staff.html" %}
{% block title %}{{ tracking_number }}{% endblock %}
{% block main %}<div class="grid-container usa-section"><h1>{{ tracking_number }}</h1>
<p>{{ status }} · {{ received_at|date:"Y-m-d" }} · {{ district|default:"—" }}</p>
<h2>{{ tab }}</h2><table class="usa-table usa-table--striped data-table"><thead><tr>
{% for name in columns %}<th scope="col">{{ name }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for value in row %}<td>{{ value|default_if_none:"—"|linebreaksbr }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>{% endblock %}"""
)


def case_rows(tab: str, tracking_number: str) -> int:
    """How many rows the tab's floor shows for this case (what the page's queries may follow)."""
    sql, _order = _case_tab_sql(tab)
    _names, raw = _fetch(sql, [tracking_number])
    return sum(1 for row in raw if any(v is not None for v in row[4:]))


def case_floor(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key, CaseSpec)
    sql, _order = _case_tab_sql(spec.tab)
    names, raw = _fetch(sql, [spec.tracking_number])
    if not raw:
        raise Http404
    first = raw[0]
    context = {
        "tracking_number": first[0],
        "status": _STATUS.get(first[1], first[1]),
        "received_at": first[2],
        "district": first[3],
        "tab": spec.tab,
        "columns": names[4:],
        "rows": [row[4:] for row in raw if any(v is not None for v in row[4:])],
    }
    return HttpResponse(CASE_TEMPLATE.render(context, request))


# --- Intake ---------------------------------------------------------------------------------------

INTAKE_TEMPLATE = engines["django"].from_string(
    """{% extends "base_public.html" %}
{% block title %}Floor{% endblock %}
{% block main %}<div class="grid-container usa-section">
{% if tracking_number %}<dl><dt>Tracking number</dt><dd class="tracking-number">{{ tracking_number }}</dd></dl>
{% else %}<form method="post">{% csrf_token %}<input type="hidden" name="form_token" value="{{ form_token }}">
<textarea name="narrative"></textarea><button type="submit">Send</button></form>{% endif %}
</div>{% endblock %}"""
)


@ensure_csrf_cookie
def intake_floor(request: HttpRequest) -> HttpResponse:
    """GET: a form with a CSRF token. POST: one complaint, one party, one officer, one allegation."""
    if request.method != "POST":
        return HttpResponse(INTAKE_TEMPLATE.render({"form_token": uuid.uuid4().hex}, request))
    key = request.POST.get("form_token", "")[:64] or uuid.uuid4().hex
    with transaction.atomic():
        complaint, _created = Complaint.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "tracking_number": f"FLOOR-{uuid.uuid4().hex[:20]}",
                "narrative": request.POST.get("narrative", ""),
                "received_at": timezone.now(),
            },
        )
        if _created:
            Party.objects.create(
                complaint=complaint,
                role=Party.Role.COMPLAINANT,
                first_name=request.POST.get("first_name", ""),
                last_name=request.POST.get("last_name", ""),
                email=request.POST.get("email", ""),
            )
            subject = SubjectOfficer.objects.create(
                complaint=complaint,
                name_as_given=request.POST.get("officer_name", ""),
                badge_as_given=request.POST.get("badge", ""),
            )
            Allegation.objects.create(complaint=complaint, subject_officer=subject)
    return HttpResponse(INTAKE_TEMPLATE.render({"tracking_number": complaint.tracking_number}, request))
