"""The entry grid's cells, written in Python.

    {% load count_grid %}
    {% grid_cells row grid.money_fields %}

A state agency's grid is about fifty widgets by eight measures, and each cell is a
label, an input, its errors and the previous period's number: written through the
template language (about twenty-five nodes a cell) the page took a third of a
second to build. This writes the same markup in one call per row, every text
escaped as the template escaped it: the widget's name and the labels once a row,
what the person typed and the errors in each cell.
widgets/counting/count_entry.html keeps the rest of the page.
"""

from functools import cache

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

ERROR_CELL = ' class="count-grid__cell--error"'


@cache
def _escaped(text):
    """A label from the measures registry, escaped once per process."""
    return escape(text)


@register.simple_tag
def grid_cells(row, money_fields):
    """Every cell of one GridRow (widgets.counting.grid), in VALUE_FIELDS order."""
    not_applicable = row.widget.not_applicable_fields
    widget = escape(row.widget.name)
    prefix = row.prefix  # "w<pk>": no character to escape
    cells = []
    for name, label, raw, errors, previous in row.cells:
        cell_id, label = f"{prefix}-{name}", _escaped(label)
        if name in not_applicable:
            cells.append(_not_applicable_cell(cell_id, widget, label, errors))
        else:
            cells.append(_cell(cell_id, widget, label, raw, errors, previous, name in money_fields))
    return mark_safe("".join(cells))  # noqa: S308 - every text in it escaped above


def _errors(span_id, errors):
    if not errors:
        return ""
    return f'<span class="usa-error-message" id="{span_id}">{escape(" ".join(errors))}</span>'


def _not_applicable_cell(cell_id, widget, label, errors):
    return (
        f'\n<td data-label="{label}"{ERROR_CELL if errors else ""}>'
        f'<span aria-hidden="true">n/a</span>'
        f'<span class="usa-sr-only">{label} does not apply to {widget}</span>'
        f"{_errors(cell_id, errors)}</td>"
    )


def _cell(cell_id, widget, label, raw, errors, previous, money):
    if errors:
        input_class = "usa-input count-grid__input usa-input--error"
        described_by = f"{cell_id}-prev {cell_id}-error"
        invalid = ' aria-invalid="true"'
    else:
        input_class, described_by, invalid = "usa-input count-grid__input", f"{cell_id}-prev", ""
    shown = "unknown" if previous is None else escape(localize(previous))
    return (
        f'\n<td data-label="{label}"{ERROR_CELL if errors else ""}>\n'
        f'  <label class="usa-sr-only" for="{cell_id}">{label}, {widget}</label>\n'
        f'  <input class="{input_class}" id="{cell_id}" name="{cell_id}" value="{escape(raw)}" '
        f'inputmode="{"decimal" if money else "numeric"}" autocomplete="off" '
        f'aria-describedby="{described_by}"{invalid}>\n'
        f"  {_errors(f'{cell_id}-error', errors)}\n"
        f'  <span class="usa-hint count-grid__previous" id="{cell_id}-prev">Last: {shown}</span>\n'
        "</td>"
    )
