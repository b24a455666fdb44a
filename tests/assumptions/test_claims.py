"""Each claim's recomputation against a hand calculation, and the verdicts that follow."""

import math

import pytest

from strandrisk import load_claims, load_register
from strandrisk.assumptions.claims import CLAIM_COLUMNS, evaluate_claims
from strandrisk.assumptions.schema import RegisterError

# id -> (hand-computed recomputation in the claim's unit, expected verdict)
HAND = {
    "C1.01": (100 * (725 / 410 - 1), "consistent"),
    "C1.02": (200 + 180 + 135 + 190, "inconsistent"),
    "C1.03": (200 + 185 + 145 + 190, "inconsistent"),
    "C1.04": (200 + 180 + 135 + 190 + 50, "consistent"),
    "C1.05": (725 * 0.75, "inconsistent"),
    "C1.09": (1500, "consistent"),
    "C2.01": (20 / 0.07, "consistent"),
    "C2.02": (2024.792 - 2022.875, "consistent"),
    "C2.03": ((0.07 / 20) ** (1 / (2024.792 - 2022.875)), "consistent"),
    "C2.05": (100 * (1 - 0.10 / 30), "consistent"),
    "C2.06": (0.07, "inconsistent"),
    "C2.07": (10_000 / 9**3, "consistent"),
    "C2.09": (0.3 ** (1 / 1.375), "inconsistent"),
    "C2.10": (0.33, "inconsistent"),
    "C3.01": (2.5, "consistent"),
    "C3.03": (2.07, "consistent"),
    "C3.04": (12 * math.log(2) / math.log(4.5), "inconsistent"),
    "C4.01": (100 * (1 - 0.55 / 15), "inconsistent"),
    "C4.02": (100 * (1 - 49e9 / 1.6e12), "inconsistent"),
    "C5.01": (300 / 136, "consistent"),
    "C5.02": (36_000 / 300 * 136, "consistent"),
    "C5.03": (45_696 / 136 * 300 / 1000, "consistent"),
    "C5.04": (45_696 / 0.2, "consistent"),
    "C5.05": (800e9 / 12 / 8 / 1e6, "consistent"),
    "C6.01": (70e9 * 4 / 8 / 1e9, "consistent"),
    "C6.02": (35.0, "consistent"),
}


@pytest.fixture(scope="module")
def claims():
    return {c.id: c for c in load_claims()}


@pytest.mark.parametrize("claim_id", sorted(HAND))
def test_recomputation_matches_hand_calculation(claims, claim_id):
    expected, verdict = HAND[claim_id]
    claim = claims[claim_id]
    assert claim.recomputed == pytest.approx(expected, rel=1e-6)
    assert claim.verdict == verdict


def test_gpt4_class_fit_claim_uses_a_hand_fit(claims):
    # three points: OLS slope of ln(price) on years by hand
    days = [0, 426, 762]  # 2023-03-14, 2024-05-13, 2025-04-14
    t = [d / 365.25 for d in days]
    y = [math.log(30), math.log(2.5), math.log(0.10)]
    tm, ym = sum(t) / 3, sum(y) / 3
    slope = sum((a - tm) * (b - ym) for a, b in zip(t, y, strict=True)) / sum(
        (a - tm) ** 2 for a in t
    )
    assert claims["C2.04"].recomputed == pytest.approx(math.exp(slope), rel=1e-9)


def test_every_article_section_has_claims_and_verdicts_are_computed(claims):
    sections = {c.section for c in claims.values()}
    assert set(range(0, 10)) - {3, 7} <= sections | {0}
    verdicts = {c.verdict for c in claims.values()}
    assert verdicts == {"consistent", "inconsistent", "not-checkable"}
    for c in claims.values():
        assert (c.recomputed is None) == (c.verdict == "not-checkable")


def test_the_verdict_follows_the_numbers_not_the_text():
    reg = load_register()
    header = ",".join(CLAIM_COLUMNS)
    row = 'X1,1,"t",capex_2026_big4_ft,USD_B,{f},approx,0.02,'
    # formulas work in canonical units (USD), so constants are written in USD
    ok = evaluate_claims(f"{header}\n{row.format(f='capex_2026_guidance_big4_sum + 20e9')}\n", reg)[
        0
    ]
    bad = evaluate_claims(f"{header}\n{row.format(f='capex_2026_guidance_big4_sum')}\n", reg)[0]
    assert (ok.verdict, bad.verdict) == ("consistent", "inconsistent")


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ('X1,1,"t",nothere,USD_B,1,approx,0.1,', "stated", "missing row 'nothere'"),
        ('X1,1,"t",capex_2026_big4_ft,USD_B,,approx,0.1,', "formula", "needs a formula"),
        ('X1,1,"t",capex_2026_big4_ft,USD_B,1,maybe,0.1,', "check", "'maybe' is not one of"),
        ('X1,1,"t",capex_2026_big4_ft,USD_B,1,approx,-1,', "tolerance", ">= 0"),
        ('X1,1,"t",capex_2026_big4_ft,parsecs,1,approx,0.1,', "unit", "unknown unit"),
        (
            'X1,1,"t",capex_2026_big4_ft * 2,USD_B,1,within,0.1,',
            "stated",
            "single row with a range",
        ),
    ],
)
def test_malformed_claims_are_rejected(row, column, fragment):
    header = ",".join(CLAIM_COLUMNS)
    with pytest.raises(RegisterError) as info:
        evaluate_claims(f"{header}\n{row}\n", load_register())
    assert info.value.column == column
    assert fragment in str(info.value)
