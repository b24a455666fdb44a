"""IAS 36 and ASC 360 bookkeeping: depreciation on carrying amounts, reversals, the roll-forward."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strandrisk.core.impairment import impairment_ifrs, impairment_usgaap

# one cohort bought for 100 at the start of quarter 0, booked over four quarters
BOOK = np.array([75.0, 50.0, 25.0, 0.0]).reshape(1, 1, 1, 4)
OPENING = np.zeros((1, 1, 1))
ADDITIONS = np.array([100.0, 0.0, 0.0, 0.0]).reshape(1, 1, 4)
NOTHING_ELSE = np.zeros((1, 1, 4))


def test_ifrs_by_hand_write_down_then_reversal():
    """q0: carrying 75 against 60 recoverable, a loss of 15 (each cohort kept at 0.8);
    q1: depreciation 0.8 x 25 = 20, carrying 40 against 100, the whole 10 reversed."""
    recoverable = np.array([60.0, 100.0, 100.0, 100.0]).reshape(1, 1, 4)
    path = impairment_ifrs(BOOK, NOTHING_ELSE, recoverable, True, OPENING, ADDITIONS)
    np.testing.assert_allclose(path.charge.ravel(), [15.0, -10.0, 0.0, 0.0])
    np.testing.assert_allclose(path.reversal.ravel(), [0.0, 10.0, 0.0, 0.0])
    np.testing.assert_allclose(path.depreciation.ravel(), [25.0, 20.0, 25.0, 25.0])
    np.testing.assert_allclose(path.carrying.ravel(), [60.0, 50.0, 25.0, 0.0])


def test_usgaap_by_hand_write_down_without_reversal():
    """q0 fails recoverability (70 < 75) and is written down to fair value 60; after it
    every quarter depreciates 0.8 of the booked 25, and nothing comes back."""
    undiscounted = np.array([70.0, 100.0, 100.0, 100.0]).reshape(1, 1, 4)
    fair = np.array([60.0, 100.0, 100.0, 100.0]).reshape(1, 1, 4)
    path = impairment_usgaap(BOOK, NOTHING_ELSE, undiscounted, fair, OPENING, ADDITIONS)
    np.testing.assert_allclose(path.charge.ravel(), [15.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(path.reversal.ravel(), 0.0)
    np.testing.assert_allclose(path.depreciation.ravel(), [25.0, 20.0, 20.0, 20.0])
    np.testing.assert_allclose(path.carrying.ravel(), [60.0, 40.0, 20.0, 0.0])


def test_opening_and_additions_come_together():
    recoverable = np.full((1, 1, 4), 100.0)
    path = impairment_ifrs(BOOK, NOTHING_ELSE, recoverable)
    assert path.depreciation is None
    with pytest.raises(ValueError, match="both or neither"):
        impairment_ifrs(BOOK, NOTHING_ELSE, recoverable, True, OPENING, None)


@st.composite
def _books(draw):
    """Cohorts with random costs, lives and commissioning quarters, and a random test."""
    v = draw(st.integers(1, 5))
    t = draw(st.integers(2, 12))
    cost = np.array(draw(st.lists(st.floats(1.0, 1e3), min_size=v, max_size=v)))
    life = np.array(draw(st.lists(st.integers(1, 10), min_size=v, max_size=v)), dtype=float)
    start = np.array(draw(st.lists(st.integers(-6, t - 1), min_size=v, max_size=v)))
    ages_end = np.arange(t)[None, :] - start[:, None] + 1.0  # quarters old at each end
    book = np.where(ages_end > 0, cost[:, None] * np.clip(1 - ages_end / life[:, None], 0, 1), 0)
    opening = np.where(start < 0, cost * np.clip(1 + start / life, 0, 1), 0.0)
    additions = np.zeros(t)
    for c, s in zip(cost, start, strict=True):
        if s >= 0:
            additions[s] += c
    level = draw(st.lists(st.floats(0.0, 2.0), min_size=t, max_size=t))
    total = book.sum(axis=0)
    recoverable = np.array(level) * np.maximum(total, 1.0)
    return book[None, None], opening[None, None], additions[None, None], recoverable[None, None]


@settings(max_examples=200, deadline=None)
@given(_books())
def test_the_roll_forward_ties_for_any_books_and_tests(case):
    """Opening + additions - depreciation - losses + reversals = closing, every quarter."""
    book, opening, additions, recoverable = case
    other = np.zeros_like(recoverable)
    ifrs = impairment_ifrs(book, other, recoverable, True, opening, additions)
    gaap = impairment_usgaap(book, other, 0.9 * recoverable, recoverable, opening, additions)
    scale = max(float(book.max()), float(opening.sum()), 1.0)
    for path in (ifrs, gaap):
        before = np.concatenate([[opening.sum()], path.carrying.ravel()[:-1]])
        tie = before + additions.ravel() - path.depreciation.ravel() - path.charge.ravel()
        np.testing.assert_allclose(tie, path.carrying.ravel(), rtol=0, atol=1e-9 * scale)
        assert (path.reversal >= 0).all()
        assert (path.depreciation >= -1e-9 * scale).all()  # write-downs never make it negative
    assert (gaap.charge >= 0).all()
    # depreciation on carrying amounts is at most the booked depreciation
    booked = additions.ravel() - np.diff(
        np.concatenate([[opening.sum()], book.sum(axis=2).ravel()])
    )
    assert (gaap.depreciation.ravel() <= booked + 1e-9 * scale).all()
