"""The one form renderer: USWDS classes, and every hint and error rendered where
the input's aria-describedby points."""

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from config.forms import widget_class


class SampleForm(forms.Form):
    name = forms.CharField(help_text="A noun.")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    channels = forms.MultipleChoiceField(
        choices=[("online", "Online"), ("mail", "Mail")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply.",
    )
    size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
    agree = forms.BooleanField(help_text="Required to continue.")
    notes = forms.CharField(widget=forms.Textarea, required=False)


def test_inputs_get_uswds_classes():
    html = str(SampleForm())
    assert 'class="usa-input"' in html
    assert 'class="usa-select"' in html
    assert 'class="usa-textarea"' in html
    assert 'class="usa-checkbox__input"' in html
    assert widget_class(forms.CheckboxSelectMultiple()) == "usa-checkbox__input"


def test_checkboxes_are_square_and_radio_buttons_round():
    """Each option is wrapped and labelled by its own kind: a checkbox of a multiple
    choice in `usa-checkbox` (square), a radio button in `usa-radio` (round)."""
    html = str(SampleForm())
    for value, label in (("online", "Online"), ("mail", "Mail")):
        assert re.search(
            rf'<div class="usa-checkbox"><input type="checkbox" name="channels" value="{value}"'
            rf'[^>]*>\s*<label class="usa-checkbox__label" [^>]*>{label}</label>',
            html,
        ), label
    assert re.search(
        r'<div class="usa-radio"><input type="radio" name="size" value="s"[^>]*>\s*'
        r'<label class="usa-radio__label" [^>]*>Small</label>',
        html,
    )
    assert "usa-radio__label" not in html.split('name="size"')[0]


def test_every_described_by_id_is_rendered_with_hints_and_errors():
    form = SampleForm(data={"kind": "zzz"})
    assert not form.is_valid()
    html = str(form)
    ids = set(re.findall(r'id="([^"]+)"', html))
    described = {
        i for group in re.findall(r'aria-describedby="([^"]+)"', html) for i in group.split()
    }
    assert described, "inputs should be described by hints and errors"
    assert described <= ids, described - ids
    assert "A noun." in html
    assert "This field is required." in html
    assert "Select a valid choice." in html
    assert 'aria-invalid="true"' in html
    assert "usa-form-group--error" in html


# --- QuickSelect: Django's select markup, without a template per option -------------------


QUICK_SELECT_CASES = [
    # (choices, value, attrs)
    ([("", "Any"), ("a", "A"), ("b", "B")], "b", {"class": "usa-select", "id": "id_kind"}),
    ([("", "Any"), ("a", "A")], None, {"required": True, "disabled": False}),
    ([(1, "One"), (2, "Two"), (10, "Ten")], 10, {"aria-describedby": "id_n_hint"}),
    (
        [("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("other", "Other")],
        "pear",
        {},
    ),
    ([("<x>", 'Tom & "Jerry" <b>'), ("y", "Y's")], "<x>", {"data-x": '"quoted" & <tag>'}),
    ([], "", {}),
    ([(None, "None"), ("", "Blank"), ("1", "One")], "", {}),  # None is "", and selected
    ([("a", "First"), ("a", "Again"), ("b", "B")], "a", {}),  # only the first is selected
    ([("Group <1>", [(1, "One & only")]), (2, 3)], "1", {"multiple": False}),
    ([(True, "Yes"), (False, "No")], False, {}),
    # A label already safe is written as it is; a lazy one as its text, escaped.
    ([("a", mark_safe("<b>A</b>")), ("b", gettext_lazy("Tom & Jerry"))], "b", {}),
]


@pytest.mark.parametrize(("choices", "value", "attrs"), QUICK_SELECT_CASES)
def test_quick_select_writes_exactly_what_djangos_select_template_writes(choices, value, attrs):
    from config.forms import QuickSelect

    expected = forms.Select(choices=choices).render("field", value, attrs=attrs)
    assert QuickSelect(choices=choices).render("field", value, attrs=attrs) == expected


@pytest.mark.django_db
def test_quick_select_writes_a_model_choice_as_djangos_select_does(agency_a, agency_b):
    from agencies.models import Agency
    from config.forms import QuickSelect

    def field(widget):
        return forms.ModelChoiceField(
            queryset=Agency.objects.order_by("name"), widget=widget, empty_label="All"
        )

    class Django(forms.Form):
        agency = field(forms.Select)

    class Quick(forms.Form):
        agency = field(QuickSelect)

    for data in ({}, {"agency": agency_b.pk}):
        expected = str(Django(data or None)["agency"])
        assert str(Quick(data or None)["agency"]) == expected
        assert agency_a.name in expected


# --- NamedChoiceField: a ModelChoiceField's options, without a model instance each ------


@pytest.mark.django_db
def test_named_choices_write_exactly_what_a_model_choice_field_writes(
    agency_a, agency_b, staff_a, manager_b
):
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, Program
    from config.forms import NamedChoiceField, QuickSelect
    from customers.models import CustomerSegment
    from tests import factories as f

    f.ProgramFactory(agency=agency_a, name="Licensing <& permits>")
    f.ProgramFactory(agency=agency_b)
    f.CustomerSegmentFactory(agency=agency_b, name='Small businesses & "sole" traders')
    f.CustomerSegmentFactory(agency=agency_a)
    cases = [
        (Agency.objects.order_by("name"), "name"),
        (Program.objects.order_by("name"), "name"),
        (CustomerSegment.objects.order_by("name"), "name"),
        (get_user_model().objects.order_by("username"), "username"),
    ]
    for queryset, label_field in cases:
        rows = list(queryset)
        assert len(rows) >= 2
        for empty_label in ("Any", None):

            class Model(forms.Form):
                choice = forms.ModelChoiceField(
                    queryset=queryset, widget=QuickSelect, empty_label=empty_label
                )

            class Named(forms.Form):
                choice = NamedChoiceField(
                    queryset=queryset,
                    widget=QuickSelect,
                    empty_label=empty_label,
                    label_field=label_field,
                )

            for data in ({}, {"choice": rows[1].pk}, {"choice": "nonsense"}):
                expected = str(Model(data or None)["choice"])
                assert str(Named(data or None)["choice"]) == expected
                assert all(f'value="{row.pk}"' in expected for row in rows)
            named, model = Named({"choice": rows[1].pk}), Model({"choice": rows[1].pk})
            assert named.is_valid() and model.is_valid()
            assert named.cleaned_data["choice"] == model.cleaned_data["choice"] == rows[1]
            refused = Named({"choice": "nonsense"})
            assert not refused.is_valid()
            assert refused.errors == Model({"choice": "nonsense"}).errors
