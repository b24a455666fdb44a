"""Regional sensitivity analysis: which parameters separate the cases of interest at all.

PRIM finds one box; a researcher used to EMA Workbench also asks which parameters matter for
the cases anywhere, box or not (``ema_workbench.analysis.regional_sa``; Spear and Hornberger,
1980). For each parameter, the two-sample Kolmogorov–Smirnov distance between its values in
the cases and in the other scenarios: 0 when the cases are spread over the parameter like
everything else, 1 when they sit apart. Unlike a box, it sees a parameter that matters in
several places or only together with others, and unlike a rank correlation it sees a
non-monotone one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["regional_sensitivity"]


def regional_sensitivity(x: np.ndarray, cases: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """Rank parameters by how far the cases' distribution lies from the others'.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Parameter values per scenario. [parameter units]
    cases : ndarray of bool, shape (n,)
        Whether each scenario is a case of interest; both kinds must occur. [-]
    names : sequence of str
        The d parameter names. [-]

    Returns
    -------
    pandas.DataFrame
        Index parameter, by falling ``ks``; columns ``ks`` (the Kolmogorov–Smirnov
        statistic, 0 to 1) and ``p_value`` (two-sided, exact for small samples and
        asymptotic for large ones, as SciPy chooses) [-], and ``cases_median``,
        ``others_median`` [parameter units].
    """
    x = np.asarray(x, dtype=float)
    flag = np.asarray(cases, dtype=bool)
    if x.ndim != 2 or x.shape[0] != flag.shape[0] or x.shape[1] != len(names):
        raise ValueError("x must be (n, d) with n flags and d names")
    if flag.all() or not flag.any():
        raise ValueError("regional sensitivity needs both cases and other scenarios")
    inside, outside = x[flag], x[~flag]
    test = stats.ks_2samp(inside, outside, axis=0)
    frame = pd.DataFrame(
        {
            "ks": np.atleast_1d(test.statistic),
            "p_value": np.atleast_1d(test.pvalue),
            "cases_median": np.median(inside, axis=0),
            "others_median": np.median(outside, axis=0),
        },
        index=pd.Index(list(names), name="parameter"),
    )
    order = np.argsort(-frame["ks"].to_numpy(), kind="stable")
    return frame.iloc[order]
