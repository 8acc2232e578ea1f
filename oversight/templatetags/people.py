"""How staff pages name the person who did something.

``{{ user|person }}`` gives the user's full name, or their username when no full name is on
record. Rows that outlive their actor keep a snapshot of the name (``actor_username`` and the
like); pass it as the argument, ``{{ event.actor|person:event.actor_username }}``, and it is shown
when the account is gone. Nothing known gives an empty string, so a page can add
``|default:"—"``.
"""

from typing import Any

from django import template

register = template.Library()


def person_name(user: Any, snapshot: Any = "") -> str:
    """The name staff read for ``user``: full name, else username, else ``snapshot``."""
    if user is not None and hasattr(user, "get_username"):
        full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
        name = (full_name or "").strip() or (user.get_username() or "").strip()
        if name:
            return name
    return str(snapshot or "").strip()


@register.filter(name="person")
def person(user: Any, snapshot: Any = "") -> str:
    return person_name(user, snapshot)
