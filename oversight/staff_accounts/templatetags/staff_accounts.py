"""``{{ user|may_manage_accounts }}``: whether the staff menu shows "Staff accounts" (supervisors)."""

from typing import Any

from django import template

from oversight import permissions

register = template.Library()


@register.filter(name="may_manage_accounts")
def may_manage_accounts(user: Any) -> bool:
    return permissions.may_manage_accounts(user)
