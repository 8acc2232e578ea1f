"""What messages add to the case workspace, registered from ``CaseMessagesConfig.ready``:

- ``case.tabs``: the Messages tab, for whoever may work the case, with the count of answers
  nobody has read yet;
- ``dashboard.panels`` and ``staff_home.panels``: the cases waiting with answers nobody has read.
"""

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from complaints.models import Complaint
from oversight import hooks

from .selectors import case_unread_replies, cases_with_unread_replies, may_message


def _case_tabs(complaint: Complaint, user: Any) -> list[tuple[str, Any, str]] | None:
    if not may_message(user, complaint):
        return None
    unread = case_unread_replies(complaint=complaint)
    label = (
        ngettext("Messages (%(count)d new)", "Messages (%(count)d new)", unread) % {"count": unread}
        if unread
        else gettext_lazy("Messages")
    )
    return [("messages", label, reverse("staff:case_messages:case", args=[complaint.tracking_number]))]


def _panel(request: Any) -> str | None:
    rows = cases_with_unread_replies(user=request.user)
    if not rows:
        return None
    return render_to_string("case_messages/dashboard_panel.html", {"rows": rows}, request=request)


def register() -> None:
    hooks.register("case.tabs", "case_messages", _case_tabs)
    hooks.register("dashboard.panels", "case_messages", _panel)
    hooks.register("staff_home.panels", "case_messages", _panel)
