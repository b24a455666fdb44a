"""The nearest valid correlation matrix (Higham 2002), offered where a scenario's cannot hold."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strandrisk.scenarios.distributions import Distribution
from strandrisk.scenarios.sampling import UncertaintySpace, nearest_correlation


def test_highams_own_example():
    """Higham (2002), section 4: the nearest correlation matrix to [[1,1,0],[1,1,1],[0,1,1]]."""
    a = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    x = nearest_correlation(a, digits=4)
    expected = np.array([[1, 0.7607, 0.1573], [0.7607, 1, 0.7607], [0.1573, 0.7607, 1]])
    np.testing.assert_allclose(x, expected, atol=2e-4)


@st.composite
def _symmetric(draw):
    d = draw(st.integers(2, 6))
    entries = draw(st.lists(st.floats(-1, 1), min_size=d * (d - 1) // 2, max_size=d * (d - 1) // 2))
    c = np.eye(d)
    c[np.triu_indices(d, 1)] = np.round(entries, 2)
    return np.triu(c) + np.triu(c, 1).T


@settings(max_examples=60, deadline=None)
@given(_symmetric())
def test_any_symmetric_table_becomes_a_valid_matrix_at_two_decimals(c):
    x = nearest_correlation(c)
    np.testing.assert_array_equal(x, x.T)
    np.testing.assert_array_equal(np.diag(x), 1.0)
    assert np.linalg.eigvalsh(x).min() >= -1e-12
    np.testing.assert_array_equal(x, np.round(x, 2))
    if np.linalg.eigvalsh(c).min() > 1e-3:  # valid already: left as it is
        np.testing.assert_array_equal(x, c)
    keys = tuple("abcdef"[: len(c)])
    UncertaintySpace(keys, (Distribution("uniform", low=0, high=1),) * len(c), x)  # accepted


def test_the_refusal_offers_the_nearest_pairs_and_they_hold():
    c = np.eye(4)
    for (i, j), rho in {(0, 1): 0.9, (1, 2): 0.9, (0, 2): -0.2, (2, 3): 0.3}.items():
        c[i, j] = c[j, i] = rho
    keys = ("a", "b", "c", "d")
    dists = (Distribution("uniform", low=0, high=1),) * 4
    with pytest.raises(ValueError, match=r"the nearest matrix that can \(Higham 2002\)") as err:
        UncertaintySpace(keys, dists, c)
    pairs = json.loads(str(err.value).split("(pairs = ")[1].rstrip(")"))  # TOML's list is JSON
    fixed = c.copy()
    for a, b, rho in pairs:
        i, j = keys.index(a), keys.index(b)
        fixed[i, j] = fixed[j, i] = rho
    UncertaintySpace(keys, dists, fixed)  # the offered pairs, pasted, hold together
    assert abs(fixed[2, 3] - 0.3) < 0.1  # the consistent pair hardly moves
