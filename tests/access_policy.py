"""Who may do what, as one table: the expected answer of every URL to every role.

Written from docs/domain.md, "Who may do what", not recorded from the code:

- anyone: the public page (and its open data) of an agency that publishes;
- no URL but sign-in, the public page and the token API is open without
  signing in: everything else sends an anonymous visitor to sign in (302);
- a signed-in member of any agency reads every agency's catalogue and
  dashboards, but not another agency's drafts (architecture.md: "other
  agencies' drafts stay private"); a signed-in user with no agency reads
  nothing ("waiting for access");
- staff of A change A's drafts, segments, counts, measurements (and survey
  results, which are counts of what customers said); they make A's hosted
  surveys, pause and close them, invite customers, and alone read and redact
  their comments (docs/surveys.md: comments stay inside the agency);
- a manager of A publishes A's hosted surveys (and opens a paused one again);
- anyone answers a published hosted survey: its short link, an invitation, the
  thank-you page (no account);
- a manager of A does all staff may, plus approve / return / retire,
  outcomes, countermeasures, reviews and API tokens for A;
- admin: everything, and the Django admin;
- out of scope for a user, an object is a 404; read-only, a change is a 403;
- the token API takes tokens, not sessions: 401 for every session;
- sign-in (django-allauth, docs/security.md): its pages and the provider round trip are
  open; a signed-in user is sent home from them; what is not offered (sign-up,
  e-mailed password reset or code, e-mail management, a password for an SSO
  account) is a 404 once signed in; one's own MFA and password are for the
  signed-in user, after reauthentication where allauth asks for it.

tests/test_access_matrix.py asks every URL of the resolver, as every role,
with GET and POST, about the sample objects of agency A, and compares the
answers with this table. A URL with no entry here fails that test: a new
feature declares its policy here the day it adds a URL.
"""

from dataclasses import dataclass, field, replace

# --- roles (fixtures of tests/conftest.py, plus the anonymous visitor) -----------

ANON = "anonymous"
STAFF_A = "staff_a"
MANAGER_A = "manager_a"
STAFF_B = "staff_b"
MANAGER_B = "manager_b"
OUTSIDER = "outsider"  # signed in, member of no agency
ADMIN = "admin_user"
ROLES = (ANON, STAFF_A, MANAGER_A, STAFF_B, MANAGER_B, OUTSIDER, ADMIN)

SIGNED_IN = frozenset(ROLES) - {ANON}
MEMBERS = frozenset({STAFF_A, MANAGER_A, STAFF_B, MANAGER_B, ADMIN})  # read every agency
OF_A = frozenset({STAFF_A, MANAGER_A, ADMIN})  # read A's drafts; change at staff level
MANAGERS_OF_A = frozenset({MANAGER_A, ADMIN})
STAFF_OF_ANY = MEMBERS  # every member in the sample may change their own agency
MANAGERS_OF_ANY = frozenset({MANAGER_A, MANAGER_B, ADMIN})


# --- answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    codes: frozenset
    label: str
    # a 302 must go to one of these pages (sign-in), not anywhere else
    location: tuple = ()
    # only an allowed change may write to the database
    may_change: bool = False

    def __str__(self):
        return self.label


def _answer(label, *codes, location=(), may_change=False):
    return Answer(frozenset(codes), label, location, may_change)


OK = _answer("200", 200)
SIGN_IN = _answer("302 to sign-in", 302, location=("/accounts/login/?next=",))
ADMIN_SIGN_IN = _answer("302 to admin sign-in", 302, location=("/admin/login/?next=",))
# An anonymous visitor to the admin: the app's sign-in (LoginRequiredMiddleware) or
# the admin's own, whichever sees the request first.
ANY_SIGN_IN = _answer(
    "302 to sign-in", 302, location=("/accounts/login/?next=", "/admin/login/?next=")
)
FORBIDDEN = _answer("403", 403)
NOT_FOUND = _answer("404", 404)
NOT_ALLOWED = _answer("405", 405)
UNAUTHORIZED = _answer("401", 401)
# An allowed change: the form again with its errors (200) or done and redirected (302).
DONE = _answer("200/302 (allowed)", 200, 302, may_change=True)
# The same, from a view that answers a form with errors 400 (outcomes:review-create,
# pinned by tests/outcomes/test_reviews.py).
DONE_OR_400 = _answer("200/302/400 (allowed)", 200, 302, 400, may_change=True)
# A POST to a page that changes nothing: it is shown again, or the method is refused.
READ_ONLY_POST = _answer("200/405 (changes nothing)", 200, 405)
# A page that sends the user on (e.g. "new widget" to their one agency's form).
ONWARD = _answer("200/302", 200, 302)
REDIRECT = _answer("302", 302)
# Out of scope, for a view that refuses the method before it looks the object up.
HIDDEN_OR_NOT_ALLOWED = _answer("404/405", 404, 405)
# Sign-in pages (django-allauth, docs/security.md):
# A step of a sign-in in progress (the MFA code, completing a first single sign-on)
# asked with none in progress: back to the sign-in page (no ?next=).
BACK_TO_SIGN_IN = _answer(
    "302 to sign-in (no sign-in in progress)", 302, location=("/accounts/login/",)
)
# Managing one's own MFA: allauth first asks for the password (or a code) again when
# the sign-in is not recent, as with the matrix's force_login sessions.
# (with ?next=, or without it from the MFA code form of a user who has no authenticator)
REAUTHENTICATE_PAGES = ("/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/")
OWN_OR_REAUTHENTICATE = _answer(
    "200 / 302 to reauthenticate", 200, 302, location=REAUTHENTICATE_PAGES
)
# The same for a page about an authenticator the user does not have (the sample users
# have no authenticator app and no recovery codes): nothing to show (404), or
# reauthentication first.
NONE_OR_REAUTHENTICATE = _answer(
    "404 (none set up) / 302 to reauthenticate", 404, 302, location=REAUTHENTICATE_PAGES
)


# --- rules: role -> Answer --------------------------------------------------------


def read(readers=MEMBERS):
    """GET of a page: readers see it; anyone else signed in is told it does not exist."""
    return {
        role: SIGN_IN if role == ANON else OK if role in readers else NOT_FOUND for role in ROLES
    }


def read_post(readers=MEMBERS):
    """POST to a page that only reads: nothing changes, whoever asks."""
    return {
        role: SIGN_IN
        if role == ANON
        else READ_ONLY_POST
        if role in readers
        else HIDDEN_OR_NOT_ALLOWED
        for role in ROLES
    }


def change(changers, readers=MEMBERS):
    """A change: changers may; readers are refused (403); anyone else gets 404."""
    return {
        role: SIGN_IN
        if role == ANON
        else DONE
        if role in changers
        else FORBIDDEN
        if role in readers
        else NOT_FOUND
        for role in ROLES
    }


def page_for(allowed, answer=OK):
    """A page that is no object of anyone's (a list, an import form): allowed roles get
    `answer`; other signed-in users are refused (403)."""
    return {
        role: SIGN_IN if role == ANON else answer if role in allowed else FORBIDDEN
        for role in ROLES
    }


def post_only():
    """GET of a POST-only URL."""
    return {role: SIGN_IN if role == ANON else NOT_ALLOWED for role in ROLES}


def everyone(answer):
    return dict.fromkeys(ROLES, answer)


def signed_in(answer, anonymous=SIGN_IN):
    return {role: anonymous if role == ANON else answer for role in ROLES}


# --- the table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One way to ask a URL: the sample objects its kwargs name, and what each role gets.

    kwargs values name sample objects (see SAMPLE_OBJECTS in test_access_matrix.py):
    a `slug` kwarg takes the object's slug, any other its pk; a value that names no
    sample object is taken literally (e.g. a workflow action).
    """

    get: dict
    post: dict
    kwargs: dict = field(default_factory=dict)
    query: str = ""
    data: dict = field(default_factory=dict)  # minimal POST data (sample names -> pk)
    put: dict | None = None  # asked with PUT as well (the API)
    note: str = ""


def case(get, post, **kwargs):
    return Case(get=get, post=post, **kwargs)


AGENCY = {"slug": "agency_a"}
# The sample hosted survey's short code and invitation (test_access_matrix.build_world).
SURVEY_CODE = "samplesurvey"
INVITATION_TOKEN = "sample-invitation-token"

POLICY = {
    # --- open without signing in ---------------------------------------------------
    "login": case(
        get={**signed_in(REDIRECT), ANON: OK},  # a signed-in user is sent home
        post={**signed_in(REDIRECT), ANON: OK},  # empty form: errors
    ),
    # signing out is POST only, and is recorded (the sign-in audit writes an event)
    "logout": case(
        get=signed_in(NOT_ALLOWED, anonymous=_answer("405/302 to sign-in", 405, 302)),
        post=signed_in(_answer("302 (signed out)", 302, may_change=True), anonymous=REDIRECT),
    ),
    "healthz": case(get=everyone(OK), post=everyone(NOT_ALLOWED)),
    "public:agency": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "public:data": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "public:widgets-csv": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "public:outcomes-csv": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "public:data-json": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "public:dictionary-csv": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "widgets:opendata-csv": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    "widgets:opendata-json": case(get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs=AGENCY),
    # hosted surveys' public pages: anyone answers (an empty answer: the form again)
    "answer:survey": case(
        get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs={"code": SURVEY_CODE}
    ),
    "answer:invitation": case(
        get=everyone(OK), post=everyone(READ_ONLY_POST), kwargs={"token": INVITATION_TOKEN}
    ),
    "answer:thanks": case(
        get=everyone(OK), post=everyone(NOT_ALLOWED), kwargs={"code": SURVEY_CODE}
    ),
    # --- the token API: sessions do not count ---------------------------------------
    "api:openapi-json": case(get=everyone(OK), post=everyone(READ_ONLY_POST)),
    "api:api-root": case(get=everyone(NOT_FOUND), post=everyone(NOT_FOUND)),
    "api:widgets": case(get=everyone(UNAUTHORIZED), post=everyone(NOT_ALLOWED)),
    "api:widget-counts": case(
        get=everyone(UNAUTHORIZED),
        post=everyone(NOT_ALLOWED),
        kwargs={"widget_id": "approved_widget"},
    ),
    "api:widget-count": case(
        get=everyone(NOT_ALLOWED),
        post=everyone(NOT_ALLOWED),
        put=everyone(UNAUTHORIZED),
        kwargs={"widget_id": "approved_widget", "period": "2026-01-01"},
    ),
    "api:counts": case(get=everyone(NOT_ALLOWED), post=everyone(UNAUTHORIZED)),
    # --- start, agencies --------------------------------------------------------------
    "home": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "agencies:list": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "agencies:detail": case(get=read(), post=read_post(), kwargs=AGENCY),
    # --- customers ----------------------------------------------------------------------
    "customers:list": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "customers:statewide": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "customers:create": case(get=page_for(STAFF_OF_ANY), post=page_for(STAFF_OF_ANY, DONE)),
    "customers:detail": case(get=read(), post=read_post(), kwargs={"pk": "segment"}),
    "customers:edit": case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "segment"}),
    "customers:archive": case(get=post_only(), post=change(OF_A), kwargs={"pk": "segment"}),
    # --- widgets: catalogue and workflow -----------------------------------------------
    "widgets:list": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "widgets:create": case(
        get=page_for(STAFF_OF_ANY, ONWARD),  # one agency: on to its form; several: choose
        post=page_for(STAFF_OF_ANY, DONE),
    ),
    "widgets:create-for": case(get=change(OF_A), post=change(OF_A), kwargs=AGENCY),
    "widgets:review-queue": case(
        get=page_for(MANAGERS_OF_ANY), post=page_for(MANAGERS_OF_ANY, READ_ONLY_POST)
    ),
    "widgets:import": case(get=page_for(STAFF_OF_ANY), post=page_for(STAFF_OF_ANY, DONE)),
    "widgets:import-template": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "widgets:detail": (
        case(get=read(), post=read_post(), kwargs={"pk": "approved_widget"}),
        case(get=read(OF_A), post=read_post(OF_A), kwargs={"pk": "draft_widget"}),
    ),
    "widgets:edit": (
        case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "approved_widget"}),
        case(get=change(OF_A, OF_A), post=change(OF_A, OF_A), kwargs={"pk": "draft_widget"}),
    ),
    "widgets:transition": (
        case(
            get=post_only(),
            post=change(OF_A, OF_A),
            kwargs={"pk": "draft_widget", "action": "submit"},
        ),
        case(
            get=post_only(),
            post=change(MANAGERS_OF_A, OF_A),  # not submitted: refused with a message (302)
            kwargs={"pk": "draft_widget", "action": "approve"},
        ),
        case(
            get=post_only(),
            post=change(MANAGERS_OF_A, OF_A),
            kwargs={"pk": "draft_widget", "action": "return"},
        ),
        case(
            get=post_only(),
            post=change(MANAGERS_OF_A),
            kwargs={"pk": "approved_widget", "action": "retire"},
        ),
        case(
            get=post_only(),
            post=signed_in(NOT_FOUND),
            kwargs={"pk": "approved_widget", "action": "publish"},
            note="no such action",
        ),
    ),
    # --- widgets: counts ------------------------------------------------------------------
    "widgets:count-entry": case(get=change(OF_A), post=change(OF_A), kwargs=AGENCY),
    "widgets:count-upload": case(get=change(OF_A), post=change(OF_A), kwargs=AGENCY),
    "widgets:count-upload-template": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "widgets:overdue": case(get=read(), post=read_post(), kwargs=AGENCY),
    "widgets:data-quality": case(get=read(), post=read_post(), kwargs=AGENCY),
    "widgets:count-edit": case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "count"}),
    "widgets:count-history": (
        case(get=read(), post=read_post(), kwargs={"pk": "approved_widget"}),
        case(get=read(OF_A), post=read_post(OF_A), kwargs={"pk": "draft_widget"}),
    ),
    # --- widgets: surveys -----------------------------------------------------------------
    "widgets:survey-create": (
        case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "approved_widget"}),
        case(get=change(OF_A, OF_A), post=change(OF_A, OF_A), kwargs={"pk": "draft_widget"}),
    ),
    "widgets:survey-edit": case(
        get=change(OF_A), post=change(OF_A), kwargs={"pk": "survey_result"}
    ),
    "widgets:survey-import": case(get=page_for(STAFF_OF_ANY), post=page_for(STAFF_OF_ANY, DONE)),
    "widgets:survey-import-template": case(get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    # --- widgets: hosted surveys (docs/surveys.md) -------------------------------------------
    "widgets:hosted-survey-new": (
        # the approved widget has a survey: its staff are sent on to it
        case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "approved_widget"}),
        case(get=change(OF_A, OF_A), post=change(OF_A, OF_A), kwargs={"pk": "draft_widget"}),
    ),
    "widgets:hosted-survey": case(get=read(), post=read_post(), kwargs={"pk": "survey"}),
    "widgets:hosted-survey-edit": case(
        get=change(OF_A), post=change(OF_A), kwargs={"pk": "survey"}
    ),
    "widgets:hosted-survey-action": (
        case(
            get=post_only(),
            post=change(MANAGERS_OF_A),  # published already: refused with a message (302)
            kwargs={"pk": "survey", "action": "publish"},
        ),
        case(
            get=post_only(),
            post=change(MANAGERS_OF_A),
            kwargs={"pk": "survey", "action": "resume"},
        ),
        case(get=post_only(), post=change(OF_A), kwargs={"pk": "survey", "action": "pause"}),
        case(get=post_only(), post=change(OF_A), kwargs={"pk": "survey", "action": "close"}),
        case(
            get=post_only(),
            post=signed_in(NOT_FOUND),
            kwargs={"pk": "survey", "action": "approve"},
            note="no such action",
        ),
    ),
    # the QR code and the poster: whoever reads the survey may print it
    "widgets:hosted-survey-qr": case(get=read(), post=read_post(), kwargs={"pk": "survey"}),
    "widgets:hosted-survey-print": case(get=read(), post=read_post(), kwargs={"pk": "survey"}),
    # invitation links and comments: inside the agency only (403 to other members)
    "widgets:hosted-survey-invitations": case(
        get=change(OF_A), post=change(OF_A), kwargs={"pk": "survey"}
    ),
    "widgets:hosted-survey-invitations-csv": case(
        get=change(OF_A), post=signed_in(NOT_ALLOWED), kwargs={"pk": "invitation_batch"}
    ),
    "widgets:hosted-survey-comments": case(
        get=change(OF_A), post=signed_in(NOT_ALLOWED), kwargs={"pk": "survey"}
    ),
    "widgets:hosted-survey-redact": case(
        get=post_only(), post=change(OF_A), kwargs={"pk": "survey_response"}
    ),
    # --- widgets: API tokens (managers of the agency) -----------------------------------
    "widgets:api-tokens": case(
        get=change(MANAGERS_OF_A), post=change(MANAGERS_OF_A), kwargs=AGENCY
    ),
    "widgets:api-token-revoke": case(
        get=post_only(),
        post=change(MANAGERS_OF_A),
        kwargs={"slug": "agency_a", "pk": "api_token"},
    ),
    # --- widgets: interoperability -------------------------------------------------------
    "widgets:inventory-import": case(get=page_for(STAFF_OF_ANY), post=page_for(STAFF_OF_ANY, DONE)),
    "widgets:inventory-export-services": case(get=read(), post=read_post(), kwargs=AGENCY),
    "widgets:inventory-export-standards": case(get=read(), post=read_post(), kwargs=AGENCY),
    "widgets:a11-export": case(get=read(), post=read_post(), kwargs=AGENCY),
    # --- uploads saved by the background worker ------------------------------------------
    # Only whoever confirmed the upload (staff of A here) and admins see its page and its
    # status, and may run it again; to anyone else it does not exist.
    "uploads:job": case(
        get=read(frozenset({STAFF_A, ADMIN})),
        post=change(frozenset({STAFF_A, ADMIN}), readers=frozenset()),
        kwargs={"pk": "upload_job"},
    ),
    "uploads:job-status": case(
        get=read(frozenset({STAFF_A, ADMIN})),
        post=signed_in(NOT_ALLOWED),
        kwargs={"pk": "upload_job"},
    ),
    # --- outcomes ----------------------------------------------------------------------------
    "outcomes:list": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    "outcomes:detail": case(get=read(), post=read_post(), kwargs={"pk": "outcome"}),
    "outcomes:create": case(get=change(MANAGERS_OF_A), post=change(MANAGERS_OF_A), kwargs=AGENCY),
    "outcomes:edit": case(
        get=change(MANAGERS_OF_A), post=change(MANAGERS_OF_A), kwargs={"pk": "outcome"}
    ),
    "outcomes:step-change-create": case(
        get=post_only(), post=change(MANAGERS_OF_A), kwargs={"pk": "outcome"}
    ),
    "outcomes:measurement-create": case(
        get=change(OF_A), post=change(OF_A), kwargs={"pk": "outcome"}
    ),
    "outcomes:measurement-import": case(
        get=page_for(STAFF_OF_ANY), post=page_for(STAFF_OF_ANY, DONE)
    ),
    "outcomes:measurement-import-template": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
    # dashboards: every member reads every agency's
    "outcomes:scorecard": case(get=page_for(MEMBERS), post=page_for(MEMBERS, READ_ONLY_POST)),
    "outcomes:dashboard": case(get=read(), post=read_post(), kwargs=AGENCY),
    "outcomes:flows": case(get=read(), post=read_post(), kwargs=AGENCY),
    "outcomes:huddle": case(get=read(), post=read_post(), kwargs=AGENCY),
    "outcomes:engagement": case(get=read(), post=read_post(), kwargs=AGENCY),
    # huddle boards of every tier: every member reads them; managers of the board's
    # agency choose its measures (the state's board has no agency: admins)
    "outcomes:boards": case(get=page_for(MEMBERS), post=page_for(MEMBERS, READ_ONLY_POST)),
    "outcomes:board": (
        case(get=read(), post=read_post(), kwargs={"pk": "team_board"}),
        case(get=read(), post=read_post(), kwargs={"pk": "state_board"}),
    ),
    "outcomes:board-tv": (
        case(get=read(), post=read_post(), kwargs={"pk": "team_board"}),
        case(get=read(), post=read_post(), kwargs={"pk": "state_board"}),
    ),
    "outcomes:board-measures": (
        case(get=change(MANAGERS_OF_A), post=change(MANAGERS_OF_A), kwargs={"pk": "team_board"}),
        case(get=change({ADMIN}), post=change({ADMIN}), kwargs={"pk": "state_board"}),
    ),
    # problem logs: staff of the board's agency raise and work problems, its managers
    # escalate them (the state's board: admins)
    "outcomes:problem-create": (
        case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "team_board"}),
        case(get=change({ADMIN}), post=change({ADMIN}), kwargs={"pk": "state_board"}),
    ),
    "outcomes:problem": case(get=read(), post=read_post(), kwargs={"pk": "problem"}),
    "outcomes:problem-edit": case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "problem"}),
    "outcomes:problem-action-create": case(
        get=post_only(), post=change(OF_A), kwargs={"pk": "problem"}
    ),
    "outcomes:problem-action-done": case(
        get=post_only(), post=change(OF_A), kwargs={"pk": "problem_action"}
    ),
    "outcomes:problem-escalate": case(
        get=post_only(), post=change(MANAGERS_OF_A), kwargs={"pk": "problem"}
    ),
    # sending a problem that came up back down: the managers of the board it is on
    "outcomes:problem-send-back": case(
        get=change(MANAGERS_OF_A), post=change(MANAGERS_OF_A), kwargs={"pk": "came_up_problem"}
    ),
    "outcomes:problem-solve": (
        *(
            case(get=change(OF_A), post=change(OF_A), kwargs={"pk": "problem", "depth": depth})
            for depth in ("quick-fix", "four-box", "a3")
        ),
        case(
            get=signed_in(NOT_FOUND),
            post=signed_in(NOT_FOUND),
            kwargs={"pk": "problem", "depth": "five-box"},
            note="no such depth",
        ),
    ),
    # the A3 to print: whoever reads the problem (the sample problem is worked as one)
    "outcomes:problem-a3": case(get=read(), post=read_post(), kwargs={"pk": "problem"}),
    # a problem as the countermeasure of its outcome or widget: managers (countermeasures)
    "outcomes:problem-countermeasure": case(
        get=post_only(), post=change(MANAGERS_OF_A), kwargs={"pk": "problem"}
    ),
    # reviews and countermeasures: managers of the agency change them
    "outcomes:review-list": case(get=read(), post=read_post(), kwargs=AGENCY),
    "outcomes:review-create": case(
        get=post_only(),
        post={**change(MANAGERS_OF_A), MANAGER_A: DONE_OR_400, ADMIN: DONE_OR_400},
        kwargs=AGENCY,
    ),
    "outcomes:review-detail": case(get=read(), post=change(MANAGERS_OF_A), kwargs={"pk": "review"}),
    "outcomes:review-close": case(
        get=post_only(), post=change(MANAGERS_OF_A), kwargs={"pk": "review"}
    ),
    "outcomes:review-pack": case(get=read(), post=read_post(), kwargs={"pk": "review"}),
    # the kept PDF: whoever reads the review reads it (the sample review has one)
    "outcomes:review-pack-pdf": case(get=read(), post=read_post(), kwargs={"pk": "review"}),
    "outcomes:review-pack-make": case(
        get=post_only(), post=change(MANAGERS_OF_A), kwargs={"pk": "review"}
    ),
    "outcomes:countermeasure-create": case(
        get=change(MANAGERS_OF_A),
        post=change(MANAGERS_OF_A),
        kwargs=AGENCY,
        query="outcome=outcome",
        data={"outcome": "outcome"},
    ),
    "outcomes:countermeasure-edit": case(
        get=change(MANAGERS_OF_A), post=change(MANAGERS_OF_A), kwargs={"pk": "countermeasure"}
    ),
}


# --- sign-in (django-allauth, docs/security.md) ---------------------------------------------
# agencies/auth_urls.py mounts ours first (login, logout, the verifying OIDC callback,
# the `not-offered-*` shadows); allauth's own patterns on the same paths are never
# reached, and are asked here all the same, by their own names.

# Features Widgets does not offer (sign-up, e-mailed password reset, sign-in by e-mailed
# code, e-mail management, a password for an SSO account): signed in, 404; anyone else
# is sent to sign in first.
NOT_OFFERED = case(get=signed_in(NOT_FOUND), post=signed_in(NOT_FOUND))
# The sign-in page: open; a signed-in user is sent home.
SIGN_IN_PAGE = POLICY["login"]
# A page a sign-in ends on (cancelled at the provider, an inactive account): open.
SIGN_IN_OUTCOME = case(get=everyone(OK), post=everyone(READ_ONLY_POST))
# A provider that is not configured (the matrix runs with none): 404, whoever asks.
UNKNOWN_PROVIDER = {"provider_id": "unknown"}

POLICY.update(
    {
        "account_login": SIGN_IN_PAGE,
        "account_logout": POLICY["logout"],
        "account_inactive": SIGN_IN_OUTCOME,
        # the MFA code step and the completion of a first single sign-on: only within a
        # sign-in in progress
        # (a signed-in user is sent home, as from the sign-in page)
        "mfa_authenticate": case(
            get=signed_in(REDIRECT, anonymous=BACK_TO_SIGN_IN),
            post=signed_in(REDIRECT, anonymous=BACK_TO_SIGN_IN),
        ),
        "socialaccount_signup": case(get=everyone(BACK_TO_SIGN_IN), post=everyone(BACK_TO_SIGN_IN)),
        # the provider round trip
        "openid_connect_login": case(
            get=everyone(NOT_FOUND), post=everyone(NOT_FOUND), kwargs=UNKNOWN_PROVIDER
        ),
        "openid_connect_callback": case(
            get=everyone(NOT_FOUND), post=everyone(NOT_FOUND), kwargs=UNKNOWN_PROVIDER
        ),
        "sso-callback": case(
            get=everyone(NOT_FOUND), post=everyone(NOT_FOUND), kwargs=UNKNOWN_PROVIDER
        ),
        "socialaccount_login_cancelled": SIGN_IN_OUTCOME,
        # allauth's stand-alone error page: the OIDC callback renders its errors itself
        # (open, above), so nothing sends an anonymous visitor here, and like any other
        # URL it asks them to sign in; allauth answers it 401.
        "socialaccount_login_error": case(
            get=signed_in(UNAUTHORIZED), post=signed_in(READ_ONLY_POST)
        ),
        # not offered: our shadows, and the allauth names they shadow
        "not-offered-signup": NOT_OFFERED,
        "account_signup": NOT_OFFERED,
        "not-offered-login-code-confirm": NOT_OFFERED,
        "account_confirm_login_code": NOT_OFFERED,
        "not-offered-confirm-email": NOT_OFFERED,
        "account_email_verification_sent": NOT_OFFERED,
        "not-offered-confirm-email-key": replace(NOT_OFFERED, kwargs={"key": "abc"}),
        "account_confirm_email": replace(NOT_OFFERED, kwargs={"key": "abc"}),
        "not-offered-password-reset": NOT_OFFERED,
        "account_reset_password": NOT_OFFERED,
        "not-offered-password-reset-done": NOT_OFFERED,
        "account_reset_password_done": NOT_OFFERED,
        "not-offered-password-reset-key": replace(NOT_OFFERED, kwargs={"key": "1-abc"}),
        "account_reset_password_from_key": (
            replace(NOT_OFFERED, kwargs={"uidb36": "1", "key": "abc"}),
            # allauth's key is `.+`: one with a slash must not get past the shadow
            replace(NOT_OFFERED, kwargs={"uidb36": "1", "key": "a/b"}),
        ),
        "not-offered-password-reset-key-done": NOT_OFFERED,
        "account_reset_password_from_key_done": NOT_OFFERED,
        "not-offered-password-set": NOT_OFFERED,
        "account_set_password": NOT_OFFERED,
        "not-offered-email": NOT_OFFERED,
        "account_email": NOT_OFFERED,
        # one's own account, signed in (the sample users are local, with a password)
        "account_change_password": case(get=signed_in(OK), post=signed_in(DONE)),
        "account_reauthenticate": case(get=signed_in(OK), post=signed_in(DONE)),
        "mfa_reauthenticate": case(
            get=signed_in(OWN_OR_REAUTHENTICATE), post=signed_in(OWN_OR_REAUTHENTICATE)
        ),
        "mfa_index": case(get=signed_in(OK), post=signed_in(READ_ONLY_POST)),
        "mfa_activate_totp": case(
            get=signed_in(OWN_OR_REAUTHENTICATE), post=signed_in(OWN_OR_REAUTHENTICATE)
        ),
        "mfa_deactivate_totp": case(
            get=signed_in(NONE_OR_REAUTHENTICATE), post=signed_in(NONE_OR_REAUTHENTICATE)
        ),
        "mfa_generate_recovery_codes": case(
            get=signed_in(NONE_OR_REAUTHENTICATE), post=signed_in(NONE_OR_REAUTHENTICATE)
        ),
        "mfa_view_recovery_codes": case(
            get=signed_in(NONE_OR_REAUTHENTICATE), post=signed_in(NOT_ALLOWED)
        ),
        "mfa_download_recovery_codes": case(
            get=signed_in(NONE_OR_REAUTHENTICATE), post=signed_in(NONE_OR_REAUTHENTICATE)
        ),
        # allauth's page of the provider accounts linked to one's own (link another,
        # unlink one): one's own account; no other user's is reachable from it
        "socialaccount_connections": case(get=signed_in(OK), post=signed_in(DONE)),
    }
)

# The Django admin, as one rule: superusers only; anyone else is sent to the admin's
# sign-in. Asked of a sample (the index and every model's changelist).
ADMIN_NAMESPACE = "admin"
ADMIN_RULE = case(
    get={**everyone(ADMIN_SIGN_IN), ANON: ANY_SIGN_IN, ADMIN: OK},
    post={**everyone(ADMIN_SIGN_IN), ANON: ANY_SIGN_IN, ADMIN: DONE},
)
