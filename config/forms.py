"""One form renderer for every form in the app (docs/domain.md, "Conventions").

The bound field adds the U.S. Web Design System classes to each widget (Django
itself ties hints and errors to their input with aria-describedby), so that templates render a
field with `{{ field.as_field_group }}` and stay free of markup decisions.
"""

from html import escape as _escape  # what django.utils.html.escape does, unwrapped

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# Most specific first: isinstance() picks the first match.
WIDGET_CLASSES = {
    forms.CheckboxSelectMultiple: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.Textarea: "usa-textarea",
    forms.Select: "usa-select",
    forms.FileInput: "usa-file-input",
    forms.widgets.Input: "usa-input",
}


def widget_class(widget):
    for widget_type, css_class in WIDGET_CLASSES.items():
        if isinstance(widget, widget_type):
            return css_class
    return ""


class USWDSBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        classes = [widget_class(widget), attrs.get("class", "")]
        if self.errors and not isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            classes.append("usa-input--error")
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class USWDSFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = USWDSBoundField


class QuickSelect(forms.Select):
    """Django's select, written in Python instead of through its templates.

    Django renders each option by including a template (select_option.html, then
    attrs.html), which costs far more than the markup: a select of a few hundred
    options (the widget list's filters at a state's size: every program, customer
    segment and owner) took tens of milliseconds. This writes the same markup as
    Django's templates, escaped the same way (tests/test_form_renderer.py compares
    the two). It renders no template, so a form renderer cannot restyle it.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts += [
                    '\n  <option value="',
                    _escape(str(option["value"])),
                    '"',
                    _attrs(option["attrs"]) if option["attrs"] else "",
                    ">",
                    _escaped(option["label"]),
                    "</option>\n",  # select_option.html ends with a newline
                ]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


class NamedChoiceIterator(forms.models.ModelChoiceIterator):
    """ModelChoiceIterator's choices read as (primary key, label) pairs in one query,
    without making a model instance per option (a few hundred options at a state's
    size: the widget list's programs, customer segments and owners)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.label_field)


class NamedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are labelled by one field of the model
    (`label_field`, "name" unless told), read without model instances. Its model's
    `__str__` must return that field, so that the option reads as Django's would
    (tests/test_form_renderer.py compares the two). Validation is
    ModelChoiceField's: the chosen row is read from the queryset."""

    iterator = NamedChoiceIterator

    def __init__(self, queryset, *, label_field="name", **kwargs):
        self.label_field = label_field
        super().__init__(queryset, **kwargs)


def _escaped(text):
    """conditional_escape(text), without its check for lazy arguments on every call
    (a tenth of the widget list's build, for a few hundred options)."""
    return text.__html__() if hasattr(text, "__html__") else _escape(str(text))


def _attrs(attrs):
    """As Django's django/forms/widgets/attrs.html: False leaves the attribute out,
    True writes its bare name, any other value is written as text."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


def refuse_stale_save(form, *, current, noun):
    """Tell the person their save came after someone else's, and keep what they typed.

    Every edit form with optimistic locking (a hidden `version`) answers the
    same way: nothing saved, the other version shown beside the form, and the
    form's version moved on so that saving again replaces it knowingly.
    """
    form.add_error(
        None,
        f"Someone else saved {noun} after you opened it. Nothing you typed was saved: "
        "compare with their version below, then save again.",
    )
    form.data = form.data.copy()
    form.data["version"] = current.version
    return current
