"""The Government of Canada Service Inventory layout: columns, codes and cells.

Shared by the import (`gc_inventory`) and the export (`gc_export`) so that both
directions read and write the same columns and codes. See docs/interop.md.
"""

import csv
import math
import re
from decimal import Decimal, InvalidOperation

from customers.models import SegmentKind

from ..counting import parse_value
from ..models import WidgetKind
from ..periods import fiscal_year_start

SERVICES_FILE = "services file"
STANDARDS_FILE = "standards file"

# Channel volume columns -> WidgetCount fields (fax is counted with "other").
VOLUME_COLUMNS = {
    "num_applications_online": "channel_online",
    "num_applications_in_person": "channel_in_person",
    "num_applications_by_mail": "channel_mail",
    "num_applications_by_phone": "channel_phone",
    "num_applications_by_email": "channel_email",
    "num_applications_by_fax": "channel_other",
    "num_applications_by_other": "channel_other",
}
TOTAL_COLUMN = "num_applications_total"
# Every column of the published services file, in its order (the data dictionary,
# "service" resource). The import keeps every cell as published; the export writes
# them all in this order.
SERVICE_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_name_fr",
    "service_description_en",
    "service_description_fr",
    "service_type",
    "service_recipient_type",
    "service_scope",
    "client_target_groups",
    "program_id",
    "program_name_en",
    "program_name_fr",
    "client_feedback_channel",
    "automated_decision_system",
    "automated_decision_system_description_en",
    "automated_decision_system_description_fr",
    "service_fee",
    "os_account_registration",
    "os_authentication",
    "os_application",
    "os_decision",
    "os_issuance",
    "os_issue_resolution_feedback",
    "os_comments_client_interaction_en",
    "os_comments_client_interaction_fr",
    "last_service_review",
    "last_service_improvement",
    "sin_usage",
    "cra_bn_identifier_usage",
    "num_phone_enquiries",
    "num_applications_by_phone",
    "num_website_visits",
    "num_applications_online",
    "num_applications_in_person",
    "num_applications_by_mail",
    "num_applications_by_email",
    "num_applications_by_fax",
    "num_applications_by_other",
    TOTAL_COLUMN,
    "special_remarks_en",
    "special_remarks_fr",
    "service_uri_en",
    "service_uri_fr",
    "owner_org",
    "owner_org_title",
]
SERVICE_REQUIRED = ("fiscal_yr", "service_id", "service_name_en", "owner_org")
# Every column of the published standards file, in its order ("service-std").
STANDARD_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_name_fr",
    "service_standard_id",
    "service_standard_en",
    "service_standard_fr",
    "type",
    "channel",
    "channel_comments_en",
    "channel_comments_fr",
    "target",
    "volume_meeting_target",
    "total_volume",
    "performance",
    "comments_en",
    "comments_fr",
    "target_met",
    "standards_targets_uri_en",
    "standards_targets_uri_fr",
    "performance_results_uri_en",
    "performance_results_uri_fr",
    "owner_org",
    "owner_org_title",
]
STANDARD_REQUIRED = ("service_id", "service_standard_id", "type")

# The data dictionary's longest texts ("character_limit"). A longer published text
# is kept whole (it is stored as published) and is a finding on its row.
TEXT_LIMITS = {
    "service_name_en": 350,
    "service_name_fr": 350,
    "service_description_en": 1800,
    "service_description_fr": 1800,
    "automated_decision_system_description_en": 1800,
    "automated_decision_system_description_fr": 1800,
    "os_comments_client_interaction_en": 1000,
    "os_comments_client_interaction_fr": 1000,
    "special_remarks_en": 2000,
    "special_remarks_fr": 2000,
    "service_uri_en": 1500,
    "service_uri_fr": 1500,
    "service_standard_en": 500,
    "service_standard_fr": 500,
    "channel_comments_en": 1500,
    "channel_comments_fr": 1500,
    "comments_en": 2000,
    "comments_fr": 2000,
    "standards_targets_uri_en": 1500,
    "standards_targets_uri_fr": 1500,
    "performance_results_uri_en": 1500,
    "performance_results_uri_fr": 1500,
}

# Client target group codes -> segment kinds: the data dictionary's codes, then
# those of its earlier edition (PP, ES, IO, PTC, IG, FE) and the words some
# departments write instead.
TARGET_GROUPS = {
    "PERSON": SegmentKind.INDIVIDUAL,
    "ECONOM": SegmentKind.BUSINESS,
    "NGO": SegmentKind.NONPROFIT,
    "PTC": SegmentKind.GOVERNMENT,
    "INTERN_GOV": SegmentKind.INTERNAL,
    "FOR": SegmentKind.FOREIGN,
    "PP": SegmentKind.INDIVIDUAL,
    "PERSONS": SegmentKind.INDIVIDUAL,
    "ES": SegmentKind.BUSINESS,
    "ECON": SegmentKind.BUSINESS,
    "BUSINESS": SegmentKind.BUSINESS,
    "IO": SegmentKind.NONPROFIT,
    "NONPROFIT": SegmentKind.NONPROFIT,
    "GOV": SegmentKind.GOVERNMENT,
    "IG": SegmentKind.INTERNAL,
    "INTERNAL": SegmentKind.INTERNAL,
    "FE": SegmentKind.FOREIGN,
}
# Segment kind -> the code written on export (the data dictionary's).
TARGET_GROUP_CODES = {
    SegmentKind.INDIVIDUAL: "PERSON",
    SegmentKind.BUSINESS: "ECONOM",
    SegmentKind.NONPROFIT: "NGO",
    SegmentKind.GOVERNMENT: "PTC",
    SegmentKind.INTERNAL: "INTERN_GOV",
    SegmentKind.FOREIGN: "FOR",
}

# Service type (a comma-joined list) -> the kind of a widget made by the import
# (existing widgets keep theirs: the types are families of services, not
# products). The first listed code with a kind decides. The data dictionary's
# codes first, then those of its earlier edition.
SERVICE_TYPES = {
    "APIR": WidgetKind.PERMIT,  # agreements, permissions, inspections, rulings
    "REG_VOL": WidgetKind.PERMIT,  # high volume regulatory transactions
    "GNC": WidgetKind.GRANT,  # grants and contributions
    "RES": WidgetKind.PAYMENT,  # resources (benefits, loans, goods)
    "INFO": WidgetKind.REPORT,  # information
    "LRP": WidgetKind.DECISION,  # legislation, regulation, policy
    "PPI": WidgetKind.INSPECTION,  # penalties, protection, intervention
    "CER": WidgetKind.OTHER,  # care, education, recreation
    "HVRT": WidgetKind.PERMIT,
    "REG": WidgetKind.INSPECTION,
    "RU": WidgetKind.DECISION,
    "AD": WidgetKind.REPORT,
    "IM": WidgetKind.RECORD,
}
# Every service type code of the published lists (those without a kind make "other").
GC_SERVICE_TYPES = {
    "APIR", "CER", "GNC", "INFO", "LRP", "PPI", "REG_VOL", "RES",
    "AC", "AD", "COM", "ED", "FIN", "HR", "HVRT", "IM", "IT", "LEG", "MAN", "MAT", "REG", "RP",
    "RU",
}  # fmt: skip
KIND_SERVICE_TYPES = {
    WidgetKind.GRANT: "GNC",
    WidgetKind.PAYMENT: "RES",
    WidgetKind.PERMIT: "APIR",
    WidgetKind.LICENSE: "APIR",
    WidgetKind.CERTIFICATE: "APIR",
    WidgetKind.REGISTRATION: "REG_VOL",
    WidgetKind.INSPECTION: "PPI",
    WidgetKind.DECISION: "APIR",
    WidgetKind.REPORT: "INFO",
    WidgetKind.RECORD: "INFO",
}
# The channel codes of client_feedback_channel and of a standard's channel, and
# the widget channel each is (email, fax and other have no widget channel).
CHANNELS = {
    "ONL": "online",
    "PERSON": "in_person",
    "POST": "mail",
    "TEL": "phone",
    "EML": None,
    "FAX": None,
    "OTH": None,
}
YES_NO = {"Y", "N"}
YES_NO_NA = {"Y", "N", "NA"}
# Every coded column of the data dictionary: (several codes, comma-joined?, codes).
# A code not listed is a warning on its row that names it; the cell is kept.
# service_fee is not among them: Y, N, NA or an amount, read (and refused with its
# own finding) by fee_cell; an amount is not an unknown code.
CODED_COLUMNS = {
    SERVICES_FILE: {
        "service_type": (True, GC_SERVICE_TYPES),
        "service_recipient_type": (False, {"CLIENT", "SOCIETY"}),
        "service_scope": (True, {"CLUSTER", "ENTERPRISE", "EXTERN", "INTERN"}),
        "client_target_groups": (True, set(TARGET_GROUPS)),
        "client_feedback_channel": (True, {*CHANNELS, "NON"}),
        "automated_decision_system": (False, YES_NO),
        "os_account_registration": (False, YES_NO_NA),
        "os_authentication": (False, YES_NO_NA),
        "os_application": (False, YES_NO_NA),
        "os_decision": (False, YES_NO_NA),
        "os_issuance": (False, YES_NO_NA),
        "os_issue_resolution_feedback": (False, YES_NO_NA),
        "sin_usage": (False, YES_NO_NA),
        "cra_bn_identifier_usage": (False, YES_NO_NA),
    },
    STANDARDS_FILE: {
        "type": (False, {"ACS", "ACY", "OTH", "TML", "TIME", "TIMELINESS"}),
        "channel": (False, set(CHANNELS)),
        "target_met": (False, YES_NO_NA),
    },
}
TIMELINESS_TYPES = {"TML", "TIME", "TIMELINESS"}
TIMELINESS_CODE = "TML"


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


# A cell that is blank (or "ND", no data) is unknown; "NA" is not applicable.
BLANK = _Marker("BLANK")
NA = _Marker("NA")
NO_DATA = {"", "ND", "N/D"}
NOT_APPLICABLE = {"NA", "N/A", "S.O."}

_FISCAL_YEAR = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:business\s+|working\s+|calendar\s+)?(hour|day|week|month)s?\b",
    re.IGNORECASE,
)
_DAYS_PER_UNIT = {"day": 1, "week": 7, "month": 30}


def text(values, column):
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def marker(values, column):
    """BLANK, NA, or the cell's text."""
    raw = text(values, column)
    if raw.upper() in NO_DATA:
        return BLANK
    if raw.upper() in NOT_APPLICABLE:
        return NA
    return raw


def count_cell(values, column):
    """BLANK, NA or a whole number; ValueError with a message for people."""
    raw = marker(values, column)
    if raw is BLANK or raw is NA:
        return raw
    return parse_value("delivered", raw)


def fiscal_year_of(label):
    """The fiscal year (named by the calendar year it ends in) of "2023-2024"."""
    match = _FISCAL_YEAR.match(label)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError("Write the fiscal year as two years, e.g. 2023-2024.")
    return int(match.group(2))


def fiscal_year_label(year):
    return f"{year - 1}-{year}"


def fiscal_year_period(year):
    return fiscal_year_start(year)


def split_codes(raw):
    return [code.strip().upper() for code in re.split(r"[,;]", raw) if code.strip()]


def standard_days(statement):
    """Days a standard's text promises ("within 10 business days", "2 weeks"), or None."""
    match = _DURATION.search(statement or "")
    if not match:
        return None
    number, unit = Decimal(match.group(1)), match.group(2).lower()
    if unit == "hour":
        return max(1, math.ceil(number / 24))
    return math.ceil(number * _DAYS_PER_UNIT[unit])


def share_cell(values, column):
    """BLANK, NA or a share 0..1 as a percentage (Decimal, two places)."""
    raw = marker(values, column)
    if raw is BLANK or raw is NA:
        return raw
    try:
        share = Decimal(raw)
    except InvalidOperation:
        raise ValueError("Enter the target as a share between 0 and 1, e.g. 0.8.") from None
    if not share.is_finite() or not 0 <= share <= 1:
        raise ValueError("Enter the target as a share between 0 and 1, e.g. 0.8.")
    return (share * 100).quantize(Decimal("0.01"))


def fee_cell(values, column):
    """BLANK, NA, "Y" (a fee is charged) or an amount (N is 0)."""
    raw = marker(values, column)
    if raw is BLANK or raw is NA:
        return raw
    if raw.upper() in {"Y", "YES"}:
        return "Y"
    if raw.upper() in {"N", "NO"}:
        return Decimal("0.00")
    try:
        return parse_value("cost", raw)
    except ValueError:
        raise ValueError("Write Y, N, NA or an amount.") from None


def organisation_name(title, code):
    """The English part of "English name | Nom français"."""
    return title.split("|")[0].strip() or code


def program_names(raw):
    """The names of a comma-joined list of programs, as published: quoted
    ("'Reaching Home', 'Skills for Success'") or not ("Licensing")."""
    raw = raw.strip()
    if raw[:1] not in ("'", '"'):
        return [raw] if raw else []
    names = next(csv.reader([raw], quotechar=raw[0], skipinitialspace=True), [])
    return [name.strip().strip("'\"").strip() for name in names if name.strip()]
