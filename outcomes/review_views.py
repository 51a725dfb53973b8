"""The monthly business review and countermeasures: managers of the agency
change them; every member reads them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from agencies.models import Agency
from agencies.permissions import MANAGER, READ, grant
from agencies.scoping import can_change, get_readable_or_404
from config.forms import refuse_stale_save
from widgets.models import Widget

from . import services
from .forms import CountermeasureForm, ReviewCreateForm, ReviewRecordForm
from .models import Countermeasure, Outcome, Review, ReviewStatus
from .reviews import agenda

REVIEWS = Review.objects.select_related("agency", "closed_by")


@grant(READ, agency=Agency, by="slug")
def review_list(request, agency):
    may_manage = can_change(request.user, agency.pk, MANAGER)
    form = ReviewCreateForm(agency=agency) if may_manage else None
    return render(
        request,
        "outcomes/review_list.html",
        {
            "agency": agency,
            "reviews": agency.reviews.select_related("closed_by"),
            "form": form,
            "may_manage": may_manage,
        },
    )


@require_POST
@grant(MANAGER, agency=Agency, by="slug", to="hold its reviews")
def review_create(request, agency):
    form = ReviewCreateForm(request.POST, agency=agency)
    if form.is_valid():
        try:
            review = services.create_review(
                agency=agency, month=form.cleaned_data["month"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Review of {review.month:%B %Y} opened.")
            return redirect("outcomes:review-detail", pk=review.pk)
    return render(
        request,
        "outcomes/review_list.html",
        {"agency": agency, "reviews": agency.reviews.all(), "form": form, "may_manage": True},
        status=400,
    )


@grant(READ, review=REVIEWS, post=MANAGER, to="record its reviews")
def review_detail(request, review):
    may_manage = can_change(request.user, review.agency_id, MANAGER)
    form = None
    if may_manage and review.status == ReviewStatus.OPEN:
        form = ReviewRecordForm(request.POST or None, instance=review)
        if request.method == "POST" and form.is_valid():
            services.update_review(
                review=review,
                attendees=form.cleaned_data["attendees"],
                decisions=form.cleaned_data["decisions"],
                by=request.user,
            )
            messages.success(request, "Saved the record of the review.")
            return redirect("outcomes:review-detail", pk=review.pk)
    elif request.method == "POST":
        raise PermissionDenied("This review is closed: its record can no longer change.")
    return render(
        request,
        "outcomes/review_detail.html",
        {
            "review": review,
            "agenda": agenda(review, reader=request.user),
            "form": form,
            "may_manage": may_manage,
            "countermeasures": review.countermeasures.select_related("outcome", "widget"),
        },
    )


@require_POST
@grant(MANAGER, review=REVIEWS, to="close its reviews")
def review_close(request, review):
    try:
        services.close_review(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The review of {review.month:%B %Y} is closed.")
    return redirect("outcomes:review-detail", pk=review.pk)


@grant(READ, review=REVIEWS)
def review_pack(request, review):
    """The printable pack: one page per program, and one for agency-wide outcomes."""
    items = agenda(review, reader=request.user)
    programs = list(review.agency.programs.order_by("name"))
    sections = []
    for program in [*programs, None]:
        outcomes = [o for o in items.outcomes if o.program_id == (program.pk if program else None)]
        widgets = [w for w in items.widgets if program and w.program_id == program.pk]
        if outcomes or widgets:
            sections.append({"program": program, "outcomes": outcomes, "widgets": widgets})
    open_countermeasures = Countermeasure.objects.open().filter(agency=review.agency)
    return render(
        request,
        "outcomes/review_pack.html",
        {
            "review": review,
            "agenda": items,
            "sections": sections,
            "countermeasures": open_countermeasures.select_related("outcome", "widget", "owner"),
        },
    )


@require_GET
@grant(READ, review=REVIEWS)
def review_pack_pdf(request, review):
    """The kept pack (outcomes.packs), for whoever may read the review: a download,
    kept by no shared cache."""
    if not review.pack:
        raise Http404("No pack has been kept for this review yet.")
    with review.pack.open("rb") as pack:  # a few hundred kB at most
        response = HttpResponse(pack.read(), content_type="application/pdf")
    name = f"{review.agency.abbreviation}-review-pack-{review.month:%Y-%m}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private"
    return response


@require_POST
@grant(MANAGER, review=REVIEWS, to="make its review packs")
def review_pack_make(request, review):
    """Make the pack now and keep it (a draft while the review is open)."""
    try:
        review = services.keep_review_pack(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        made = timezone.localtime(review.pack_made_at)
        messages.success(request, f"Made the review pack ({made:%-d %B %Y, %H:%M}).")
    return redirect("outcomes:review-detail", pk=review.pk)


@grant(MANAGER, agency=Agency, by="slug", to="set its countermeasures")
def countermeasure_create(request, agency):
    """A countermeasure for an outcome (?outcome=) or a widget (?widget=) of the agency."""
    source = request.POST if request.method == "POST" else request.GET
    countermeasure = Countermeasure(agency=agency, owner=request.user)
    if source.get("outcome", "").isdigit():
        countermeasure.outcome = get_readable_or_404(
            Outcome.objects.filter(agency=agency), request.user, pk=source["outcome"]
        )
    elif source.get("widget", "").isdigit():
        countermeasure.widget = get_readable_or_404(
            Widget.objects.filter(agency=agency), request.user, pk=source["widget"]
        )
    else:
        raise PermissionDenied("Open a countermeasure from the outcome or widget it is for.")
    review = None
    if source.get("review", "").isdigit():
        review = get_readable_or_404(
            Review.objects.filter(agency=agency, status=ReviewStatus.OPEN),
            request.user,
            pk=source["review"],
        )
    return _edit_countermeasure(request, countermeasure, agency, review)


@grant(
    MANAGER,
    countermeasure=Countermeasure.objects.select_related("agency", "outcome", "widget"),
    to="change its countermeasures",
)
def countermeasure_edit(request, countermeasure):
    return _edit_countermeasure(request, countermeasure, countermeasure.agency, None)


def _edit_countermeasure(request, countermeasure, agency, review):
    conflict = None
    form = CountermeasureForm(request.POST or None, instance=countermeasure, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_countermeasure(
                countermeasure=form.save(commit=False),
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                review=review,
            )
        except services.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this countermeasure")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved the countermeasure.")
            if review is not None:
                return redirect("outcomes:review-detail", pk=review.pk)
            if saved.outcome_id:
                return redirect(saved.outcome)
            return redirect("outcomes:dashboard", slug=agency.slug)
    return render(
        request,
        "outcomes/countermeasure_form.html",
        {
            "form": form,
            "countermeasure": countermeasure,
            "agency": agency,
            "review": review,
            "conflict": conflict,
        },
    )
