"""Reports rebuilt from the run store: a stored run's report, Monte Carlo page or comparison.

Each reads what the store kept and recomputes only what it must, checking that today's model
still gives the stored outcomes. Re-exported by :mod:`strandrisk.jobs`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from strandrisk.engine.simulate import simulate
from strandrisk.errors import InputError
from strandrisk.io.scenario import (
    scenario_from_toml,
)
from strandrisk.io.uncertainty import copula_df
from strandrisk.scenarios.schema import Scenario
from strandrisk.store.runs import RunStore

if TYPE_CHECKING:
    from strandrisk.jobs import MainJob

__all__ = [
    "CHECKED_SCENARIOS",
    "StoredMCPage",
    "StoredReport",
    "report_stored_comparison",
    "report_stored_mc",
    "report_stored_run",
    "stored_scenario",
]


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report rebuilt from a stored run, and whether its numbers are the stored ones.

    Attributes
    ----------
    job : MainJob
        The recomputed run and where its report went.
    matches : bool
        True when every recomputed outcome equals the stored one (same model, same register).
    stored_with : str
        The version and register the run was made with.
    """

    job: MainJob
    matches: bool
    stored_with: str


def _when(created_at: object) -> str:
    """Write a stored run's time to the minute."""
    return pd.Timestamp(created_at).strftime("%Y-%m-%d %H:%M UTC")


def _by_row(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in (scenario, company) order, companies as text, for comparing two sources."""
    out = frame.assign(company=frame["company"].astype(str), scenario=frame["scenario"].astype(int))
    return out.sort_values(["scenario", "company"], kind="stable").reset_index(drop=True)


def _same_outcomes(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for column in a.columns:
        x, y = a[column].reset_index(drop=True), b[column].reset_index(drop=True)
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            xs, ys = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            same = (np.isnan(xs) == np.isnan(ys)).all() and np.allclose(
                xs, ys, rtol=1e-12, atol=0.0, equal_nan=True
            )
        else:
            same = (
                x.astype(object).where(x.notna(), None).tolist()
                == y.astype(object).where(y.notna(), None).tolist()
            )
        if not same:
            return False
    return True


def stored_scenario(store_path: Path, run_id: int) -> tuple[RunStore, dict, Scenario]:
    """Open a store, read one run's record and load the full scenario it kept.

    Parameters
    ----------
    store_path : Path
        The DuckDB run store. [-]
    run_id : int
        The run (``strandrisk runs list``). [-]

    Raises
    ------
    InputError
        No such store or run, or a scenario this version no longer loads.
    """
    if not Path(store_path).is_file():
        raise InputError(f"{store_path}: no such run store")
    store = RunStore(store_path)
    store.check_file()
    meta = store.meta(run_id)
    try:
        scenario = scenario_from_toml(
            str(meta["scenario_toml"]), "the stored scenario", str(meta["scenario_name"])
        )
    except InputError as exc:  # made by a version with other parameters
        raise InputError(
            f"run {run_id} of {store_path}: its scenario no longer loads ({exc}); it was "
            f"made with strandrisk {meta['package_version']}"
        ) from None
    return store, meta, scenario


@dataclass(frozen=True, slots=True)
class StoredMCPage:
    """A Monte Carlo run's page rebuilt from the store, and whether its numbers still hold.

    Attributes
    ----------
    written : list of Path
        ``mc.html`` and the PNG files.
    matches : bool
        True when the recomputed outcomes of the checked scenarios equal the stored ones.
    checked : int
        Scenarios recomputed for that check (the first ones). [count]
    stored_with : str
        The version and register the run was made with.
    """

    written: list[Path]
    matches: bool
    checked: int
    stored_with: str


CHECKED_SCENARIOS = 200
"""Scenarios of a stored Monte Carlo run recomputed to check that its numbers still hold."""


def report_stored_mc(
    store_path: Path,
    run_id: int,
    *,
    out_dir: Path | None,
    png_dir: Path | None = None,
    step: Callable[[str], None] | None = None,
) -> StoredMCPage:
    """Rebuild the page of a stored ``strandrisk mc --store`` run from its stored rows.

    Every summary comes from the stored outcomes of all its scenarios
    (:func:`~strandrisk.engine.montecarlo.result_from_rows`): the same figures the run
    printed. The fans are recomputed from the first scenarios' stored parameter values, and
    the first :data:`CHECKED_SCENARIOS` scenarios are recomputed in full and compared with
    the stored outcomes, which differ only if the model or the register changed since.

    Parameters
    ----------
    store_path : path-like
        The DuckDB run store. [-]
    run_id : int
        Which run (a Monte Carlo one). [-]
    out_dir : path-like or None
        Folder for ``mc.html``. [-]
    png_dir : path-like, optional
        Folder for PNG copies of the charts. [-]
    step : callable, optional
        Called with a short description as each stage starts. [-]

    Raises
    ------
    InputError
        No such store or run, or not a Monte Carlo run.
    """
    from strandrisk.engine.mc_result import covenants_asked
    from strandrisk.engine.montecarlo import KEPT_COLUMNS, result_from_rows
    from strandrisk.engine.simulate import LLCR_COLUMNS
    from strandrisk.reports.pages import mc_page

    say = step or (lambda _: None)
    store, meta, scenario = stored_scenario(store_path, run_id)
    if meta["kind"] != "mc":
        raise InputError(f"run {run_id} is not a Monte Carlo run (kind {meta['kind']})")
    say(f"reading run {run_id}")
    stored = store.get(run_id)
    samples = stored.samples.set_index("scenario")
    samples.index = samples.index.astype("int64")
    say(f"summarising {len(samples):,} scenarios")
    dated = bool(meta.get("peak_dates"))  # False: stored before the peak quarters were kept
    rows = stored.outcomes
    if not dated:
        rows = rows.drop(columns="stranded_peak_to_2026_date", errors="ignore")
    shown = meta.get("page") or {}  # what the run's page showed (older runs: the defaults)
    conditions = [(str(o), float(v), bool(a)) for o, v, a in shown.get("conditions", [])]
    result = result_from_rows(
        scenario,
        samples,
        rows,
        int(meta["seed"]),
        str(meta["sampler"]),
        covenants_asked(conditions),
    )
    if stored.sketches:  # each year's capex valued alone (mc --capex-years)
        result = dataclasses.replace(result, sketches={**result.sketches, **stored.sketches})
    if meta.get("precision"):  # how the run stopped, as it printed it
        from strandrisk.engine.montecarlo import PrecisionControl

        control = PrecisionControl.from_json(meta["precision"])
        result = dataclasses.replace(result, precision=control)
    say(f"checking the first {min(len(samples), CHECKED_SCENARIOS):,} against today's model")
    head = samples.iloc[:CHECKED_SCENARIOS]
    cover = bool(meta["loan_cover"])
    again = simulate(
        scenario,
        {k: head[k].to_numpy(dtype=float) for k in head.columns},
        breakeven=False,
        keep_series=False,
        llcr=cover,
    ).outcomes
    columns = [
        c
        for c in (*KEPT_COLUMNS, *(LLCR_COLUMNS if cover else ()))
        if dated or c != "stranded_peak_to_2026_date"
    ]
    kept = stored.outcomes.loc[stored.outcomes["scenario"] < len(head), columns]
    matches = _same_outcomes(_by_row(again[columns]), _by_row(kept))
    say("writing the page")
    industry = stored.outcomes[stored.outcomes["company"] == "industry"].set_index("scenario")
    note = f"Rebuilt from run {run_id} of {store_path} ({_when(meta['created_at'])})."
    written = mc_page(
        result,
        scenario.name,
        len(samples.columns),
        industry,
        out_dir,
        png_dir,
        shown.get("company", "industry"),
        conditions,
        note=note,
        samples=samples,
        copula_df=copula_df(
            tomllib.loads(str(meta["scenario_toml"])).get("correlations", {}), "the stored priors"
        ),
        levels=[float(v) for v in shown.get("levels", [])],
    )
    with_ = f"strandrisk {meta['package_version']}, register {str(meta['register_sha256'])[:12]}"
    return StoredMCPage(written, matches, len(head), with_)


def report_stored_comparison(
    store_path: Path, run_id: int, *, out_dir: Path | None, png_dir: Path | None = None
) -> list[Path]:
    """Rebuild the page of a stored decision comparison (``mc --compare ... --store``).

    The comparison's quantile sketches are stored whole, so the page has the figures the
    comparison printed; nothing is recomputed (the draws' distributions are not stored
    with the scenario, so the run could not be repeated from the store alone).

    Parameters
    ----------
    store_path : path-like
        The DuckDB run store. [-]
    run_id : int
        Which run (a comparison). [-]
    out_dir : path-like or None
        Folder for ``decisions.html``. [-]
    png_dir : path-like, optional
        Folder for PNG copies of the charts. [-]

    Raises
    ------
    InputError
        No such store or run, or not a comparison.
    """
    from strandrisk.reports.pages import decisions_page

    store = RunStore(store_path)
    comparison = store.comparison(run_id)
    meta = store.meta(run_id)
    note = f"Rebuilt from run {run_id} of {store_path} ({_when(meta['created_at'])})."
    parameters = meta.get("parameters")
    return decisions_page(
        comparison,
        str(meta["scenario_name"]),
        int(cast(float, parameters)) if parameters is not None and not pd.isna(parameters) else 0,
        out_dir,
        png_dir,
        note=note,
    )


def report_stored_run(
    store_path: Path,
    run_id: int,
    *,
    out_dir: Path | None,
    png_dir: Path | None = None,
    step: Callable[[str], None] | None = None,
    at: tuple[str, ...] = (),
) -> StoredReport:
    """Rebuild the report of a stored ``strandrisk run`` from the scenario it recorded.

    The store keeps each run's full scenario (every key), so the run is recomputed and the
    report written as ``run`` would; the recomputed outcomes are then compared with the
    stored ones, which differ only if the model or the register changed since.

    Parameters
    ----------
    store_path : path-like
        The DuckDB run store. [-]
    run_id : int
        Which run. [-]
    out_dir : path-like or None
        Folder for ``report.html``. [-]
    png_dir : path-like, optional
        Folder for PNG copies of the charts. [-]
    step : callable, optional
        Called with a short description as each stage starts. [-]
    at : tuple of str
        Quarters at whose end the report shows each company's position. [ISO quarter]

    Raises
    ------
    InputError
        No such store or run, or not a ``strandrisk run`` (see :func:`report_stored_mc`).
    """
    store, meta, scenario = stored_scenario(store_path, run_id)
    if meta["kind"] != "run":
        raise InputError(
            f"run {run_id} is a {meta['kind']} run; `strandrisk report` rebuilds the report of a "
            "`strandrisk run` or the page of a `strandrisk mc` run"
        )
    stored = store.get(run_id)
    from strandrisk.jobs import run_main_job  # the main job, which re-exports this module

    job = run_main_job(
        scenario,
        out_dir=out_dir,
        store_path=None,
        png_dir=png_dir,
        step=step,
        provenance=f"rebuilt from run {run_id} of {store_path} ({_when(meta['created_at'])}); ",
        at=at,
    )
    with_ = f"strandrisk {meta['package_version']}, register {str(meta['register_sha256'])[:12]}"
    return StoredReport(job, _same_outcomes(job.outcomes, stored.outcomes), with_)
