"""Golden run: 16 fixed-seed scenarios of the base preset's priors against ``tests/data/golden/``.

Every outcome column (break-even values included) and the industry's quarterly book, economic
and stranded value of the first scenario are compared at ``rtol=1e-10``. A deliberate change to
the model or the register changes them: regenerate with ``make golden`` and review the diff of
``tests/data/golden/`` before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import strandrisk as sr
from strandrisk.scenarios.sampling import sample_range

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
UPDATE = os.environ.get("STRANDRISK_UPDATE_GOLDEN") == "1"
N, SEED = 16, 7
BREAKEVEN_TOL = 2e-7  # [1/year] twice the solver's tolerance


@pytest.fixture(scope="module")
def golden_run():
    scenario = sr.load_scenario("base")
    space = sr.load_uncertainty("base", scenario)
    return sr.simulate(scenario, sample_range(space, 0, N, SEED, "lhs"), keep_series=True)


def _compare(name: str, now: pd.DataFrame) -> None:
    path = GOLDEN / name
    if UPDATE:
        now.to_csv(path, index=False, float_format="%.17g")
        pytest.skip(f"wrote {path}")
    then = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert list(then.columns) == list(now.columns)
    for column in now.columns:
        a, b = now[column], then[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=column)
            scale = np.nanmax(np.abs(y), initial=0.0)
            # the break-even solver stops within 1e-7 a year, so a last-bit difference in
            # exp or log (NumPy's SIMD paths differ between CPUs) can move its answer that far
            atol = BREAKEVEN_TOL if column.startswith("breakeven_") else 1e-10 * scale
            ok = ~np.isnan(y)
            np.testing.assert_allclose(
                x[ok], y[ok], rtol=1e-10, atol=atol, err_msg=f"{name}: {column}"
            )
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), f"{name}: {column}"


def test_outcomes_of_the_golden_run(golden_run):
    outcomes = golden_run.outcomes.copy()
    for column in ("stranded_peak_date", "first_impairment_ifrs", "first_impairment_usgaap"):
        outcomes[column] = outcomes[column].fillna("")  # "never" as an empty cell
    outcomes["first_negative_fcf_year"] = outcomes["first_negative_fcf_year"].astype("Float64")
    _compare("outcomes_base_lhs16_seed7.csv", outcomes)


def test_series_of_the_golden_run(golden_run):
    ds = golden_run.series.isel(scenario=0).sel(company="industry")
    frame = pd.DataFrame(
        {
            "quarter": [str(q) for q in ds["quarter"].values],
            **{v: ds[v].values for v in ("book_value", "economic_value", "stranded_value")},
        }
    )
    _compare("series_base_lhs16_seed7_industry.csv", frame)
