"""{{ items|in_parts:10 }}: a long list shown as its first items, the rest folded.

    {% load lists %}
    {% for part in attention.late|in_parts:10 %}
      {% if part.folded %}<details><summary>Show {{ part.items|length }} more</summary>{% endif %}
      <ul>{% for item in part.items %}...{% endfor %}</ul>
      {% if part.folded %}</details>{% endif %}
    {% endfor %}

The markup of an item is written once, in one loop, for the part shown and for the
part folded: the page has every item (a reader opens the rest without a request),
and the first screen is not a wall of them.
"""

from typing import NamedTuple

from django import template

register = template.Library()


class Part(NamedTuple):
    items: list
    folded: bool  # the rest, behind "Show N more"


@register.filter
def in_parts(items, shown):
    """[Part(first `shown` items, False)] and, when there are more, Part(the rest,
    True); nothing for no items."""
    items = list(items or ())
    shown = int(shown)
    parts = [Part(items[:shown], False)] if items else []
    if len(items) > shown:
        parts.append(Part(items[shown:], True))
    return parts
