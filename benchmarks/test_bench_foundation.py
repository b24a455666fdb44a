"""Speed of the foundation: register build, vectorised trend fits, claims audit.

Run with ``make bench``; these are never part of ``make test``.
"""

import numpy as np

from strandrisk.assumptions.claims import load_claims
from strandrisk.assumptions.register import _default_fits_text, build_register, default_tables
from strandrisk.core.trend import fit_log_linear


def test_build_register_from_scratch(benchmark):
    reg = benchmark(lambda: build_register(default_tables(), _default_fits_text()))
    assert len(reg) > 300


def test_fit_100k_series_of_41_quarters(benchmark):
    rng = np.random.default_rng(0)
    t = np.arange(41) / 4.0
    y = np.exp(-0.5 * t + rng.normal(0, 0.1, size=(100_000, 41)))
    fit = benchmark(fit_log_linear, t, y)
    assert fit.rate_per_year.shape == (100_000,)


def test_claims_audit(benchmark):
    claims = benchmark(load_claims)
    assert len(claims) > 40
