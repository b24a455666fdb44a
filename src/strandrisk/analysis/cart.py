"""CART scenario discovery: a classification tree's leaves as boxes (EMA Workbench's ``cart``).

Breiman et al.'s classification and regression trees (1984), as EMA Workbench uses them beside
PRIM (Lempert, Bryant and Bankes, 2008, compared the two): scikit-learn's
``DecisionTreeClassifier`` splits the scenarios, one parameter at a threshold at a time, until
no split leaves both sides with at least ``mass_min`` of them (EMA Workbench's
``min_samples_leaf = int(mass_min * n)``). Each leaf is a box -- the thresholds on its path
from the root -- with the same statistics as a PRIM box: coverage (its share of all the
cases), density (the share of its scenarios that are cases) and mass (its share of all the
scenarios). Where PRIM peels one box slowly and keeps the densest with enough coverage, the
tree partitions the whole space at once: several boxes of cases where they sit in more than
one place, each found greedily (a split is chosen for the purity it gives now, not for the
box it leads to), so its boxes tend to hold more restrictions than PRIM's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CartResult", "cart"]


@dataclass(frozen=True, slots=True)
class CartResult:
    """A classification tree's leaves as boxes, densest first.

    Attributes
    ----------
    leaves : pandas.DataFrame
        Index ``leaf`` (1 the densest); columns ``scenarios`` and ``cases`` [count],
        ``coverage``, ``density``, ``mass`` [fraction] and ``restricted`` (how many
        parameters its box restricts) [count]. [-]
    limits : pandas.DataFrame
        Index (leaf, parameter), each leaf's restricted parameters in the order of its path
        from the root; columns ``low`` and ``high``, the box's edges (the data's smallest or
        largest value on a side the tree does not cut), and ``cut_low`` and ``cut_high``,
        whether the tree cuts that side. [parameter units]
    mass_min : float
        The smallest share of the scenarios a leaf may hold. [fraction]
    """

    leaves: pd.DataFrame
    limits: pd.DataFrame
    mass_min: float

    def of_cases(self) -> pd.DataFrame:
        """Return the leaves where the cases are the majority (the tree calls them cases).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`leaves` with a density of at least one half. [-]
        """
        return self.leaves[self.leaves["density"] >= 0.5]

    def box(self, leaf: int) -> pd.DataFrame:
        """Return a leaf's restrictions: :attr:`limits`' rows for it (none for the root alone).

        Parameters
        ----------
        leaf : int
            A leaf's number (its row of :attr:`leaves`). [-]

        Returns
        -------
        pandas.DataFrame
            Index parameter, in the order of the leaf's path; columns ``low``, ``high``,
            ``cut_low``, ``cut_high``; empty for a tree of one leaf. [parameter units]
        """
        if leaf not in self.limits.index.get_level_values("leaf"):
            return self.limits.iloc[:0].droplevel("leaf")
        return self.limits.loc[leaf]

    def rule(self, leaf: int, digits: int = 4) -> str:
        """Write a leaf's box as a rule, e.g. ``capex.growth > 0.17 and market.elasticity <= 1.1``.

        Parameters
        ----------
        leaf : int
            A leaf's number (its row of :attr:`leaves`). [-]
        digits : int
            Significant digits of each edge. [count]

        Returns
        -------
        str
            The restrictions joined by "and"; "every scenario" for a tree of one leaf. [-]
        """
        box = self.box(leaf)
        if box.empty:
            return "every scenario"
        parts = []
        for name, row in box.iterrows():
            cut_low, cut_high = bool(row["cut_low"]), bool(row["cut_high"])
            if cut_low and cut_high:
                parts.append(f"{row['low']:.{digits}g} < {name} <= {row['high']:.{digits}g}")
            elif cut_low:
                parts.append(f"{name} > {row['low']:.{digits}g}")
            else:
                parts.append(f"{name} <= {row['high']:.{digits}g}")
        return " and ".join(parts)


def cart(
    x: np.ndarray,
    cases: np.ndarray,
    names: Sequence[str],
    mass_min: float = 0.05,
    seed: int = 0,
) -> CartResult:
    """Grow a classification tree of the cases and return its leaves as boxes.

    Parameters
    ----------
    x : ndarray (n, d)
        The scenarios' parameter values. [parameter units]
    cases : ndarray of bool (n,)
        Which scenarios are cases of interest. [-]
    names : sequence of str
        The parameters' names, ``d`` of them. [-]
    mass_min : float
        The smallest share of the scenarios a leaf may hold, in [0, 1) (at least one
        scenario). [fraction]
    seed : int
        Seed of the tree's order of trying the parameters (it breaks ties). [-]

    Returns
    -------
    CartResult
        The leaves, densest first (then the most cases), and their boxes. [-]

    Raises
    ------
    ValueError
        For a ``mass_min`` outside [0, 1), or ``x`` and ``cases`` of different lengths.
    """
    from sklearn.tree import DecisionTreeClassifier  # scikit-learn is slow to import

    x = np.asarray(x, dtype=float)
    y = np.asarray(cases, dtype=bool)
    n = len(y)
    if x.shape != (n, len(names)):
        raise ValueError(f"x is {x.shape}; {n} scenarios of {len(names)} parameters expected")
    if not 0.0 <= mass_min < 1.0:  # as PRIM's; above a half, no split leaves two leaves
        raise ValueError(f"mass_min {mass_min}: a share of the scenarios in [0, 1)")
    tree = DecisionTreeClassifier(
        min_samples_leaf=max(1, int(mass_min * n)), random_state=seed
    ).fit(x, y)
    t = tree.tree_
    lows = np.full((t.node_count, x.shape[1]), -np.inf)
    highs = np.full((t.node_count, x.shape[1]), np.inf)
    paths: dict[int, list[int]] = {0: []}  # the parameters cut on the way, in order
    for node in range(t.node_count):  # a parent's number is below its children's
        left, right = t.children_left[node], t.children_right[node]
        if left < 0:
            continue
        f, cut = t.feature[node], t.threshold[node]
        for child in (left, right):
            lows[child], highs[child] = lows[node], highs[node]
            path = paths[node]
            paths[child] = path if f in path else [*path, int(f)]
        highs[left, f] = min(highs[left, f], cut)  # x <= cut goes left
        lows[right, f] = max(lows[right, f], cut)
    leaf_of = tree.apply(x)
    ids = np.flatnonzero(t.children_left < 0)
    scenarios = np.bincount(leaf_of, minlength=t.node_count)[ids]
    hits = np.bincount(leaf_of, weights=y, minlength=t.node_count)[ids].astype(int)
    total = max(int(y.sum()), 1)
    leaves = pd.DataFrame(
        {
            "node": ids,
            "scenarios": scenarios,
            "cases": hits,
            "coverage": hits / total,
            "density": hits / scenarios,
            "mass": scenarios / n,
            "restricted": [len(paths[int(i)]) for i in ids],
        }
    ).sort_values(["density", "cases"], ascending=False, kind="stable")
    leaves.index = pd.RangeIndex(1, len(leaves) + 1, name="leaf")
    smallest, largest = x.min(axis=0), x.max(axis=0)
    rows = [
        {
            "leaf": leaf,
            "parameter": names[f],
            "low": lows[node, f] if np.isfinite(lows[node, f]) else smallest[f],
            "high": highs[node, f] if np.isfinite(highs[node, f]) else largest[f],
            "cut_low": bool(np.isfinite(lows[node, f])),
            "cut_high": bool(np.isfinite(highs[node, f])),
        }
        for leaf, node in leaves["node"].items()
        for f in paths[int(node)]
    ]
    columns = ["leaf", "parameter", "low", "high", "cut_low", "cut_high"]
    limits = pd.DataFrame(rows, columns=columns).set_index(["leaf", "parameter"])
    return CartResult(leaves.drop(columns="node"), limits, float(mass_min))
