"""The Government of Canada Service Inventory layout: columns, codes and cells.

Shared by the import (`gc_inventory`) and the export (`gc_export`) so that both
directions read and write the same columns and codes. See docs/interop.md.
"""

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
SERVICE_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_description_en",
    "service_type",
    "client_target_groups",
    "service_fee",
    "program_name_en",
    *VOLUME_COLUMNS,
    TOTAL_COLUMN,
    "owner_org",
    "owner_org_title",
]
SERVICE_REQUIRED = ("fiscal_yr", "service_id", "service_name_en", "owner_org")
STANDARD_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_standard_id",
    "service_standard_en",
    "type",
    "channel",
    "target",
    "volume_meeting_target",
    "total_volume",
    "performance",
    "target_met",
    "owner_org",
    "owner_org_title",
]
STANDARD_REQUIRED = ("service_id", "service_standard_id", "type")

# Client target group codes -> segment kinds. The published codes first (PP, ES,
# IO, PTC, IG), then the words some departments write instead.
TARGET_GROUPS = {
    "PP": SegmentKind.INDIVIDUAL,
    "PERSON": SegmentKind.INDIVIDUAL,
    "PERSONS": SegmentKind.INDIVIDUAL,
    "ES": SegmentKind.BUSINESS,
    "ECON": SegmentKind.BUSINESS,
    "BUSINESS": SegmentKind.BUSINESS,
    "IO": SegmentKind.NONPROFIT,
    "NGO": SegmentKind.NONPROFIT,
    "NONPROFIT": SegmentKind.NONPROFIT,
    "PTC": SegmentKind.GOVERNMENT,
    "GOV": SegmentKind.GOVERNMENT,
    "IG": SegmentKind.INTERNAL,
    "INTERNAL": SegmentKind.INTERNAL,
}
# Segment kind -> the code written on export.
TARGET_GROUP_CODES = {
    SegmentKind.INDIVIDUAL: "PP",
    SegmentKind.BUSINESS: "ES",
    SegmentKind.NONPROFIT: "IO",
    SegmentKind.GOVERNMENT: "PTC",
    SegmentKind.INTERNAL: "IG",
}

# Service type -> the kind of a widget made by the import (existing widgets keep
# theirs: the service types are families of services, not products).
SERVICE_TYPES = {
    "RES": WidgetKind.GRANT,
    "HVRT": WidgetKind.PERMIT,
    "REG": WidgetKind.INSPECTION,
    "RU": WidgetKind.DECISION,
    "AD": WidgetKind.REPORT,
    "IM": WidgetKind.RECORD,
}
# Every service type code of the published list (those not above make "other").
GC_SERVICE_TYPES = {
    "AC", "AD", "COM", "ED", "FIN", "HR", "HVRT", "IM", "IT", "LEG", "MAN", "MAT", "REG",
    "RES", "RP", "RU",
}  # fmt: skip
KIND_SERVICE_TYPES = {
    WidgetKind.GRANT: "RES",
    WidgetKind.PAYMENT: "RES",
    WidgetKind.PERMIT: "HVRT",
    WidgetKind.LICENSE: "HVRT",
    WidgetKind.CERTIFICATE: "HVRT",
    WidgetKind.REGISTRATION: "HVRT",
    WidgetKind.INSPECTION: "REG",
    WidgetKind.DECISION: "RU",
    WidgetKind.REPORT: "AD",
    WidgetKind.RECORD: "IM",
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
    return (title.split("|")[0].strip() or code)[:200]
