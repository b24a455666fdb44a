"""``strandrisk fit-prior``: priors fitted to observed values, and their rank correlations."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from strandrisk.cli import _shared as ui
from strandrisk.cli import render
from strandrisk.errors import InputError, did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from strandrisk.analysis.priors import CopulaFit, PriorFit


@dataclass(frozen=True, slots=True)
class _Column:
    """One column's fits, their table (what became of each as a prior), the chosen one."""

    column: str
    key: str | None
    fits: list[PriorFit]
    table: pd.DataFrame  # the fits as analysis.priors.fit_table tabulates them
    best: int
    line: str
    values: np.ndarray
    skipped: int


@ui.clean_failures
def fit_prior(
    file: Annotated[
        Path, typer.Argument(help="CSV file (or Excel workbook) holding the observations.")
    ],
    column: Annotated[
        list[str],
        typer.Option(
            help="Column of values, in the parameter's canonical unit (rates per year as "
            "fractions, or written 60%; money in USD). Repeat for several parameters: each "
            "gets a prior, and their rank correlations a \\[correlations] block.",
        ),
    ],
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="COL=VAL", help="Row filter COLUMN=VALUE or COLUMN!=VALUE; repeat to combine."
        ),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(
            help="The scenario parameter a column's prior is for, e.g. market.price_decline "
            "(one per --column, in order): each fit is checked against its allowed range, and "
            "the lines name it.",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Write this kind's fit as the prior instead of the lowest AIC's, e.g. pert "
            "where the difference is small and its three points are easier to discuss.",
        ),
    ] = None,
    copula: Annotated[
        str | None,
        typer.Option(
            help="With several --column: write this copula (normal or t) in the "
            "\\[correlations] block instead of the lower AIC's.",
        ),
    ] = None,
    sheet: ui.SHEET_OPTION = None,
    out: ui.OUT_OPTION = None,
    png: ui.PNG_OPTION = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print the fits as one JSON object.")
    ] = False,
) -> None:
    """Fit a prior to observed values: each distribution kind, ranked by AIC, as a TOML line."""
    from strandrisk.assumptions.fits import parse_where
    from strandrisk.io.datasets import read_table, select_columns

    keys = list(key or [])
    if keys and len(keys) != len(column):
        raise InputError(
            f"--key: {len(keys)} given for {len(column)} --column; one each, in the same order"
        )
    if len(set(column)) < len(column):
        raise InputError("--column: a column is named twice")
    if len(set(keys)) < len(keys):
        raise InputError("--key: a parameter is named twice")
    if copula is not None and copula not in ("normal", "t"):
        raise InputError(
            f"--copula: {copula!r}: normal or t" + did_you_mean(copula, ["normal", "t"])
        )
    if copula is not None and len(column) < 2:
        raise InputError("--copula: a copula joins several columns; give at least two --column")
    names = keys or [f"KEY{i + 1}" if len(column) > 1 else "KEY" for i in range(len(column))]
    allowed = _allowed_ranges(keys) if keys else [(-math.inf, math.inf)] * len(column)
    ui.check_folders(out, png)
    include, exclude = parse_where(where or [])
    table = select_columns(
        read_table(file, sheet), column, where=include, exclude=exclude, source=str(file)
    )
    found = [
        _fit_one(file, c, table[c], names[i], keys[i] if keys else None, allowed[i], kind)
        for i, c in enumerate(column)
    ]
    pairs, complete = _rank_correlations(table, names) if len(column) > 1 else ([], 0)
    joined = _copula(table, names, pairs) if pairs else None
    chosen = copula or (joined.kind if joined is not None else "normal")
    if chosen == "t" and joined is None:
        raise InputError(
            "--copula t: the rank correlations, rounded, are not positive definite (a pair at "
            "+1 or -1?), so no t copula can be fitted to them"
        )
    block = _pairs_toml(pairs, joined if chosen == "t" else None)
    if out is not None or png is not None:
        from strandrisk.reports.pages import fit_prior_page

        shown = [
            (f"{file.name}: {one.column}", one.values, one.fits, one.table, one.line)
            for one in found
        ]
        page = fit_prior_page(
            shown, (pairs, complete, block, joined, chosen) if pairs else None, out, png
        )
        ui.wrote(page, as_json)
    if as_json:
        ui.print_json(_json(found, pairs, complete, block, joined, chosen))
        return
    for one in found:
        title = f"{file.name}: {one.column}, {len(one.values):,} values"
        ui.out.print(render.prior_fits_table(one.table, title, one.skipped))
        ui.out.print(one.line, highlight=False, soft_wrap=True, markup=False)
    if pairs:
        ui.out.print(render.prior_correlations(pairs, complete, joined, chosen))
        ui.out.print(block, highlight=False, soft_wrap=True, markup=False)


def _fit_one(
    file: Path,
    column: str,
    cells: pd.Series,
    name: str,
    key: str | None,
    allowed: tuple[float, float],
    kind: str | None,
) -> _Column:
    """Fit one column's values (its empty cells left out) as the prior of ``name``.

    The prior is the lowest AIC's fit that stays inside ``allowed`` (``key``'s range), or
    ``kind``'s.
    """
    from strandrisk.analysis.priors import fit_priors, fit_table, prior_toml, within

    values = cells.dropna().to_numpy(dtype=float)
    try:
        fits = fit_priors(values)
    except ValueError as exc:
        raise InputError(f"{file}: {column}: {exc}") from None
    priors = [within(f.distribution, *allowed) for f in fits]
    usable = [i for i, p in enumerate(priors) if p is not None]
    if not usable:
        raise InputError(
            f"{file}: {column}: no distribution fitted to the values stays inside {key}'s "
            f"allowed range [{allowed[0]:g}, {allowed[1]:g}]: are they in its canonical unit?"
        )
    best = usable[0]
    if kind is not None:
        kinds = [f.distribution.kind for f in fits]
        if kind not in kinds:
            raise InputError(
                f"--kind: {kind!r} was not fitted to {column}; the kinds fitted are "
                f"{', '.join(kinds)}" + did_you_mean(kind, kinds)
            )
        best = kinds.index(kind)
        if priors[best] is None:
            raise InputError(
                f"--kind {kind}: its fit to {column} reaches outside {key}'s allowed range "
                f"[{allowed[0]:g}, {allowed[1]:g}]"
            )
    line = prior_toml(name, priors[best])  # type: ignore[arg-type]
    table = fit_table(fits, priors, best)
    return _Column(column, key, fits, table, best, line, values, int(cells.isna().sum()))


def _allowed_ranges(keys: list[str]) -> list[tuple[float, float]]:
    """Return each scenario parameter's allowed range; refuse a key that is not one."""
    from strandrisk.io.scenario import load_scenario
    from strandrisk.scenarios.schema import parameter_fields

    bounds = {k: (m["lo"], m["hi"]) for k, _, m in parameter_fields(load_scenario("base"))}
    for key in keys:
        if key not in bounds:
            raise InputError(
                f"--key: {key!r} is not a numeric scenario parameter" + did_you_mean(key, bounds)
            )
    return [(float(bounds[k][0]), float(bounds[k][1])) for k in keys]


def _rank_correlations(
    table: pd.DataFrame, names: list[str]
) -> tuple[list[tuple[str, str, float]], int]:
    """Spearman's rank correlation of every pair of columns, over the rows that hold all.

    Rounded to two decimals, as a correlation is written in a scenario file; over complete
    rows, so the matrix is positive semi-definite as Iman-Conover needs.
    """
    complete = table.dropna()
    if len(complete) < 3:
        raise InputError(
            f"--column: {len(complete)} rows hold a value in every column; a rank correlation "
            "needs at least 3"
        )
    flat = [str(c) for c in complete.columns if complete[c].nunique() < 2]
    if flat:
        raise InputError(
            f"--column: {flat[0]!r} takes one value over the {len(complete)} rows holding every "
            "column: it has no ranks to correlate"
        )
    rho = complete.rank().corr().to_numpy()  # Spearman's: Pearson's of the ranks
    pairs = [
        (names[i], names[j], round(float(rho[i, j]), 2))
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return pairs, len(complete)


def _copula(
    table: pd.DataFrame, names: list[str], pairs: list[tuple[str, str, float]]
) -> CopulaFit | None:
    """Fit the t copula's degrees of freedom to the complete rows, with the pairs' matrix.

    None where the rounded correlations are not positive definite (no copula density).
    """
    import numpy as np

    from strandrisk.analysis.priors import fit_copula

    matrix = np.eye(len(names))
    for a, b, rho in pairs:
        i, j = names.index(a), names.index(b)
        matrix[i, j] = matrix[j, i] = rho
    try:
        return fit_copula(table.dropna().to_numpy(dtype=float), matrix)
    except ValueError:
        return None


def _pairs_toml(pairs: list[tuple[str, str, float]], t: CopulaFit | None = None) -> str:
    """Write rank correlations as a scenario's ``[correlations]`` table, a t copula's too."""
    body = ", ".join(f'["{a}", "{b}", {rho:g}]' for a, b, rho in pairs if rho != 0)
    block = f"[correlations]\npairs = [{body}]"
    return block if t is None else f'{block}\ncopula = "t"\ndf = {t.df:.3g}'


def _json(
    found: list[_Column],
    pairs: list[tuple[str, str, float]],
    complete: int,
    block: str,
    joined: CopulaFit | None,
    chosen: str,
) -> dict[str, Any]:
    """Return ``fit-prior --json``'s object: each column's fits and line, the correlations."""
    from strandrisk.scenarios.schema import parameter_unit

    columns = []
    for one in found:
        rows = json.loads(one.table.drop(columns="label").to_json(orient="records"))
        columns.append(
            {
                "column": one.column,
                "key": one.key,
                "unit": parameter_unit(one.key) if one.key else None,
                "n": len(one.values),
                "skipped": one.skipped,
                "fits": rows,
                "best": str(one.table["kind"].iloc[one.best]),
                "toml": one.line,
            }
        )
    copula = None
    if joined is not None:
        copula = {
            "chosen": chosen,
            "df": joined.df,
            "log_likelihood": {
                "normal": joined.log_likelihood_normal,
                "t": joined.log_likelihood_t,
            },
            "aic": {"normal": joined.aic_normal, "t": joined.aic_t},
        }
    correlations = {"rows": complete, "pairs": pairs, "copula": copula, "toml": block}
    return {
        "priors": columns,
        "correlations": correlations if pairs else None,
        "units": {
            "low, mode, high, p5, p50, p95": "the column's (a key's unit where one is given)",
            "aic, bic, log_likelihood": "-",
            "ks": "Kolmogorov-Smirnov distance, 0 to 1",
            "low, high of normal and lognormal": "5th and 95th percentiles",
            "alpha, beta": "a beta's two shape parameters, on its support [low, high] (-)",
            "pairs": "Spearman rank correlation, -1 to 1, rounded to two decimals, over the rows "
            "holding every column",
            "copula": "the normal and t copulas of the pairs' matrix fitted to those rows: the "
            "t's degrees of freedom (-), each one's log-likelihood and AIC (the t counting one "
            "parameter more); null where the rounded pairs are not positive definite",
        },
    }
