"""`manage.py seed_demo`: three agencies of a US state, with demo data and logins.

Idempotent: every row is found by its natural key and only written when it is
missing or differs, so a second run creates and changes nothing. Deterministic:
random numbers come from `random.Random` seeded per item from `--seed`, and the
24 months of counts and measurements end with the last complete month before
`timezone.localdate()`. The tables themselves are in `_demo_data.py`.
"""

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, Program, Role
from customers.models import CustomerSegment
from outcomes import services
from outcomes.models import (
    Contribution,
    Countermeasure,
    CountermeasureState,
    Direction,
    Measurement,
    Outcome,
    Review,
    ReviewStatus,
    StepChange,
)
from widgets import counting, measures
from widgets.flow import latest_due_period
from widgets.models import (
    COUNTED_STATUSES,
    SCALE,
    CountSource,
    Question,
    Survey,
    SurveyResponse,
    SurveyResult,
    Widget,
    WidgetCount,
    answer_field,
)
from widgets.periods import (
    Frequency,
    fiscal_year,
    fiscal_year_start,
    period_start,
)
from widgets.surveys import answering, hosting

from ._demo_data import ADMIN, AGENCIES, QUESTION_OFFSET
from ._demo_huddles import HuddleSeeding
from ._simulate import answers_for, outcome_values, recent_periods, simulate_counts

DEMO_PASSWORD = "widgets-demo-2026"  # noqa: S105 - documented demo login, never production

MONTHS = 24
PERIODS_PER_FREQUENCY = {Frequency.MONTH: MONTHS, Frequency.QUARTER: MONTHS // 3}
SURVEY_QUARTERS = 4


class Command(HuddleSeeding, BaseCommand):
    help = "Load demo agencies, widgets, counts, surveys, outcomes and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args, seed, **options):
        started = time.monotonic()
        self.seed = seed
        self.today = timezone.localdate()
        self.created, self.updated = Counter(), Counter()
        with transaction.atomic():
            admin = self.user(ADMIN["username"], ADMIN["email"], ADMIN["name"], superuser=True)
            logins = [(admin.username, "Administrator (Django admin)")]
            for spec in AGENCIES:
                logins += self.agency(spec)
            self.huddles()
        self.report(logins, time.monotonic() - started)

    def rng(self, *parts):
        return random.Random(":".join(map(str, (self.seed, *parts))))  # noqa: S311 - demo data

    # -- writing -----------------------------------------------------------

    def upsert(self, model, lookup, values):
        """Find by natural key; create, or save only the fields that differ."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.created[model] += 1
            return obj
        changed = {field: value for field, value in values.items() if getattr(obj, field) != value}
        if changed:
            for field, value in changed.items():
                setattr(obj, field, value)
            if hasattr(obj, "version"):
                obj.version += 1  # optimistic locking: open forms see the change
            obj.full_clean()
            obj.save()
            self.updated[model] += 1
        return obj

    def sync_rows(self, model, keys, rows):
        """Bulk version of upsert for the many rows of counts and measurements."""
        existing = {
            tuple(getattr(obj, key) for key in keys): obj
            for obj in model.objects.filter(**{f"{keys[0]}__in": {row[keys[0]] for row in rows}})
        }
        new, changed, fields = [], [], set()
        for row in rows:
            obj = existing.get(tuple(row[key] for key in keys))
            if obj is None:
                new.append(model(**row))
                continue
            diff = {field for field, value in row.items() if getattr(obj, field) != value}
            if diff:
                for field in diff:
                    setattr(obj, field, row[field])
                obj.updated_at = timezone.now()
                if hasattr(obj, "version"):
                    obj.version += 1
                    diff.add("version")
                fields |= diff | {"updated_at"}
                changed.append(obj)
        model.objects.bulk_create(new, batch_size=500)
        if changed:
            model.objects.bulk_update(changed, sorted(fields), batch_size=500)
        self.created[model] += len(new)
        self.updated[model] += len(changed)

    def user(self, username, email, name, *, superuser=False):
        User = get_user_model()
        values = {
            "email": email,
            "first_name": name[0],
            "last_name": name[1],
            "is_active": True,
            "is_staff": superuser,
            "is_superuser": superuser,
        }
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, **values)
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            self.created[User] += 1
            return user
        changed = {k: v for k, v in values.items() if getattr(user, k) != v}
        for field, value in changed.items():
            setattr(user, field, value)
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed["password"] = True
        if changed:
            user.save()
            self.updated[User] += 1
        return user

    # -- one agency --------------------------------------------------------

    def agency(self, spec):
        abbr = spec["abbreviation"]
        agency = self.upsert(
            Agency,
            {"slug": spec["slug"]},
            {
                "name": spec["name"],
                "abbreviation": abbr,
                "mission": spec["mission"],
                "publishes": spec["publishes"],
            },
        )
        people, logins = {}, []
        for role, name in spec["users"].items():
            username = f"{role}@{spec['slug']}"
            email = f"{role}@{spec['slug']}.example.gov"
            people[role] = self.user(username, email, name)
            self.upsert(Membership, {"user": people[role], "agency": agency}, {"role": Role(role)})
            logins.append((username, f"{Role(role).label} of {abbr}"))
        programs = {
            name: self.upsert(Program, {"agency": agency, "name": name}, {"description": text})
            for name, text in spec["programs"]
        }
        segments = {
            name: self.upsert(
                CustomerSegment,
                {"agency": agency, "name": name},
                {"kind": kind, "estimated_size": size, "needs": needs, "archived": False},
            )
            for name, kind, size, needs in spec["segments"]
        }
        widgets = {
            item["name"]: self.widget(agency, item, programs, segments, people)
            for item in spec["widgets"]
        }
        for item in spec["widgets"]:
            widget = widgets[item["name"]]
            if widget.status in COUNTED_STATUSES and "flow" in item:
                self.counts(widget, item, people["staff"])
        for item in spec["widgets"]:
            if "hosted_survey" in item:
                self.hosted_survey(widgets[item["name"]], item["hosted_survey"], people)
        outcomes = {}
        for item in spec["outcomes"]:
            outcomes[item["name"]] = self.outcome(agency, item, programs, widgets, people)
        for item in spec.get("countermeasures", []):
            self.countermeasure(agency, item, widgets, outcomes, people["manager"])
        if "review" in spec:
            self.review(agency, spec["review"], people["manager"])
        return logins

    def countermeasure(self, agency, item, widgets, outcomes, manager):
        """An open countermeasure on a widget or on an outcome."""
        subject = (
            {"widget": widgets[item["widget"]], "outcome": None}
            if "widget" in item
            else {"outcome": outcomes[item["outcome"]], "widget": None}
        )
        self.upsert(
            Countermeasure,
            {"agency": agency, "problem": item["problem"]},
            {
                **subject,
                "root_cause": item["root_cause"],
                "action": item["action"],
                "owner_id": manager.pk,
                "due_date": self.today + dt.timedelta(days=item["due_in_days"]),
                "state": CountermeasureState.OPEN,
            },
        )

    def review(self, agency, item, manager):
        """The review of the latest month whose counts are due, held and closed as a
        manager would: through the services, so the rule that every off-track item
        has an open countermeasure holds for the demo too."""
        month = latest_due_period(Frequency.MONTH, self.today)
        review = Review.objects.filter(agency=agency, month=month).first()
        if review is None:
            review = services.create_review(agency=agency, month=month, by=manager)
            self.created[Review] += 1
        if review.status == ReviewStatus.CLOSED:
            if not review.pack:  # closed before packs were kept
                services.keep_review_pack(review=review, by=manager)
            return
        services.update_review(
            review=review, attendees=item["attendees"], decisions=item["decisions"], by=manager
        )
        services.close_review(review=review, by=manager)

    def widget(self, agency, item, programs, segments, people):
        days, share = item.get("standard", (None, None))
        declared = [
            f.name for f in measures.COUNT_FIELDS if f.name in item.get("not_applicable", [])
        ]
        self.clear_before_declaring(agency, item["name"], declared, people[item["owner"]])
        widget = self.upsert(
            Widget,
            {"agency": agency, "name": item["name"]},
            {
                "program_id": programs[item["program"]].pk,
                "kind": item["kind"],
                "status": item["status"],
                "description": item.get("description", ""),
                "definition_of_done": item.get("done", ""),
                "unit_of_count": item.get("unit", ""),
                "channels": item.get("channels", []),
                "reporting_frequency": item.get("frequency", Frequency.MONTH),
                "standard_days": days,
                "standard_share": Decimal(share) if share else None,
                "fee": Decimal(item["fee"]) if item.get("fee") else None,
                "legal_authority": item.get("authority", ""),
                "owner_id": people[item["owner"]].pk,
                "review_comment": item.get("review_comment", ""),
                "not_applicable": declared,
            },
        )
        wanted = {segments[name].pk for name in item.get("segments", [])}
        if set(widget.customer_segments.values_list("pk", flat=True)) != wanted:
            widget.customer_segments.set(wanted)
        return widget

    def clear_before_declaring(self, agency, name, declared, by):
        """A field is declared not applicable only over no numbers (Widget.clean):
        a database seeded before the declaration has its values cleared first,
        through the one write, with history."""
        widget = Widget.objects.filter(agency=agency, name=name).first()
        newly = set(declared) - widget.not_applicable_fields if widget else None
        if not newly:
            return
        changes = [
            counting.CountChange(
                widget=widget, period_start=period, values=dict.fromkeys(newly, None)
            )
            for period in widget.counts.values_list("period_start", flat=True)
        ]
        counting.save_counts(changes, by=by, source=CountSource.FORM)

    def counts(self, widget, item, staff):
        frequency = widget.reporting_frequency
        periods = recent_periods(self.today, frequency, PERIODS_PER_FREQUENCY[frequency])
        rng = self.rng("counts", widget.agency.slug, widget.name)
        rows = simulate_counts(rng, item["flow"], periods, widget.standard_share)
        if item["flow"].get("late"):
            due = latest_due_period(frequency, self.today)
            rows = [row for row in rows if row["period_start"] < due]
        # Through the one write of counts, as a person at the grid would save them:
        # only what differs is written, with history.
        changes = [
            counting.CountChange(
                widget=widget,
                period_start=row["period_start"],
                values={n: row[n] for n in counting.VALUE_FIELDS if n in row and widget.applies(n)},
            )
            for row in rows
        ]
        for change in counting.save_counts(changes, by=staff, source=CountSource.FORM):
            if change.status == "new":
                self.created[WidgetCount] += 1
            elif change.status == "changed":
                self.updated[WidgetCount] += 1
        if item.get("survey") and frequency == Frequency.MONTH:
            trouble = item["flow"].get("profile") == "trouble"
            self.surveys(widget, item["survey"], rows, trouble=trouble)

    def surveys(self, widget, mean, rows, *, trouble):
        """Overall survey results for the last four complete fiscal quarters."""
        delivered = defaultdict(int)
        for row in rows:
            delivered[period_start(row["period_start"], Frequency.QUARTER)] += row["delivered"]
        quarters = recent_periods(self.today, Frequency.QUARTER, SURVEY_QUARTERS)
        for index, quarter in enumerate(quarters):
            rng = self.rng("survey", widget.agency.slug, widget.name, quarter)
            served = delivered[quarter]
            offered = round(served * rng.uniform(0.25, 0.4))
            respondents = round(offered * rng.uniform(0.06, 0.12))
            # A system in trouble: customers notice in the last two quarters.
            drop = 0.5 * max(0, index - 1) if trouble else 0.0
            answers = {}
            for question in Question:
                centre = mean + QUESTION_OFFSET[question] - drop + rng.gauss(0, 0.08)
                if question == Question.EFFICIENCY:
                    centre -= drop
                counts = answers_for(rng, respondents, min(max(centre, 1.0), 5.0))
                for point, count in zip(SCALE, counts, strict=True):
                    answers[answer_field(question, point)] = count
            self.upsert(
                SurveyResult,
                {"widget": widget, "period_start": quarter, "segment": None},
                {
                    "customers_served": served,
                    "offered": offered,
                    "respondents": respondents,
                    **answers,
                },
            )

    def hosted_survey(self, widget, spec, people):
        """A published hosted survey with invitations and answers, made once through the
        domain's services (widgets.surveys): staff make it, the manager publishes it,
        invitations go out for last month's online deliveries, and customers answer, some
        by invitation, some through the short link, some in Spanish."""
        if widget.surveys.exists():
            return
        staff, manager = people["staff"], people["manager"]
        survey = Survey(
            widget=widget,
            title=spec["title"],
            title_es=spec["title_es"],
            intro=spec["intro"],
            intro_es=spec["intro_es"],
            ask_channel=True,
            ask_segment=True,
            control_number=spec["control_number"],
            control_expires=self.today.replace(year=self.today.year + 2, day=1),
        )
        survey = hosting.create_survey(survey=survey, by=staff)
        hosting.transition_survey(survey=survey, action="publish", by=manager)
        last_month = period_start(self.today.replace(day=1) - dt.timedelta(days=1), "month")
        # One invitation per widget delivered online last month (the counts say how many).
        delivered = (
            widget.counts.filter(period_start=last_month)
            .values_list("delivered", flat=True)
            .first()
        )
        size = min(delivered or spec["invitations"], spec["invitations"])
        batch = hosting.make_invitations(
            survey=survey,
            period_start=last_month,
            channel="online",
            segment=None,
            size=size,
            by=staff,
        )
        rng = self.rng("hosted survey", widget.agency.slug, widget.name)
        answered = min(spec["answered"], max(1, size * 3 // 10))  # about three in ten answer
        invitations = list(batch.invitations.order_by("pk")[:answered])
        comments = iter(spec["comments"])
        for n in range(len(invitations) + spec["by_link"]):
            invitation = invitations[n] if n < len(invitations) else None
            centre = spec["mean"] + rng.gauss(0, 0.9)
            cleaned = {
                q: min(5, max(1, round(centre + QUESTION_OFFSET[q] + rng.gauss(0, 0.5))))
                for q in Question.values
                if rng.random() > 0.08  # now and then a question left unanswered
            }
            if invitation is None:
                cleaned["channel"] = rng.choice(["online", "in_person", "mail"])
            language = "es" if rng.random() < 0.3 else "en"
            if rng.random() < 0.4:
                cleaned["comment"], language = next(comments, ("", language))
            answering.record_answer(
                survey=survey, invitation=invitation, cleaned=cleaned, language=language
            )
        self.created[SurveyResponse] += len(invitations) + spec["by_link"]

    def outcome(self, agency, item, programs, widgets, people):
        months = recent_periods(self.today, Frequency.MONTH, MONTHS)
        # Target: the end of the fiscal year after next.
        target_date = fiscal_year_start(fiscal_year(self.today) + 2) - dt.timedelta(days=1)
        outcome = self.upsert(
            Outcome,
            {"agency": agency, "name": item["name"]},
            {
                "program_id": programs[item["program"]].pk,
                "measure": item["measure"],
                "unit": item["unit"],
                "direction": Direction(item["direction"]),
                "baseline_value": Decimal(str(item["baseline"])),
                "baseline_date": months[0],
                "target_value": Decimal(str(item["target"])),
                "target_date": target_date,
                "owner_id": people["manager"].pk,
            },
        )
        rng = self.rng("outcome", agency.slug, item["name"])
        values = outcome_values(rng, item, months, target_date)
        self.sync_rows(
            Measurement,
            ("outcome_id", "date"),
            [
                {"outcome_id": outcome.pk, "date": month, "value": value}
                for month, value in zip(months, values, strict=True)
            ],
        )
        if "step_change" in item:
            step = item["step_change"]
            self.upsert(
                StepChange,
                {"outcome": outcome, "starts_on": months[-step["periods_before_end"]]},
                {"reason": step["reason"], "recorded_by_id": people["manager"].pk},
            )
        for name, rationale in item["contributions"].items():
            self.upsert(
                Contribution,
                {"outcome": outcome, "widget": widgets[name]},
                {"rationale": rationale},
            )
        return outcome

    # -- summary -----------------------------------------------------------

    def report(self, logins, seconds):
        models = (Agency, Program, get_user_model(), Membership, CustomerSegment, Widget)
        models += (WidgetCount, SurveyResult, Outcome, Measurement, StepChange, Contribution)
        models += (Countermeasure, Review, *self.huddle_models)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {seconds:.1f}s (seed {self.seed}).")
        )
        for model in models:
            self.stdout.write(
                f"  {model._meta.verbose_name_plural.capitalize():<20} "
                f"{model.objects.count():>5} rows"
                f"  ({self.created[model]} created, {self.updated[model]} updated)"
            )
        self.stdout.write(f"Demo logins, password for all: {DEMO_PASSWORD}")
        for username, role in logins:
            self.stdout.write(f"  {username:<14} {role}")
