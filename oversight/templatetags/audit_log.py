"""``{% if user|may_review_audit_log %}``: whether to offer the audit log in the staff navigation
(the rule is ``oversight.permissions.may_review_audit_log``, the same the page applies)."""

from typing import Any

from django import template

from oversight import permissions

register = template.Library()


@register.filter(name="may_review_audit_log")
def may_review_audit_log(user: Any) -> bool:
    return permissions.may_review_audit_log(user)
