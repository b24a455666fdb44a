"""Observations read from an Excel workbook as from the same sheet saved as CSV."""

import datetime
import json
import re

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from strandrisk import InputError
from strandrisk.cli.main import app
from strandrisk.io.datasets import read_csv_table, read_table, select_columns, select_series

ROWS = [
    ("date", "rate", "group"),
    (datetime.date(2023, 1, 15), 0.6, "a"),
    (datetime.datetime(2023, 7, 1, 12, 30), 0.75, "b"),
    (datetime.date(2024, 1, 15), None, "a"),
    (datetime.date(2024, 7, 1), 0.9, "b"),
    (datetime.date(2025, 1, 15), 1.1, "a"),
    (datetime.date(2025, 7, 1), 0.8, "a"),
]


def _book(path):
    book = openpyxl.Workbook()
    book.active.title = "notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("data")
    for row in ROWS:
        sheet.append(list(row))
    book.save(path)
    return path


def _csv(path):
    lines = [
        ",".join(
            ""
            if v is None
            else (v.date().isoformat() if isinstance(v, datetime.datetime) else str(v))
            for v in row
        )
        for row in ROWS
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_sheet_reads_as_the_same_sheet_saved_as_csv(tmp_path):
    book = read_table(_book(tmp_path / "obs.xlsx"), "data")
    csv = read_csv_table(_csv(tmp_path / "obs.csv"))
    assert list(book.columns) == list(csv.columns)
    a = select_columns(book, ["rate"], where={"group": ["a"]})
    b = select_columns(csv, ["rate"], where={"group": ["a"]})
    np.testing.assert_array_equal(a["rate"], b["rate"])  # NaN where the cell is empty
    s1, s2 = select_series(book, "date", "rate"), select_series(csv, "date", "rate")
    np.testing.assert_array_equal(s1.dates, s2.dates)  # a date and time is its date
    np.testing.assert_array_equal(s1.values, s2.values)
    assert s1.skipped == s2.skipped == 1
    first = read_table(tmp_path / "obs.xlsx")  # no sheet named: the first
    assert list(first.columns) == ["nothing here"]


def test_commands_read_a_workbook_as_its_csv(tmp_path):
    book, csv = _book(tmp_path / "obs.xlsx"), _csv(tmp_path / "obs.csv")
    runner = CliRunner()
    prior = ["fit-prior", "--column", "rate", "--json"]
    got = [
        json.loads(runner.invoke(app, [prior[0], str(f), *prior[1:], *extra]).stdout)
        for f, extra in ((book, ["--sheet", "data"]), (csv, []))
    ]
    assert got[0] == got[1]
    trend = ["--x", "date", "--y", "rate", "--json"]
    fits = [
        json.loads(runner.invoke(app, ["fit", str(f), *trend, *extra]).stdout)
        for f, extra in ((book, ["--sheet", "data"]), (csv, []))
    ]
    assert fits[0] == fits[1]


@pytest.mark.parametrize(
    ("name", "sheet", "message"),
    [
        ("obs.xlsx", "dat", "no sheet 'dat'; its sheets are: notes, data (did you mean data?)"),
        ("junk.xlsx", None, "cannot read as an Excel workbook"),
        ("obs.csv", "data", "--sheet is for an Excel workbook (.xlsx), not a CSV file"),
        ("missing.xlsx", None, "no such file"),
    ],
)
def test_workbook_refusals(tmp_path, name, sheet, message):
    _book(tmp_path / "obs.xlsx")
    _csv(tmp_path / "obs.csv")
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(InputError, match=re.escape(message)):
        read_table(tmp_path / name, sheet)
