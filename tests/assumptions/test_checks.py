"""The register loader rejects every kind of malformed table, naming table, row and column."""

import pytest

from strandrisk.assumptions.fits import FIT_COLUMNS
from strandrisk.assumptions.register import build_register
from strandrisk.assumptions.schema import COLUMNS, RegisterError

HEADER = ",".join(COLUMNS)
NO_FITS = ",".join(FIT_COLUMNS) + "\n"
GOOD = "capex_a,10,USD_B,8,12,uniform,Filing 10-K,2026-01-31,sourced,,a note"


def load(*lines, header=HEADER):
    return build_register(
        {"demo": "\n".join([header, *lines]) + "\n"}, NO_FITS, include_datasets=False
    )


def test_a_good_table_loads():
    reg = load(GOOD, "capex_b,,USD_B,,,,derived here,,derived,capex_a * 2,twice a")
    assert reg["capex_b"].value == pytest.approx(20.0)
    assert reg.value("capex_b") == pytest.approx(20e9)


def test_a_formula_may_start_with_an_equals_sign_as_the_listing_prints_it():
    reg = load(GOOD, "capex_b,,USD_B,,,,derived here,,derived,= capex_a * 2,twice a")
    assert reg["capex_b"].value == pytest.approx(20.0)
    assert reg["capex_b"].formula == "capex_a * 2"


FAULTS = [
    # (description, lines, header, column, message fragment)
    ("missing source", ["x,1,USD,,,,,2026-01-01,sourced,,"], None, "source", "missing source"),
    ("unknown unit", ["x,1,furlongs,,,,src,,sourced,,"], None, "unit", "unknown unit 'furlongs'"),
    ("missing unit", ["x,1,,,,,src,,sourced,,"], None, "unit", "missing unit"),
    (
        "low above high",
        ["x,5,USD,9,1,uniform,src,,sourced,,"],
        None,
        "low",
        "low 9 is above high 1",
    ),
    (
        "value outside range",
        ["x,50,USD,1,9,uniform,src,,sourced,,"],
        None,
        "value",
        "outside [low, high]",
    ),
    (
        "formula names a missing row",
        ["y,,USD,,,,src,,derived,nothere * 2,"],
        None,
        "formula",
        "missing row 'nothere'",
    ),
    (
        "formula names a missing fit",
        ["y,,1/year,,,,src,,derived,fit_rate(nofit),"],
        None,
        "formula",
        "missing trend fit 'nofit'",
    ),
    ("NaN value", ["x,nan,USD,,,,src,,sourced,,"], None, "value", "not a finite number"),
    ("infinite value", ["x,inf,USD,,,,src,,sourced,,"], None, "value", "not a finite number"),
    ("text value", ["x,lots,USD,,,,src,,sourced,,"], None, "value", "'lots' is not a number"),
    ("missing value", ["x,,USD,,,,src,,sourced,,"], None, "value", "missing value"),
    (
        "range given without distribution",
        ["x,5,year,4,6,,src,,sourced,,"],
        None,
        "distribution",
        "needs a distribution",
    ),
    ("negative life", ["useful_life_x,-5,year,,,,src,,sourced,,"], None, "value", "-5 is negative"),
    (
        "negative low of a price",
        ["p,1,USD/Mtok,-1,2,uniform,src,,sourced,,"],
        None,
        "low",
        "-1 is negative",
    ),
    (
        "half a range",
        ["x,5,year,4,,uniform,src,,sourced,,"],
        None,
        "high",
        "give both low and high",
    ),
    (
        "unknown distribution",
        ["x,5,year,4,6,bimodal,src,,sourced,,"],
        None,
        "distribution",
        "'bimodal' is not one of",
    ),
    (
        "fixed with a range",
        ["x,5,year,4,6,fixed,src,,sourced,,"],
        None,
        "distribution",
        "fixed value has no range",
    ),
    ("unknown kind", ["x,5,year,,,,src,,guess,,"], None, "kind", "'guess' is not one of"),
    (
        "assumption without reasoning",
        ["x,5,year,,,,assumption: mine,,assumption,,"],
        None,
        "note",
        "reasoning",
    ),
    ("derived without formula", ["x,,year,,,,src,,derived,,"], None, "formula", "needs a formula"),
    (
        "derived with a typed value",
        ["x,3,year,,,,src,,derived,1+2,"],
        None,
        "value",
        "computed from its formula",
    ),
    (
        "formula on a sourced row",
        ["x,3,year,,,,src,,sourced,1+2,"],
        None,
        "formula",
        "only derived rows",
    ),
    (
        "formula that does not parse",
        ["x,,year,,,,src,,derived,2 *,"],
        None,
        "formula",
        "does not parse",
    ),
    (
        "formula calling an unknown function",
        ["x,,year,,,,src,,derived,evil(2),"],
        None,
        "formula",
        "unknown function 'evil'; functions: abs, exp,",
    ),
    (
        "formula with attribute access",
        ["x,,year,,,,src,,derived,a.b,"],
        None,
        "formula",
        "Attribute is not allowed",
    ),
    (
        "circular formulas",
        ["a,,year,,,,s,,derived,b + 1,", "b,,year,,,,s,,derived,a + 1,"],
        None,
        "formula",
        "circular formulas",
    ),
    ("self reference", ["a,,year,,,,s,,derived,a + 1,"], None, "formula", "its own row"),
    (
        "bad retrieved date",
        ["x,5,year,,,,src,yesterday,sourced,,"],
        None,
        "retrieved",
        "not an ISO date",
    ),
    ("bad name", ["Bad Name,5,year,,,,src,,sourced,,"], None, "name", "lower_snake_case"),
    ("duplicate name", [GOOD, GOOD], None, "name", "duplicate name"),
    (
        "missing column",
        [GOOD],
        ",".join(c for c in COLUMNS if c != "source"),
        "source",
        "missing column",
    ),
    ("unknown column", [GOOD + ",x"], HEADER + ",colour", "colour", "unknown column"),
    ("too many cells", [GOOD + ",extra"], None, "*", "more cells than columns"),
    (
        "division by zero",
        ["z,0,USD,,,,s,,sourced,,", "y,,USD,,,,s,,derived,1 / z,"],
        None,
        "formula",
        "cannot evaluate",
    ),
    (
        "derived value outside its formula range",
        ["z,2,USD,,,,s,,sourced,,", "y,,USD,3,4,uniform,s,,derived,z / 1e9,"],
        None,
        "formula",
        "outside [low, high]",
    ),
]


@pytest.mark.parametrize(
    ("what", "lines", "header", "column", "fragment"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_each_fault_is_rejected_with_a_message_naming_it(what, lines, header, column, fragment):
    with pytest.raises(RegisterError) as info:
        load(*lines, header=header or HEADER)
    err = info.value
    assert err.table == "demo.csv"
    assert err.column == column
    assert f"column {column!r}" in str(err)
    assert "row " in str(err)
    if fragment:
        assert fragment in str(err)
