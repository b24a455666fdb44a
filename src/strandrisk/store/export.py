"""Export a stored run: Excel workbook, CSV files or Parquet files (each written atomically)."""

from __future__ import annotations

import math
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from strandrisk.assumptions.register import load_register
from strandrisk.engine.mc_result import capex_year_table
from strandrisk.engine.simulate import OUTCOME_UNITS, SERIES_UNITS
from strandrisk.errors import InputError
from strandrisk.io.files import ensure_folder, write_with
from strandrisk.io.uncertainty import copula_df
from strandrisk.scenarios.sampling import copula_text
from strandrisk.scenarios.schema import COMPANIES
from strandrisk.store.runs import StoredRun

__all__ = [
    "EXCEL_ROWS",
    "export_csv",
    "export_parquet",
    "export_xlsx",
    "run_tables",
    "write_workbook",
]

EXCEL_ROWS = 1_048_576
"""Rows in an Excel sheet, the header included."""


def _flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _priors(block: dict, correlations: dict) -> pd.DataFrame:
    """Return the priors a run drew from: a row per parameter, with its rank correlations.

    Under a t copula (``copula = "t"`` in ``correlations``) a last column names it on
    every row: it joins every parameter, correlated or not.
    """
    pairs = correlations.get("pairs", [])
    rows = []
    for key, spec in block.items():
        partners = [
            f"{b if a == key else a} {rho:+g}" for a, b, rho in pairs if key in (a, b)
        ]  # fmt: skip
        rows.append(
            {
                "parameter": key,
                "distribution": spec["dist"],
                "low": spec.get("low"),
                "mode": spec.get("mode"),
                "high": spec.get("high"),
                "values": len(spec.get("values", ())) or None,
                "rank correlation": ", ".join(partners),
                "truncated to": "[{:g}, {:g}]".format(*spec["truncate"])
                if "truncate" in spec
                else None,
                "cumulative probabilities": ", ".join(
                    f"P{100 * q:g} {v:g}"
                    for v, q in zip(spec["values"], spec["probabilities"], strict=True)
                )
                if "probabilities" in spec
                else None,
                "beta shape": f"alpha {spec['alpha']:g}, beta {spec['beta']:g}"
                if "alpha" in spec
                else None,
            }
        )
    table = pd.DataFrame(rows)
    df = copula_df(correlations, "the stored priors")
    if math.isfinite(df):
        table["copula"] = copula_text(df)
    return table


def run_tables(run: StoredRun) -> dict[str, pd.DataFrame]:
    """Return the tables of an export, by sheet or file name.

    A decision comparison (``mc --compare ... --store``) gives ``run``, ``inputs``,
    ``priors``, ``decisions`` (each decision's settings), ``summary``, ``cover`` and
    ``change`` (per company, as :class:`~strandrisk.engine.decisions.DecisionComparison`
    gives them) and ``assumptions``. Otherwise, in order: ``run`` (provenance), ``inputs``
    (the scenario, every key), ``priors`` (a Monte Carlo run stored since they are kept: each
    parameter's distribution as drawn, and its rank correlations), ``quantiles`` (a
    Monte Carlo run only: P5, P50, P95 and P99 of each outcome per company over the stored
    scenarios), ``capex_years`` (a Monte Carlo run with ``--capex-years``: each company's
    P50, P95, mean and share of draws for each year's capex valued alone), ``outcomes``,
    ``samples`` (a Monte Carlo run only: the parameter values drawn
    for each scenario), ``series`` (wide, one column per quarter, with each variable's unit,
    :data:`~strandrisk.engine.simulate.SERIES_UNITS`), ``rollforward`` (a run with series:
    each company's yearly fixed-asset roll-forward under IFRS and US GAAP,
    :func:`~strandrisk.engine.rollforward.rollforward_table`) and ``assumptions`` (the
    register with sources).

    Parameters
    ----------
    run : StoredRun
        A run read from the store. [-]

    Returns
    -------
    dict of str to pandas.DataFrame
        Sheet or file name -> table.
    """
    recorded = tomllib.loads(str(run.meta["scenario_toml"]))
    block = recorded.pop("uncertainty", None)  # the priors a Monte Carlo run drew from
    correlations = recorded.pop("correlations", {})
    inputs = pd.DataFrame(
        [(k, str(v)) for k, v in _flatten(recorded).items()], columns=["parameter", "value"]
    )
    series = run.series
    wide = (
        series.pivot_table(
            index=["scenario", "company", "variable"], columns="quarter", values="value", sort=False
        ).reset_index()
        if not series.empty
        else series
    )
    if not series.empty:  # each row's unit beside its name
        wide.insert(3, "unit", wide["variable"].map(SERIES_UNITS).fillna(""))
    assumptions = pd.DataFrame([r.as_dict() for r in load_register().values()])
    meta = pd.DataFrame([(k, str(v)) for k, v in run.meta.items()], columns=["field", "value"])
    tables = {"run": meta, "inputs": inputs}
    if block:
        tables["priors"] = _priors(block, correlations)
    if run.comparison is not None:  # a decision comparison: its tables, every company
        tables.update(_comparison_tables(run.comparison))
        tables["assumptions"] = assumptions
        return tables
    if not run.quantiles.empty:  # a Monte Carlo run: its distribution first, then the rows
        tables["quantiles"] = run.quantiles.reset_index()
        years = _capex_years(run.sketches)
        if years is not None:  # mc --capex-years: which year's capex strands
            tables["capex_years"] = years
        if not run.samples.empty:  # what drives it, as `mc` ranked it; its tails
            tables["drivers"] = _drivers(run)
            tables["scenarios"] = _scenarios(run)
    tables["outcomes"] = run.outcomes
    if not run.samples.empty:  # a Monte Carlo run: the drawn parameter values per scenario
        tables["samples"] = run.samples
    tables["series"] = wide
    roll = _rollforward(series)
    if roll is not None:
        tables["rollforward"] = roll
    tables["assumptions"] = assumptions
    return tables


def _capex_years(sketches: dict) -> pd.DataFrame | None:
    """Each company's capex-year table (:func:`capex_year_table`), long; None without one."""
    present = {c for c, _ in sketches}
    frames = [
        table.reset_index().assign(company=company)
        for company in [*(c for c in COMPANIES if c in present), "industry"]
        if (table := capex_year_table(sketches, company)) is not None
    ]
    if not frames:
        return None
    out = pd.concat(frames, ignore_index=True)
    return out[["company", "capex_year", "p50", "p95", "mean", "strands"]]


def _comparison_tables(c: Any) -> dict[str, pd.DataFrame]:
    """Return a comparison's tables: ``decisions`` and its ``summary``, ``cover``, ``change``.

    Then ``regret`` and, with requirements, ``satisficing`` (a column naming them).
    """
    decisions = pd.DataFrame(
        [
            (label, key, str(value))
            for label, setting in c.decisions.items()
            for key, value in (setting.items() if setting else [("-", "as given")])
        ],
        columns=["decision", "parameter", "value"],
    )
    out = {"decisions": decisions}
    for part in ("summary", "cover", "change", "regret"):
        frames = [getattr(c, part)(company).reset_index() for company in c.companies()]
        for company, frame in zip(c.companies(), frames, strict=True):
            frame.insert(0, "company", company)
        out[part] = pd.concat(frames, ignore_index=True)
    together = c.at_once_by_standard()
    if not together.empty:
        out["at_once"] = together.reset_index()
    if c.regrets:  # a decision besides the scenario as given: robustness to compare
        frames = [c.robustness(company)[0].reset_index() for company in c.companies()]
        for company, frame in zip(c.companies(), frames, strict=True):
            frame.insert(0, "company", company)
        out["robustness"] = pd.concat(frames, ignore_index=True)
    if c.requirements:
        from strandrisk.engine.decisions import requirement_text

        frames = [c.satisficing(company).reset_index() for company in c.companies()]
        for company, frame in zip(c.companies(), frames, strict=True):
            frame.insert(0, "company", company)
        table = pd.concat(frames, ignore_index=True)
        out["satisficing"] = table.assign(requirements=requirement_text(c.requirements))
    return out


def _rollforward(series: pd.DataFrame) -> pd.DataFrame | None:
    """Every company's roll-forward under both standards, from a run's stored series.

    None for a Monte Carlo run (no series) or a run stored before the roll-forward's
    series existed.
    """
    from strandrisk.engine.rollforward import rollforward_table

    needed = {"carrying_ifrs", "depreciation_ifrs", "reversal_ifrs", "book_value_opening"}
    if series.empty or not needed <= set(series["variable"]):
        return None
    order = list(dict.fromkeys(series["company"]))
    ds = (
        series.set_index(["scenario", "company", "quarter", "variable"])["value"]
        .unstack("variable")
        .to_xarray()
        .sel(company=order)
    )
    return rollforward_table(ds)


_MONEY_FORMAT = '$#,##0.0,,,"B";-$#,##0.0,,,"B"'  # full dollars in the cell, $B on screen
_FORMATS = {
    "USD": _MONEY_FORMAT,
    "USD/quarter": _MONEY_FORMAT,
    "1/year": "0.0%",
    "fraction": "0.0%",
    "year": "0.00",
    "ratio": "0.00",
    "Mtok/quarter": "#,##0",
    "H100e": "#,##0",
    "USD/Mtok": "0.0000",
}
"""Excel number format per unit: the cell keeps the full value, the format only shows it."""


def _drivers(run: StoredRun) -> pd.DataFrame:
    """Rank a Monte Carlo run's drivers over its first 20,000 scenarios, as ``mc`` does.

    A last column, ``contribution``, is Crystal Ball's contribution to variance of each
    parameter among its outcome's (:func:`~strandrisk.core.drivers.variance_contribution`).
    """
    from strandrisk.core.drivers import variance_contribution
    from strandrisk.engine.montecarlo import drivers_from_rows

    frame = drivers_from_rows(run.samples.set_index("scenario"), run.outcomes)
    by = frame.groupby(level=["company", "outcome"], sort=False)["spearman"]
    frame["contribution"] = by.transform(lambda rho: variance_contribution(rho.to_numpy()))
    return frame.reset_index()


def _scenarios(run: StoredRun) -> pd.DataFrame:
    """Return @RISK's scenario analysis of a Monte Carlo run, every parameter, as ``mc`` reads it.

    Over the first 20,000 scenarios (:func:`~strandrisk.engine.mc_drivers.scenarios_frame`).
    """
    from strandrisk.engine.mc_drivers import first_rows, scenarios_frame

    return scenarios_frame(
        *first_rows(run.samples.set_index("scenario"), run.outcomes)
    ).reset_index()


def _units_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if "summary" in tables:  # a decision comparison
        rows = [
            ("summary", "stranded_peak_p50 ... impairment_ifrs_mean", "USD"),
            ("summary", "p_npv_negative", "fraction of the draws"),
            ("cover", "min_dscr_p50, min_interest_cover_p50", "ratio"),
            ("cover", "min_dscr_below, min_interest_cover_below", "fraction of the draws"),
            ("change", "mean ... p95", "USD, the decision less the scenario as given"),
            ("change", "share_up, share_down", "fraction of the draws"),
            ("regret", "best_in", "fraction of the draws"),
            ("regret", "mean, p90, max", "USD short of the best decision in the same draw"),
        ]
        if "satisficing" in tables:
            rows.append(("satisficing", "satisficing", "fraction of the draws meeting every one"))
        if "robustness" in tables:
            rows.append(
                ("robustness", "laplace ... sd", "USD (each decision's metric over the draws)")
            )
            rows.append(("robustness", "skew, kurtosis", "- (percentile-based)"))
        if "at_once" in tables:
            rows.append(
                ("at_once", "2026 ...", "fraction of the draws with every company impaired")
            )
        return pd.DataFrame(rows, columns=["sheet", "column or variable", "unit"])
    rows = [("outcomes", c, OUTCOME_UNITS.get(c, "")) for c in tables["outcomes"].columns]
    rows += [("series", v, u) for v, u in SERIES_UNITS.items()]
    rows.append(
        ("series", "2026Q1 ...", "columns: quarters; flows in the quarter, stocks at its end")
    )
    if "quantiles" in tables:
        rows.append(("quantiles", "P5 ... P99", "the unit of the row's outcome (outcomes sheet)"))
    if "capex_years" in tables:
        rows.append(("capex_years", "p50, p95, mean", "USD (the peak stranded value)"))
        rows.append(("capex_years", "strands", "fraction of the draws"))
    if "rollforward" in tables:
        rows.append(("rollforward", "opening ... difference", "USD (a year's movements)"))
    if "drivers" in tables:
        rows.append(
            (
                "drivers",
                "spearman, spearman_pm, srrc, r2",
                "rank correlation (and the half-width of its 95 % interval), standardised rank "
                "regression coefficient, R² of that regression; over the first 20,000 scenarios",
            )
        )
        rows.append(
            (
                "drivers",
                "contribution",
                "fraction: Crystal Ball's contribution to variance, the squared rank "
                "correlation over the sum of the outcome's, signed",
            )
        )
    if "scenarios" in tables:
        rows.append(
            (
                "scenarios",
                "median_subset, median_all, sd",
                "the parameter's unit: its median where the outcome is above its P90 "
                "(above_p90) or below its P10 (below_p10), over all draws, and its standard "
                "deviation; over the first 20,000 scenarios (@RISK's scenario analysis)",
            )
        )
        rows.append(("scenarios", "delta_sd", "standard deviations of the parameter"))
        rows.append(("scenarios", "share", "fraction of the draws in the band"))
    frame = pd.DataFrame(rows, columns=["sheet", "column or variable", "unit"])
    frame["unit"] = frame["unit"].replace({"": "-"})
    return frame


def _formats(name: str, frame: pd.DataFrame) -> tuple[dict[int, str], str | None]:
    """Return a sheet's number formats: by column (outcomes) or by each row's unit (series)."""
    if name == "outcomes":
        by_column = {
            i: _FORMATS[OUTCOME_UNITS[c]]
            for i, c in enumerate(frame.columns, start=1)
            if OUTCOME_UNITS.get(c) in _FORMATS and c != "first_negative_fcf_year"
        }
        return by_column, None
    if name == "series" and "unit" in frame.columns:
        return {}, "unit"
    if name == "quantiles":
        return {}, "outcome"
    if name in ("summary", "change", "regret"):  # money, then shares of the draws
        shares = ("p_npv_negative", "share_up", "share_down", "best_in")
        return {
            i: "0.0%" if c in shares else _MONEY_FORMAT
            for i, c in enumerate(frame.columns, start=1)
            if frame[c].dtype.kind == "f"
        }, None
    if name == "capex_years":
        return {
            i: "0.0%" if c == "strands" else _MONEY_FORMAT
            for i, c in enumerate(frame.columns, start=1)
            if c in ("p50", "p95", "mean", "strands")
        }, None
    if name == "cover":
        return {
            i: "0.0%" if c.endswith("_below") else "0.00"
            for i, c in enumerate(frame.columns, start=1)
            if frame[c].dtype.kind == "f"
        }, None
    if name == "rollforward":
        first = list(frame.columns).index("opening") + 1
        return dict.fromkeys(range(first, len(frame.columns) + 1), _MONEY_FORMAT), None
    return {}, None


def export_xlsx(run: StoredRun, path: Path | str) -> Path:
    """Write the run as an Excel workbook, one sheet per table of :func:`run_tables`.

    Cells hold the values in their units (money in whole US dollars, rates as fractions);
    number formats show money in $ billions and rates in per cent, and a ``units`` sheet
    lists the unit of every outcome column and series variable.

    Parameters
    ----------
    run : StoredRun
        The run. [-]
    path : path-like
        The ``.xlsx`` file. [-]

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        If a table has more rows than an Excel sheet holds (:data:`EXCEL_ROWS`).
    """
    tables = run_tables(run)
    tables["units"] = _units_table(tables)
    for name, frame in tables.items():
        if len(frame) >= EXCEL_ROWS:
            raise InputError(
                f"{path}: the {name} table has {len(frame):,} rows, more than an Excel sheet "
                f"holds ({EXCEL_ROWS - 1:,} below the header); export with --parquet or --csv"
            )

    def write(tmp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for name, frame in tables.items():
            sheet = book.create_sheet(name)
            sheet.append([str(c) for c in frame.columns])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            by_column, unit_column = _formats(name, frame)
            first_value = 1 + (list(frame.columns).index(unit_column) + 1 if unit_column else 0)
            for row in frame.itertuples(index=False):
                sheet.append(
                    [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row]
                )
                cells = sheet[sheet.max_row]
                if unit_column:  # one variable per row: the row's unit sets its format
                    unit = getattr(row, unit_column)
                    fmt = _FORMATS.get(OUTCOME_UNITS.get(unit, unit))
                    for cell in cells[first_value - 1 :] if fmt else ():
                        cell.number_format = fmt
                for i, fmt in by_column.items():
                    cells[i - 1].number_format = fmt
            sheet.freeze_panes = "A2" if not unit_column else f"{get_column_letter(first_value)}2"
            for i, column in enumerate(frame.columns, start=1):
                widest = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:50, i - 1])])
                numeric = pd.api.types.is_numeric_dtype(frame.iloc[:, i - 1])
                sheet.column_dimensions[get_column_letter(i)].width = min(
                    60, max(10, 12 if numeric else widest + 2, len(str(column)) + 2)
                )
        book.save(tmp)

    return write_with(path, write)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def export_csv(run: StoredRun, folder: Path | str) -> list[Path]:
    """Write each table of the run as ``<table>.csv`` in ``folder``.

    Parameters
    ----------
    run : StoredRun
        From :meth:`RunStore.get`. [-]
    folder : Path or str
        Created if missing. [-]
    """
    folder = ensure_folder(folder, "CSV folder")
    return [
        write_with(folder / f"{name}.csv", partial(_write_csv, frame))
        for name, frame in run_tables(run).items()
    ]


def export_parquet(run: StoredRun, folder: Path | str) -> list[Path]:
    """Write each table of the run as ``<table>.parquet`` in ``folder`` (via DuckDB).

    Parameters
    ----------
    run : StoredRun
        From :meth:`RunStore.get`. [-]
    folder : Path or str
        Created if missing. [-]
    """
    folder = ensure_folder(folder, "Parquet folder")
    written = []
    for name, frame in run_tables(run).items():
        frame = frame.copy()
        frame.columns = [str(c) for c in frame.columns]

        def write(tmp: Path, f: pd.DataFrame = frame) -> None:
            con = duckdb.connect()
            try:
                con.register("t", f)
                con.execute(f"COPY t TO '{tmp.as_posix()}' (FORMAT PARQUET)")
            finally:
                con.close()

        written.append(write_with(folder / f"{name}.parquet", write))
    return written


def write_workbook(
    tables: dict[str, pd.DataFrame], path: Path | str, units: dict[str, str] | None = None
) -> Path:
    """Write tables as an Excel workbook, one sheet each, and a ``units`` sheet.

    For the results of commands that are not stored (``scenario diff``, ``limit``): cells hold
    full values (money in US dollars, rates as fractions); a column whose unit is known is
    formatted ($ billions, per cent) and listed in the ``units`` sheet.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Sheet name -> table (written without its index). [column units]
    path : path-like
        The ``.xlsx`` file, written atomically. [-]
    units : dict of str to str, optional
        Column name -> unit, for every sheet (``USD``, ``1/year``, ``fraction`` ...). [-]

    Returns
    -------
    pathlib.Path
        The file written.
    """
    units = dict(units or {})
    listed = [
        (name, str(c), units[str(c)])
        for name, frame in tables.items()
        for c in frame.columns
        if units.get(str(c))
    ]

    def cell(v: object) -> object:
        if isinstance(v, list | tuple):
            return ", ".join(str(x) for x in v)
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return v.item() if hasattr(v, "item") else v

    def write(tmp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        sheets = {**tables, "units": pd.DataFrame(listed, columns=["sheet", "column", "unit"])}
        for name, frame in sheets.items():
            sheet = book.create_sheet(name[:31])
            sheet.append([str(c) for c in frame.columns])
            for header in sheet[1]:
                header.font = Font(bold=True)
            formats = {
                i: _FORMATS[units[str(c)]]
                for i, c in enumerate(frame.columns)
                if name != "units" and units.get(str(c)) in _FORMATS
            }
            for row in frame.itertuples(index=False):
                sheet.append([cell(v) for v in row])
                for i, fmt in formats.items():
                    sheet[sheet.max_row][i].number_format = fmt
            sheet.freeze_panes = "A2"
            for i, column in enumerate(frame.columns, start=1):
                widest = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:50, i - 1])])
                sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, widest + 2))
        book.save(tmp)

    return write_with(path, write)
