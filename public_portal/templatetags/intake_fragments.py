"""Reusing intake markup that is the same for every visitor.

Most of a step page's rendering time goes into its form widgets, and a step seen for the first time
shows its form blank: the same markup for every visitor in the same language. So is the progress
indicator above it. Such markup is kept per process, under a key the view builds from everything
it depends on (step, mode, language, and what the form itself reports, such as the district list).
The view gives no key when the markup would carry anything of the visitor's (a form bound to their
answers, errors, uploaded files), and the block is then rendered as usual.
"""

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock

from django import template
from django.dispatch import receiver
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString

register = template.Library()

# Bounded: a key holds the step, mode, languages and a few values from the database, so the live
# set is a few dozen entries; old district lists or consent versions age out.
MAX_FRAGMENTS = 256
_fragments: "OrderedDict[Hashable, SafeString]" = OrderedDict()
_lock = Lock()


def fragments_clear() -> None:
    """Forget every kept fragment."""
    with _lock:
        _fragments.clear()


@receiver(file_changed, dispatch_uid="public_portal.intake_fragments.file_changed")
def _forget_on_file_change(sender, file_path, **kwargs) -> None:
    """The development server reloads templates without restarting: drop the kept markup too.
    Returns None, so the server's own handling of the change goes on as before."""
    fragments_clear()


class KeepNode(Node):
    def __init__(self, nodelist: NodeList, key: FilterExpression) -> None:
        self.nodelist = nodelist
        self.key = key

    def render(self, context: Context) -> str:
        key = self.key.resolve(context, ignore_failures=True)
        if key is None:
            return self.nodelist.render(context)
        with _lock:
            markup = _fragments.get(key)
            if markup is not None:
                _fragments.move_to_end(key)
                return markup
        # A node list renders to a SafeString: the template's own output, escaped as it rendered.
        markup = self.nodelist.render(context)
        with _lock:
            _fragments[key] = markup
            while len(_fragments) > MAX_FRAGMENTS:
                _fragments.popitem(last=False)
        return markup


@register.tag
def keep(parser: Parser, token: Token) -> KeepNode:
    """``{% keep key %}…{% endkeep %}``: the enclosed markup, rendered once per ``key`` and reused;
    rendered every time when ``key`` is None. The key must name everything the markup shows."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the key")
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, parser.compile_filter(bits[1]))
