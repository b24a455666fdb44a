"""The main job behind ``strandrisk run``: simulate, rank the drivers, report, store.

This layer composes the engine, the analysis, the report and the store; it holds no model
maths and does no formatting of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xarray as xr

from strandrisk import __version__
from strandrisk.analysis.choices import choice_effects
from strandrisk.analysis.sensitivity import Swing, swings_by_outcome
from strandrisk.assumptions.claims import load_claims
from strandrisk.assumptions.register import Register, load_register
from strandrisk.assumptions.schema import Record
from strandrisk.engine.compiled import kernel_cached
from strandrisk.engine.headroom import headroom
from strandrisk.engine.lives import BURRY_ROW, LifeEffect, burry_target, life_effect
from strandrisk.engine.outcomes import SimulationResult
from strandrisk.engine.rollforward import STANDARDS, rollforward
from strandrisk.engine.simulate import position_at, simulate
from strandrisk.engine.trace import trace_cohorts
from strandrisk.io.files import ensure_folder, write_text_atomic
from strandrisk.io.scenario import (
    COMPANY_LIFE_ROWS,
    PRESETS,
    dump_scenario,
    load_scenario,
)
from strandrisk.scenarios.schema import Scenario, modelling_choices, parameter_fields
from strandrisk.store.runs import RunStore
from strandrisk.units import share_text

if TYPE_CHECKING:  # the Monte Carlo engine is imported when a run asks for it
    from strandrisk.engine.montecarlo import MCResult

__all__ = [
    "CHECKED_SCENARIOS",
    "MainJob",
    "StoredMCPage",
    "StoredReport",
    "assumptions_used",
    "compare_presets",
    "compile_note",
    "preset_bridges",
    "report_stored_comparison",
    "report_stored_mc",
    "report_stored_run",
    "run_main_job",
    "stored_scenario",
]


@dataclass(frozen=True, slots=True)
class MainJob:
    """What the main job produced."""

    scenario: Scenario
    outcomes: pd.DataFrame
    series: xr.Dataset
    swings: list[Swing]
    presets: pd.DataFrame
    report: Path | None
    pngs: list[Path]
    run_id: int | None
    store: Path | None
    lives: LifeEffect | None = None
    """Depreciation 2026-2028 at the booked lives against three years (None: horizon too short)."""
    swings_to_2026: list[Swing] = dataclasses.field(default_factory=list)
    """One-at-a-time swings of today's capital's peak stranded value (``stranded_peak_to_2026``)."""

    def value_at(self, quarter: str) -> pd.DataFrame:
        """Each company's position at the end of ``quarter`` (``engine.simulate.position_at``).

        Parameters
        ----------
        quarter : str
            An ISO quarter of the horizon, such as ``"2029Q4"``. [ISO quarter]
        """
        return position_at(self.series, quarter)


def assumptions_used(scenario: Scenario) -> list[tuple[str, float, str, Record | None]]:
    """Every numeric parameter of the scenario with its unit and register row (if any).

    Parameters
    ----------
    scenario : Scenario
        The scenario run. [canonical units]
    """
    reg = load_register()
    out = []
    for key, value, meta in parameter_fields(scenario):
        row = meta.get("row")
        rec = reg.get(row, None) if row else None
        if rec is not None and abs(rec.canonical_value - value) > 1e-12 * max(1.0, abs(value)):
            rec = None  # the scenario overrides the register's value
        out.append((key, float(value), meta["unit"], rec))
    for c in scenario.companies:
        life, network = COMPANY_LIFE_ROWS[c.name]
        for key, row, unit in (
            ("capex_2026", f"capex_2026_guidance_{c.name}", "USD"),
            ("compute_life", life, "year"),
            ("network_life", network, "year"),
        ):
            value = float(getattr(c, key))
            rec = (
                reg[row]
                if abs(reg[row].canonical_value - value) <= 1e-12 * max(1.0, abs(value))
                else None
            )
            out.append((f"companies.{c.name}.{key}", value, unit, rec))
    return out


def _mc_figures(
    scenario: Scenario, n: int, seed: int, source: str | Path, fixed: tuple[str, ...] = ()
) -> tuple[dict, str]:
    """Monte Carlo, Sobol and PRIM figures for the report, and the headline figures in words."""
    from strandrisk.analysis.prim import prim
    from strandrisk.analysis.sobol import sobol_for_scenario
    from strandrisk.engine.mc_kept import temporary_kept
    from strandrisk.engine.montecarlo import read_kept, run_mc
    from strandrisk.io.uncertainty import hold_fixed, load_uncertainty
    from strandrisk.reports.figures import build_mc_figures
    from strandrisk.reports.mc_pages import deciles_shown

    whole = load_uncertainty(source, scenario, fixed, hold=False)  # read once; then held
    space = hold_fixed(whole, fixed, str(source))
    with temporary_kept() as path:
        mc = run_mc(scenario, space, n, seed, sampler="lhs", outcomes_path=path)
        samples, outcomes = read_kept(path)
    sobol = sobol_for_scenario(scenario, space, 32, seed, ("stranded_peak",))
    y = outcomes["stranded_peak"].to_numpy(dtype=float)
    box = prim(
        samples.to_numpy(dtype=float), y > pd.Series(y).quantile(0.75), list(samples.columns)
    )
    drivers = mc.drivers_of("industry")
    npv = drivers[drivers.index.get_level_values("outcome") == "npv_2026"].droplevel("outcome")
    order = [*(c.name for c in scenario.companies), "industry"]
    deciles, floor = deciles_shown(samples, y) or (None, None)
    figures = build_mc_figures(
        outcomes,
        mc.fans,
        mc.p_impairment,
        sobol,
        box.limits,
        box.boxes[box.chosen],
        mc.cumulative("stranded_peak")[order],
        npv,
        deciles,
        floor,
        together=mc.at_once("ifrs"),
    )
    held = [k for k in whole.keys if k in fixed]
    note = (
        f" Held at the scenario's value instead of drawn (--set): {', '.join(held)}."
        if held
        else ""
    )
    return figures, _mc_headline(mc) + note


def _mc_headline(mc: MCResult) -> str:
    """Say the industry's Monte Carlo figures in one sentence, with CaR's sampling error."""
    from strandrisk.reports.brief import usd

    q = mc.quantiles.loc[("industry", "stranded_peak")]
    car = mc.capex_at_risk.loc["industry"]
    low, high = mc.intervals.loc[("industry", "stranded_peak"), ["p95_low", "p95_high"]]
    negative = mc.probabilities().loc["industry"].iloc[0]
    bounds = (
        "too few draws to bound it"
        if pd.isna(low) or pd.isna(high)
        else f"sampling interval {usd(low)} to {usd(high)}"
    )
    return (
        f"For the industry: peak stranded value has a median of {usd(q['p50'])}; Capex-at-Risk "
        f"(its 95th percentile) is {usd(car['car95'])} ({bounds}), with an expected shortfall "
        f"of {usd(car['expected_shortfall'])} beyond it; the 2026 programme's NPV is negative "
        f"in {share_text(negative)} of the draws{_covenant_clause(mc)}.{_today_clause(mc)}"
        f"{_together_clause(mc)}"
    )


def _together_clause(mc: MCResult) -> str:
    """Say how often all the companies are impaired together, in the year they most go together.

    The year in which the share of draws with every company impaired (IFRS) lies furthest
    above the product of their own chances, what independent impairments would give.
    """
    if mc.together is None:
        return ""
    table = mc.at_once("ifrs")
    last = max(c for c in table.columns if isinstance(c, int))
    if last < 2:
        return ""
    year = (table[last] - table["independent"]).idxmax()
    return (
        f" All {last} companies have been impaired (IFRS) by the end of {year} in "
        f"{share_text(table.loc[year, last])} of the draws, where independent impairments "
        f"would give {share_text(table.loc[year, 'independent'])}."
    )


def _today_clause(mc: MCResult) -> str:
    """Say what strands of today's capital and how long the 2026 cohorts earn, over the draws."""
    from strandrisk.reports.brief import usd

    out = ""
    key = ("industry", "stranded_peak_to_2026")
    if key in mc.quantiles.index:
        q = mc.quantiles.loc[key]
        out += (
            " Today's capital (the installed base and the 2026 programme, valued alone) has a "
            f"median peak stranded value of {usd(q['p50'])} (P95 {usd(q['p95'])})."
        )
    lives = mc.economic_life()
    if "industry" in lives.index and not pd.isna(lives.loc["industry", "shorter"]):
        life = lives.loc["industry"]
        out += (
            f" The 2026 cohorts earn for a median {life['p50']:.1f} years (P5-P95 "
            f"{life['p5']:.1f}-{life['p95']:.1f}) against {life['booked']:.1f} booked, shorter "
            f"in {share_text(life['shorter'])} of the draws."
        )
    return out


def _covenant_clause(mc: MCResult) -> str:
    """Say how often the industry's lowest DSCR breaches 1.2x and its EBIT its interest."""
    cover = mc.debt_cover((1.2,))
    if "industry" not in cover.index or cover.loc["industry", "no_debt_service"] >= 1.0:
        return ""
    below = float(cover.loc["industry", "below 1.2"])
    clause = (
        f", and the industry's lowest annual DSCR falls below 1.2x in {share_text(below)} of them"
    )
    interest = mc.interest_cover((1.0,))
    if "industry" in interest.index and interest.loc["industry", "no_interest"] < 1.0:
        short = float(interest.loc["industry", "below 1"])
        clause += f" while its EBIT falls short of its interest in some year in {share_text(short)}"
    return clause


def preset_bridges(scenario: Scenario) -> dict[str, Any]:
    """Bridge peak stranded value from the scenario to every preset that differs from it.

    Each preset is taken with the scenario's companies and horizon (as
    :func:`compare_presets`), so every difference is one of values.

    Parameters
    ----------
    scenario : Scenario
        The scenario run. [-]

    Returns
    -------
    dict of str to Bridge
        Preset name -> :func:`strandrisk.analysis.bridge.bridge` of ``stranded_peak``
        (industry), for the presets that set some value differently. [USD]
    """
    from strandrisk.analysis.bridge import bridge, scenario_diff

    names = tuple(c.name for c in scenario.companies)
    out = {}
    for name in PRESETS:
        preset = load_scenario(name, overrides={"years": scenario.years}).with_companies(names)
        if not scenario_diff(scenario, preset).empty:
            out[name] = bridge(scenario, preset, ("stranded_peak",))
    return out


def compare_presets(companies: tuple[str, ...], years: int) -> pd.DataFrame:
    """Industry outcomes of every preset for the given companies and horizon.

    Parameters
    ----------
    companies : tuple of str
        Companies to include. [-]
    years : int
        Reporting horizon. [year]
    """
    rows = {}
    for name in PRESETS:
        scenario = load_scenario(name, overrides={"years": years}).with_companies(companies)
        out = simulate(scenario, breakeven=False, keep_series=False).outcomes
        rows[name] = out.set_index("company").loc[
            "industry", ["stranded_peak", "npv_2026", "impairment_ifrs"]
        ]
    return pd.DataFrame(rows).T.astype(float)


def compile_note() -> str:
    """Return `` (first use: compiling, ~40 s)`` before the kernels are compiled, else ``""``.

    For status lines: the first call of the compiled model compiles it and caches the
    result, which takes about 40 s on two cores.

    Returns
    -------
    str
        The note, with a leading space, or an empty string. [-]
    """
    return " (first use: compiling, ~40 s)" if kernel_cached() is False else ""


def _lives_effect(scenario: Scenario) -> LifeEffect | None:
    """Depreciation 2026-2028 at the booked lives against three years (None if out of horizon)."""
    if scenario.years < 3:
        return None
    return life_effect(scenario, 3.0, 2026, 2028, burry_target(scenario, 2026, 2028))


def run_main_job(
    scenario: Scenario,
    *,
    out_dir: Path | None,
    store_path: Path | None,
    png_dir: Path | None = None,
    mc_n: int | None = None,
    uncertainty_source: str | Path = "base",
    seed: int = 0,
    step: Callable[[str], None] | None = None,
    provenance: str = "",
    fixed: tuple[str, ...] = (),
    at: tuple[str, ...] = (),
) -> MainJob:
    """Run the main job: simulate, rank drivers, compare presets, write report and store.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]
    out_dir : path-like or None
        Folder for ``report.html``; ``None`` skips the report. [-]
    store_path : path-like or None
        DuckDB store; ``None`` skips recording. [-]
    png_dir : path-like, optional
        Folder for PNG copies of the charts. [-]
    mc_n : int, optional
        Add a Monte Carlo section with this many scenarios. [count]
    seed : int
        Seed of the Monte Carlo section. [-]
    uncertainty_source : str or path-like
        Preset name or scenario file whose ``[uncertainty]`` block the section samples. [-]
    step : callable, optional
        Called with a short description as each stage starts (for a status line). [-]
    provenance : str
        A line the report's footer starts with (e.g. the stored run it was rebuilt from). [-]
    fixed : tuple of str
        Keys the Monte Carlo section holds at the scenario's value instead of drawing them
        (what ``--set`` overrode). [-]
    at : tuple of str
        Quarters at whose end the report shows each company's position (``--at``). [ISO quarter]

    Returns
    -------
    MainJob
        Results and where they were written.
    """
    _check_outputs(store_path, out_dir, png_dir)
    say = step if step is not None else (lambda _: None)
    say(f"simulating {scenario.name}{compile_note()}")
    result = simulate(scenario)
    register = load_register()
    say("ranking the drivers: every ranged assumption at either end of its range")
    ranked = swings_by_outcome(scenario, register, ("stranded_peak", "stranded_peak_to_2026"))
    swings, swings_to_2026 = ranked["stranded_peak"], ranked["stranded_peak_to_2026"]
    say("running the presets for comparison")
    presets = compare_presets(tuple(c.name for c in scenario.companies), scenario.years)
    assert result.series is not None  # simulate keeps the series by default
    series = result.series.isel(scenario=0)
    say("depreciation at three-year lives")
    lives = _lives_effect(scenario)
    report, pngs = None, []
    if out_dir is not None or png_dir is not None:
        from strandrisk.reports.figures import build_figures

        say("drawing the charts")
        figures = build_figures(series, result.outcomes, presets, swings, swings_to_2026)
        mc_note = ""
        if mc_n:
            say(f"Monte Carlo section: {mc_n:,} scenarios and Sobol indices")
            mc_figures, headline = _mc_figures(scenario, mc_n, seed, uncertainty_source, fixed)
            figures.update(mc_figures)
            mc_note = (
                f"{mc_n:,} Latin-hypercube scenarios (seed {seed}) over every parameter with a "
                "range in the "
                "assumptions register; Sobol indices from a Saltelli design of 32 x (d + 2) runs. "
                + headline
            )
        if out_dir is not None:
            html = _report_html(
                scenario, result, register, figures, (swings, swings_to_2026), lives, mc_note,
                provenance, at, say,
            )  # fmt: skip
            report = write_text_atomic(Path(out_dir) / "report.html", html)
        if png_dir is not None:
            from strandrisk.reports.png import write_pngs

            say("writing the PNG charts")
            pngs = write_pngs(figures, png_dir)
    run_id = None
    if store_path is not None:
        say("recording the run")
        run_id = RunStore(store_path).record(
            kind="run",
            scenario_name=scenario.name,
            scenario_toml=dump_scenario(scenario),
            outcomes=result.outcomes,
            series=result.series,
            package_version=__version__,
            register_sha256=register.sha256(),
        )
    return MainJob(
        scenario,
        result.outcomes,
        series,
        swings,
        presets,
        report,
        pngs,
        run_id,
        Path(store_path) if store_path else None,
        lives,
        swings_to_2026,
    )


def _check_outputs(store_path: Path | None, out_dir: Path | None, png_dir: Path | None) -> None:
    """Refuse a store that cannot take the run and folders that cannot be made, before anything."""
    if store_path is not None:
        RunStore(store_path).check_file()
        ensure_folder(
            Path(store_path).parent if str(Path(store_path).parent) else Path(), "store folder"
        )
    if out_dir is not None:
        ensure_folder(out_dir)
    if png_dir is not None:
        ensure_folder(png_dir, "PNG folder")


def _report_html(
    scenario: Scenario,
    result: SimulationResult,
    register: Register,
    figures: dict,
    swings: tuple[list[Swing], list[Swing]],
    lives: LifeEffect | None,
    mc_note: str,
    provenance: str,
    at: tuple[str, ...],
    say: Callable[[str], None],
) -> str:
    """Return the run report's HTML: the analyses only the report shows, then the page.

    ``swings``: the drivers of peak stranded value and of today's capital's; the rest as in
    :func:`run_main_job`.
    """
    from strandrisk.reports.brief import in_brief, lives_sentence
    from strandrisk.reports.html import render_report

    assert result.series is not None  # simulate keeps the series by default
    say("bridging to the presets")
    bridges = preset_bridges(scenario)
    say("the modelling choices' alternatives")
    effects = choice_effects(scenario)
    say("the impairment tests' headroom")
    room = headroom(scenario, f"{scenario.start[:4]}Q4")
    say("writing the report")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return render_report(
        title=f"strandrisk: scenario '{scenario.name}'",
        subtitle=scenario.description or "",
        figures=figures,
        outcomes=result.outcomes,
        swings=swings[0],
        swings_to_2026=swings[1],
        by_capex_year=result.stranded_by_capex_year(),
        cohorts=trace_cohorts(scenario, scenario.start),  # each company's, one model run
        used=assumptions_used(scenario),
        choices=modelling_choices(scenario),
        claims=load_claims(register),
        footer=f"{provenance}strandrisk {__version__}; register {register.sha256()[:12]}; {now}",
        mc_note=mc_note,
        brief=[
            *in_brief(result.outcomes, scenario),
            *lives_sentence(lives),
            *_lender_view(result.series.isel(scenario=0)),
        ],
        rollforward={
            standard: rollforward(result.series, "industry", standard) for standard in STANDARDS
        },
        bridges=bridges,
        choice_effects=effects,
        scenario_name=scenario.name,
        headroom=room,
        positions={q: result.value_at(q) for q in at},
        lives=lives,
        lives_source=BURRY_ROW,
    )


def _lender_view(series: xr.Dataset) -> list[str]:
    """Say the industry's loan life cover in a sentence for the report (none without debt)."""
    from strandrisk.reports.brief import series_llcr_line

    line = series_llcr_line(series)
    if line is None:
        return []
    return [
        "A lender's view, the loan life cover ratio (what the assets in place will earn until "
        "the debt outstanding is due, discounted at the debt's rate, over that debt; below 1 "
        f"they cannot repay it): {line.split(': ', 1)[1]}."
    ]


# the stored-run reports, re-exported; that module imports this one only inside a function
from strandrisk.stored_reports import (  # noqa: E402
    CHECKED_SCENARIOS,
    StoredMCPage,
    StoredReport,
    report_stored_comparison,
    report_stored_mc,
    report_stored_run,
    stored_scenario,
)
