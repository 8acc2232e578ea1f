"""The one place a template shows personal data.

::

    {% load personal_data %}
    {% personal_data "parties" complaint %}
      ... the people on the complaint ...
    {% withheld %}
      ... what a user who may not see them gets instead (optional) ...
    {% endpersonal_data %}

The first argument is a kind from ``oversight.personal_data.KINDS``; the second, optional, is the
target (the complaint, or the intake draft). A user who may see that kind (``personal_data.may_view``)
gets the block, and, when the block renders anything but whitespace, the read is marked for the
response's one ``personal_data.viewed`` event. Anyone else gets the ``withheld`` part, and no mark.
Marking makes no query, so the tag may sit inside a loop over rows.

For a content kind (the narrative, notes, interview summaries, evidence, history) a user who may not
see people's details gets the block with the case's people replaced by their roles ("[a witness]",
``personal_data.free_text``), so a name written into a note reaches only those who may read it.

``{% personal_data_shown "kind" target %}`` marks without a block, where a template is shared with a
surface whose readers are not audited.

One person a record names (a party, an interview, a subpoena)::

    {% person_details subpoena complaint as recipient %}
    {{ recipient.name|capfirst }}{% if recipient.address %} {{ recipient.address|linebreaksbr }}{% endif %}

gives ``personal_data.person``: the name and contact details to a user who may see them (and marks
the read on ``complaint``), the role standing in for the person ("a person subpoenaed") with every
detail empty to anyone else. ``{% free_text subpoena.description|linebreaksbr complaint %}`` shows
other staff-written text about the case the same way as a content block, without marking a read.
"""

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token

from oversight import personal_data

register = template.Library()


class PersonalDataNode(template.Node):
    def __init__(
        self, kind: FilterExpression, target: FilterExpression | None, shown: NodeList, withheld: NodeList
    ) -> None:
        self.kind = kind
        self.target = target
        self.shown = shown
        self.withheld = withheld

    def render(self, context: template.Context) -> str:
        kind = self.kind.resolve(context)
        target = self.target.resolve(context) if self.target is not None else None
        request = context.get("request")
        user = getattr(request, "user", None) or context.get("user")
        if not personal_data.may_view(user, kind):
            return self.withheld.render(context)
        output = self.shown.render(context)
        if output.strip():
            personal_data.shown(request, target, [kind])
            if kind in personal_data.CONTENT_KINDS:
                output = personal_data.free_text(user, output, target, request=request)
        return output


@register.tag(name="personal_data")
def do_personal_data(parser: Parser, token: Token) -> PersonalDataNode:
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError(f"{bits[0]} takes a kind and, optionally, a target")
    kind_literal = bits[1]
    if kind_literal[:1] in "\"'" and kind_literal[-1:] == kind_literal[:1]:
        try:
            personal_data.check_kinds([kind_literal[1:-1]])
        except personal_data.UnknownKind as error:
            raise template.TemplateSyntaxError(str(error)) from None
    kind = parser.compile_filter(kind_literal)
    target = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    shown = parser.parse(("withheld", "endpersonal_data"))
    withheld = NodeList()
    if parser.next_token().contents == "withheld":
        withheld = parser.parse(("endpersonal_data",))
        parser.delete_first_token()
    return PersonalDataNode(kind, target, shown, withheld)


@register.simple_tag(takes_context=True, name="personal_data_shown")
def personal_data_shown(context: template.Context, kind: str, target: Any = None) -> str:
    """``{% personal_data_shown "parties" draft %}`` marks a read without wrapping a block, for a page
    whose fragments are shared with a surface that is not audited (the staff entry's review page
    shows what the public form's review page shows); it outputs nothing. The user must still be one
    who may see ``kind``."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if personal_data.may_view(user, kind):
        personal_data.shown(request, target, [kind])
    return ""


@register.filter(name="may_view_personal_data")
def may_view_personal_data(user: Any, kind: str = "parties") -> bool:
    """``{% if user|may_view_personal_data:"parties" %}``: the same rule as the block, for a
    heading or a form field that goes with a block."""
    return personal_data.may_view(user, kind)


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True, name="person_details")
def person_details(context: template.Context, obj: Any, target: Any = None) -> personal_data.Shown:
    """``{% person_details interview complaint as who %}``: the person as this user may read them
    (``personal_data.person``); ``who.name`` is the name or the role standing in for it."""
    return personal_data.person(_user(context), obj, request=context.get("request"), target=target)


@register.simple_tag(takes_context=True, name="free_text")
def free_text(context: template.Context, value: Any, target: Any = None) -> str:
    """``{% free_text subpoena.description|linebreaksbr complaint %}``: staff-written text about the
    case with its people replaced by their roles for a user who may not see them."""
    return personal_data.free_text(_user(context), value, target, request=context.get("request"))
