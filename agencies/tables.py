"""django-tables2, told what each render method takes once instead of once a cell.

To call a column's `render_<name>` or `render` with only the arguments it takes,
django-tables2 (3.0) asks `inspect.signature` every time it renders a cell
(`django_tables2.utils.call_with_appropriate`): a tenth of the widget list's
build at 25 rows of 8 columns. A method's signature cannot change while the
process runs, so `remember_signatures` puts a memo in front of the library's
`signature` function: keyed by the function behind a bound method (a table's or
a column's method, defined once with its class), and by the function itself for
a plain function, held weakly so that a function made per request is not kept.
Anything else (a partial, an object with `__call__`) is asked every time, as
before. The answers are the library's own (tests/agencies/test_tables.py).
"""

import types
import weakref

from django_tables2 import utils

_asked = utils.signature  # the library's own, which the memo asks once per function
_bound = weakref.WeakKeyDictionary()  # {function: answer for it as a bound method}
_plain = weakref.WeakKeyDictionary()  # {function: answer for it called as it is}


def remembered_signature(fn):
    """utils.signature(fn), asked once per function."""
    function = getattr(fn, "__func__", None)
    memo = _bound
    if function is None:
        if not isinstance(fn, types.FunctionType):
            return _asked(fn)
        function, memo = fn, _plain
    try:
        return memo[function]
    except KeyError:
        answer = memo[function] = _asked(fn)
        return answer


def remember_signatures():
    """Put the memo in front of django-tables2's `signature` (called at start-up,
    from agencies.apps). Idempotent."""
    utils.signature = remembered_signature
