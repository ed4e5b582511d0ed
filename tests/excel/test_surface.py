"""The Excel door's surface (kinerja.excel.surface): every member the live writer, the open-book
reader and the handlers may use exists on xlwings' own classes and on the test fake, so the fake
cannot drift from what xlwings offers, and code typed against the Protocols runs on both."""

from __future__ import annotations

import typing

import pytest
import xlwings.main as xw_main

from fake_xlwings import Book
from kinerja.excel import surface


def _members(proto: type) -> set[str]:
    names = {n for n in vars(proto) if not n.startswith("_")} | set(typing.get_type_hints(proto))
    return names - {"__init__"}


PAIRS = [  # Protocol, xlwings' class, how to reach the fake's object from a fake Book
    (surface.OpenBook, xw_main.Book, lambda b: b),
    (surface.OpenSheet, xw_main.Sheet, lambda b: b.sheets[0]),
    (surface.OpenRange, xw_main.Range, lambda b: b.sheets[0].range((1, 1))),
]


@pytest.mark.parametrize(("proto", "real", "reach"), PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_protocol_members_exist_on_xlwings_and_on_the_fake(sample_master, proto, real, reach):
    members = _members(proto)
    assert members, proto
    assert {m for m in members if not hasattr(real, m)} == set(), f"xlwings.{real.__name__} lacks them"
    fake = reach(Book(sample_master))
    assert {m for m in members if not hasattr(fake, m)} == set(), f"the fake {type(fake).__name__} lacks them"
    assert isinstance(fake, proto)


def test_sheets_and_notes_as_xlwings_has_them(sample_master):
    assert hasattr(xw_main.Sheets, "add") and hasattr(xw_main.Note, "delete")
    assert {"text", "location", "delete"} <= {m for m in _members(surface.OpenNote) if hasattr(xw_main.Note, m)}
    sheets = Book(sample_master).sheets
    assert len(sheets) == len(list(sheets)) > 0
    assert sheets[0].name == sheets[sheets[0].name].name
    assert callable(sheets.add)


def test_the_door_is_typed_against_the_surface():
    from kinerja.excel import book, live

    assert typing.get_type_hints(live.apply_live)["book"] is surface.OpenBook
    assert typing.get_type_hints(live.live_list_range)["book"] is surface.OpenBook
    assert typing.get_type_hints(book.load_open_book)["book"] is surface.OpenBook
