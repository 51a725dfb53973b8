"""A segment's page (widgets, on-time share, satisfaction over time) and the statewide view."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import SegmentKind
from customers.selectors import months_ago, received_widgets, statewide, survey_series
from widgets.models import WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def _satisfaction(**points):
    return {f"satisfaction_{p}": points.get(f"p{p}", 0) for p in range(1, 6)}


def test_months_ago_crosses_years():
    assert months_ago(dt.date(2026, 3, 20), 12) == dt.date(2025, 3, 1)
    assert months_ago(dt.date(2026, 1, 5), 1) == dt.date(2025, 12, 1)


def test_on_time_share_sums_the_last_12_months(staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    widget = f.WidgetFactory(agency=agency_a)
    widget.customer_segments.add(segment)
    f.WidgetCountFactory(
        widget=widget, period_start=dt.date(2026, 1, 1), delivered=100, within_standard=90
    )
    f.WidgetCountFactory(
        widget=widget, period_start=dt.date(2026, 2, 1), delivered=100, within_standard=60
    )
    # Too old, and one with within_standard unknown: neither counts.
    f.WidgetCountFactory(
        widget=widget, period_start=dt.date(2024, 1, 1), delivered=100, within_standard=0
    )
    f.WidgetCountFactory(
        widget=widget, period_start=dt.date(2026, 3, 1), delivered=50, within_standard=None
    )
    [w] = received_widgets(segment, staff_a, today=TODAY)
    assert (w.within_standard_12m, w.delivered_12m) == (150, 200)
    assert w.on_time_percent == 75.0


def test_widget_without_counts_has_unknown_on_time_share(staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    f.WidgetFactory(agency=agency_a).customer_segments.add(segment)
    [w] = received_widgets(segment, staff_a, today=TODAY)
    assert w.on_time_share is None and w.csat is None


def test_segment_satisfaction_per_widget_uses_this_segments_results(staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    widget = f.WidgetFactory(agency=agency_a)
    widget.customer_segments.add(segment)
    f.SurveyResultFactory(
        widget=widget,
        segment=segment,
        period_start=dt.date(2026, 1, 1),
        **_satisfaction(p4=10, p5=20, p1=10),
    )
    f.SurveyResultFactory(widget=widget, period_start=dt.date(2026, 1, 1), **_satisfaction(p1=90))
    [w] = received_widgets(segment, staff_a, today=TODAY)
    assert (w.csat.satisfied, w.csat.responses, w.csat.percent) == (30, 40, 75.0)
    assert not w.csat.low_sample


def test_other_agencies_drafts_are_not_shown_on_a_segment(staff_b, agency_a, agency_b):
    segment = f.CustomerSegmentFactory(agency=agency_b)
    draft = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    draft.customer_segments.add(segment)
    f.SurveyResultFactory(widget=draft, segment=segment, **_satisfaction(p5=50))
    assert received_widgets(segment, staff_b, today=TODAY) == []
    assert survey_series(segment, staff_b) == []


def test_survey_series_sums_widgets_per_period_and_flags_low_samples(staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    w1, w2 = f.WidgetFactory(agency=agency_a), f.WidgetFactory(agency=agency_a)
    f.SurveyResultFactory(
        widget=w1, segment=segment, period_start=dt.date(2026, 1, 1), **_satisfaction(p5=10, p2=10)
    )
    f.SurveyResultFactory(
        widget=w2, segment=segment, period_start=dt.date(2026, 1, 1), **_satisfaction(p4=20)
    )
    f.SurveyResultFactory(
        widget=w1, segment=segment, period_start=dt.date(2026, 2, 1), **_satisfaction(p4=5)
    )
    january, february = survey_series(segment, staff_a)
    assert january["widget_count"] == 2
    assert (january["csat"].satisfied, january["csat"].responses) == (30, 40)
    assert not january["csat"].low_sample
    assert february["csat"].low_sample and february["csat"].percent == 100.0


def test_segment_page_shows_chart_data_and_table(client, staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    widget = f.WidgetFactory(agency=agency_a, name="Grazing permit")
    widget.customer_segments.add(segment)
    f.SurveyResultFactory(widget=widget, segment=segment, **_satisfaction(p5=5, p1=5))
    client.force_login(staff_a)
    response = client.get(reverse("customers:detail", args=[segment.pk]))
    body = response.content.decode()
    assert 'id="segment-chart-spec"' in body and 'data-vega-spec="segment-chart-spec"' in body
    values = response.context["chart"].spec["data"]["values"]
    assert [(v["csat"], v["low"]) for v in values] == [(50.0, True)]
    assert "Low sample" in body
    assert "Grazing permit" in body
    assert "js/vega-charts.js" in body and "<script>" not in body


def _detail_queries(client, segment):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("customers:detail", args=[segment.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_segment_page_queries_do_not_grow_with_rows(client, staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    widget = f.WidgetFactory(agency=agency_a)
    widget.customer_segments.add(segment)
    f.WidgetCountFactory(widget=widget)
    f.SurveyResultFactory(widget=widget, segment=segment)
    client.force_login(staff_a)
    one = _detail_queries(client, segment)
    for month in range(2, 8):
        w = f.WidgetFactory(agency=agency_a)
        w.customer_segments.add(segment)
        f.WidgetCountFactory(widget=w, period_start=dt.date(2026, month, 1))
        f.SurveyResultFactory(widget=w, segment=segment, period_start=dt.date(2026, month, 1))
    assert _detail_queries(client, segment) == one


def test_statewide_counts_widgets_and_agencies_per_kind(staff_a, agency_a, agency_b):
    third = f.AgencyFactory()
    for agency, n in ((agency_a, 2), (agency_b, 1)):
        segment = f.CustomerSegmentFactory(agency=agency, kind=SegmentKind.BUSINESS)
        for _ in range(n):
            f.WidgetFactory(agency=agency, status=WidgetStatus.APPROVED).customer_segments.add(
                segment
            )
    # A second business segment on the same widget does not count it twice.
    again = f.CustomerSegmentFactory(agency=agency_a, kind=SegmentKind.BUSINESS)
    agency_a.widgets.first().customer_segments.add(again)
    # Another agency's draft is not the reader's to see.
    hidden = f.CustomerSegmentFactory(agency=third, kind=SegmentKind.BUSINESS)
    f.WidgetFactory(agency=third, status=WidgetStatus.DRAFT).customer_segments.add(hidden)
    kinds = {k["kind"]: k for k in statewide(staff_a)}
    assert list(kinds) == list(SegmentKind.values)
    business = kinds["business"]
    assert (business["widget_count"], business["agency_count"], business["segment_count"]) == (
        3,
        2,
        4,
    )
    assert kinds["nonprofit"]["widget_count"] == 0


def test_statewide_page_reads_in_words(client, staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a, kind=SegmentKind.BUSINESS)
    f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED).customer_segments.add(segment)
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("customers:statewide")).content.decode()
    assert "Businesses receive 1 widget from 1 agency." in body
    assert "Nonprofits receive 0 widgets from 0 agencies." in body
    assert len(ctx.captured_queries) <= 6


def test_two_survey_periods_of_one_month_are_told_apart(client, staff_a, agency_a):
    """A survey result's period starts on any day: two in November both read
    "Nov 2026" on the segment's page and the widget's. Each names its first day."""
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    widget = f.WidgetFactory(agency=agency_a, name="Grazing permit")
    widget.customer_segments.add(segment)
    for day in (1, 15):
        f.SurveyResultFactory(widget=widget, segment=segment, period_start=dt.date(2026, 11, day))
    client.force_login(staff_a)
    for url in (reverse("customers:detail", args=[segment.pk]), widget.get_absolute_url()):
        html = client.get(url).text
        assert "1 Nov 2026" in html and "15 Nov 2026" in html, url
        assert "Period starting" in html
