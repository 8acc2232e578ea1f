"""``{% load public_meetings %}``: whether the staff navigation shows the meetings pages."""

from typing import Any

from django import template

from ..workflow import may_manage_meetings as _may_manage

register = template.Library()


@register.filter
def may_manage_meetings(user: Any) -> bool:
    return _may_manage(user)
