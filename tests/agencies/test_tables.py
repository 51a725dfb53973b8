"""agencies.tables: django-tables2's signature answers, remembered per function."""

import functools
import gc

from django_tables2 import utils

from agencies import tables


class Table:
    def render_name(self, value, record):
        return value

    def render_any(self, **kwargs):
        return kwargs


def test_the_memo_is_in_front_of_the_librarys_signature():
    assert utils.signature is tables.remembered_signature


def test_each_answer_is_the_librarys_own():
    def plain(value, *args, column=None, **extra):
        return value

    shown = Table()
    for fn in (shown.render_name, shown.render_any, plain, functools.partial(plain, 1)):
        assert tables.remembered_signature(fn) == tables._asked(fn)
        assert tables.remembered_signature(fn) == tables._asked(fn)  # and from the memo


def test_a_method_is_asked_once_whatever_its_instance(monkeypatch):
    asked = []

    monkeypatch.setattr(tables, "_asked", lambda fn: asked.append(fn) or ("value",))
    monkeypatch.setattr(tables, "_bound", tables.weakref.WeakKeyDictionary())

    class Fresh:
        def render_x(self, value):
            return value

    for _ in range(3):
        assert tables.remembered_signature(Fresh().render_x) == ("value",)
    assert len(asked) == 1


def test_a_function_made_per_request_is_not_kept():
    def made():
        def render(value):
            return value

        tables.remembered_signature(render)
        return len(tables._plain)

    before = len(tables._plain)
    assert made() == before + 1
    gc.collect()
    assert len(tables._plain) == before


def test_remember_signatures_puts_the_memo_in_front(monkeypatch):
    monkeypatch.setattr(utils, "signature", tables._asked)
    tables.remember_signatures()
    assert utils.signature is tables.remembered_signature
    tables.remember_signatures()  # again: still the memo, not a memo of the memo
    assert utils.signature is tables.remembered_signature
