"""Order-stable reductions: left to right, whatever the shape of the batch."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from strandrisk.core.numeric import ordered_cumsum, ordered_sum


def _left_to_right(values):
    total = 0.0
    for v in values:
        total = total + float(v)  # Python floats are IEEE doubles: one rounding per addition
    return total


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(1, 12), min_size=1, max_size=3),
    axis_pick=st.integers(0, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_ordered_sum_adds_left_to_right_on_every_path(shape, axis_pick, seed):
    # short and long axes, last and inner axes, magnitudes from 1e-3 to 1e12 (where the
    # order of additions shows), against a plain Python loop over each row
    axis = axis_pick % len(shape)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 12, size=shape)
    got = ordered_sum(x, axis=axis)
    rows = np.moveaxis(x, axis, -1).reshape(-1, shape[axis])
    want = np.array([_left_to_right(row) for row in rows]).reshape(got.shape)
    assert np.array_equal(got, want)
    assert ordered_sum(x, axis=axis, keepdims=True).shape == tuple(
        1 if i == axis else n for i, n in enumerate(shape)
    )


def test_ordered_sum_of_a_row_does_not_depend_on_the_batch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 7, 40)) * 1e9
    for axis in (1, 2):
        whole = ordered_sum(x, axis=axis)
        alone = ordered_sum(x[123:124], axis=axis)
        assert np.array_equal(whole[123:124], alone)


def test_ordered_sum_of_an_empty_axis_is_zero_and_integers_become_floats():
    assert ordered_sum(np.zeros((3, 0)), axis=1).tolist() == [0.0, 0.0, 0.0]
    out = ordered_sum(np.array([[1, 2, 3]]), axis=1)
    assert out.dtype == np.float64
    assert out.tolist() == [6.0]


def test_ordered_cumsum_ends_at_the_ordered_sum():
    x = np.array([[1e16, 1.0, -1e16, 1.0]])
    assert ordered_cumsum(x, axis=1)[0, -1] == ordered_sum(x, axis=1)[0]
    assert ordered_sum(x, axis=1)[0] == _left_to_right(x[0]) == 1.0
    assert math.fsum(x[0]) == 2.0  # the exact sum differs: the order is the point
