"""Hypothesis strategies for tests/test_fuzz.py: what people (and systems) may send.

Form posts are strings (and lists of strings, for a field sent twice); the API
takes JSON, so it also gets numbers, booleans, nulls, lists and objects where a
number belongs.
"""

import json

from hypothesis import strategies as st

# Values that have broken web apps before, each for a reason.
NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd",  # RTL mark + Hebrew
    "\U0001f600\U0001f4a9\U0001f1fa\U0001f1f8",  # emoji, a flag (two code points)
    "\ud7ff\ufffd\uffff",
    "e\u0301\u0301\u0301",  # combining marks
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "%s%n%x",
    "\r\n\t",
    "x" * 5_000,  # longer than every text field's limit
    "\U0001f600" * 3_000,
]
NASTY_NUMBERS = [
    "-1",
    "-0",
    "0",
    "1.5",
    "1e3",
    "1e30",
    "1E+999999",
    "-1e-999999",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "0x10",
    "1_000",
    "1,000",
    "1 000",
    "\u0661\u0662",  # Arabic-Indic digits
    "\uff11\uff12",  # full-width digits
    "9" * 40,
    str(2**31),
    str(2**63),
    "$12.345",
    "12.",
    ".",
    "--1",
]
NASTY_DATES = [
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "9999-12-31",
    "10000-01-01",
    "1-1-1",
    "2026/01/01",
    "01/02/2026",
    "2026-01-01T00:00:00",
    "yesterday",
]

nasty_text = st.sampled_from(NASTY_TEXT)
any_text = st.text(max_size=300)  # every code point, NUL and surrogates' neighbours included
# Long text, built cheaply (drawing 20,000 characters one by one would take most of the time).
long_text = st.tuples(
    st.sampled_from(["a", "\u00e9", "\U0001f600", "\u202e", "\x00", "1"]),
    st.integers(min_value=1_001, max_value=20_000),
).map(lambda pair: pair[0] * pair[1])

form_value = st.one_of(
    nasty_text,
    st.sampled_from(NASTY_NUMBERS),
    st.sampled_from(NASTY_DATES),
    any_text,
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    long_text,
)
# A field sent twice or more (a list where one value belongs).
form_field = st.one_of(form_value, st.lists(form_value, min_size=2, max_size=3))


def form_data(valid, *, extra_fields=()):
    """A POST based on a valid one: each field kept, replaced by junk, or left out."""
    fields = {}
    for name, value in valid.items():
        fields[name] = st.one_of(st.just(value), form_field, st.just(None))
    for name in extra_fields:
        fields[name] = st.one_of(form_field, st.just(None))
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


# --- JSON for the API ------------------------------------------------------------

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY_NUMBERS),
    nasty_text,
    any_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)
    ),
    max_leaves=6,
)


def count_body(valid):
    """A JSON object of counts: each value kept, replaced by any JSON, or left out;
    sometimes a field that is not in the schema."""
    fields = {name: st.one_of(st.just(v), json_value, st.just(...)) for name, v in valid.items()}
    return st.tuples(
        st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not ...}),
        st.one_of(
            st.just({}),
            st.dictionaries(st.sampled_from(["spam", "id", "\x00"]), json_value, max_size=1),
        ),
    ).map(lambda pair: {**pair[0], **pair[1]})


def dumps(body):
    """JSON as a careless client writes it: NaN and Infinity bare, as Python does."""
    return json.dumps(body, allow_nan=True)


raw_body = st.one_of(
    st.just(""),
    st.just("{"),
    st.just("null"),
    st.just("[]"),
    st.just('{"demand": NaN}'),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
