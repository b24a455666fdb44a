"""strandrisk: how much of today's AI data-centre capital could be stranded by AI's own progress.

The public API is re-exported here; see the README for a tour.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from strandrisk.analysis.trend import TrendFit, fit_trend
from strandrisk.assumptions.claims import Claim, load_claims
from strandrisk.assumptions.register import Register, load_register
from strandrisk.assumptions.schema import Record, RegisterError
from strandrisk.core.finance import irr
from strandrisk.engine.rollforward import rollforward
from strandrisk.engine.simulate import (
    LLCR_COLUMNS,
    OUTCOME_COLUMNS,
    OUTCOME_UNITS,
    SERIES_UNITS,
    VALUE_AT_COLUMNS,
    SimulationResult,
    simulate,
)
from strandrisk.errors import InputError
from strandrisk.io.scenario import PRESETS, dump_scenario, load_scenario
from strandrisk.scenarios.schema import Scenario

if TYPE_CHECKING:  # loaded on first use (below): SALib, SciPy's stats and Dask take ~1 s
    from strandrisk.analysis.bridge import Bridge, bridge, scenario_diff
    from strandrisk.analysis.cart import CartResult, cart
    from strandrisk.analysis.choices import ChoiceEffects, choice_effects
    from strandrisk.analysis.deciles import outcome_by_decile
    from strandrisk.analysis.fast import fast_for_scenario
    from strandrisk.analysis.morris import morris_for_scenario
    from strandrisk.analysis.pawn import pawn_for_scenario
    from strandrisk.analysis.prim import PrimResult, prim, prim_covering, prim_resample
    from strandrisk.analysis.priors import CopulaFit, PriorFit, fit_copula, fit_priors
    from strandrisk.analysis.sensitivity import Spider, spider
    from strandrisk.analysis.sobol import sobol_for_scenario, sobol_pairs_for_scenario
    from strandrisk.analysis.stacking import DimensionalStack, dimensional_stack
    from strandrisk.analysis.sweep import sweep
    from strandrisk.analysis.trees import feature_scores_for_scenario, feature_scores_given
    from strandrisk.engine.decisions import DecisionComparison, compare_decisions
    from strandrisk.engine.headroom import Headroom, headroom
    from strandrisk.engine.limits import LimitSolution, solve_limit
    from strandrisk.engine.lives import LifeEffect, life_effect
    from strandrisk.engine.montecarlo import MCResult, read_kept, run_mc
    from strandrisk.engine.optimize import Optimum, optimize
    from strandrisk.engine.trace import CohortTrace, trace_cohort
    from strandrisk.io.uncertainty import load_uncertainty

_LAZY = {
    "Bridge": "strandrisk.analysis.bridge",
    "bridge": "strandrisk.analysis.bridge",
    "scenario_diff": "strandrisk.analysis.bridge",
    "CartResult": "strandrisk.analysis.cart",
    "cart": "strandrisk.analysis.cart",
    "ChoiceEffects": "strandrisk.analysis.choices",
    "choice_effects": "strandrisk.analysis.choices",
    "outcome_by_decile": "strandrisk.analysis.deciles",
    "fast_for_scenario": "strandrisk.analysis.fast",
    "CopulaFit": "strandrisk.analysis.priors",
    "PriorFit": "strandrisk.analysis.priors",
    "fit_copula": "strandrisk.analysis.priors",
    "fit_priors": "strandrisk.analysis.priors",
    "PrimResult": "strandrisk.analysis.prim",
    "prim": "strandrisk.analysis.prim",
    "prim_covering": "strandrisk.analysis.prim",
    "prim_resample": "strandrisk.analysis.prim",
    "sobol_for_scenario": "strandrisk.analysis.sobol",
    "sobol_pairs_for_scenario": "strandrisk.analysis.sobol",
    "DimensionalStack": "strandrisk.analysis.stacking",
    "dimensional_stack": "strandrisk.analysis.stacking",
    "Spider": "strandrisk.analysis.sensitivity",
    "spider": "strandrisk.analysis.sensitivity",
    "sweep": "strandrisk.analysis.sweep",
    "morris_for_scenario": "strandrisk.analysis.morris",
    "pawn_for_scenario": "strandrisk.analysis.pawn",
    "feature_scores_for_scenario": "strandrisk.analysis.trees",
    "feature_scores_given": "strandrisk.analysis.trees",
    "DecisionComparison": "strandrisk.engine.decisions",
    "compare_decisions": "strandrisk.engine.decisions",
    "Headroom": "strandrisk.engine.headroom",
    "headroom": "strandrisk.engine.headroom",
    "LifeEffect": "strandrisk.engine.lives",
    "life_effect": "strandrisk.engine.lives",
    "LimitSolution": "strandrisk.engine.limits",
    "solve_limit": "strandrisk.engine.limits",
    "Optimum": "strandrisk.engine.optimize",
    "optimize": "strandrisk.engine.optimize",
    "MCResult": "strandrisk.engine.montecarlo",
    "read_kept": "strandrisk.engine.montecarlo",
    "run_mc": "strandrisk.engine.montecarlo",
    "CohortTrace": "strandrisk.engine.trace",
    "trace_cohort": "strandrisk.engine.trace",
    "load_uncertainty": "strandrisk.io.uncertainty",
}
"""Public names imported on first access, so that ``import strandrisk`` and the CLI start fast."""


def __getattr__(name: str) -> Any:
    """Import the uncertainty engine's public names on first use (PEP 562).

    Parameters
    ----------
    name : str
        The attribute asked for. [-]
    """
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'strandrisk' has no attribute {name!r}")


def __dir__() -> list[str]:
    """List the public names, including those loaded on first use."""
    return sorted({*globals(), *_LAZY})


try:
    __version__ = version("strandrisk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "LLCR_COLUMNS",
    "OUTCOME_COLUMNS",
    "OUTCOME_UNITS",
    "PRESETS",
    "SERIES_UNITS",
    "VALUE_AT_COLUMNS",
    "Bridge",
    "CartResult",
    "ChoiceEffects",
    "Claim",
    "CohortTrace",
    "CopulaFit",
    "DecisionComparison",
    "DimensionalStack",
    "Headroom",
    "InputError",
    "LifeEffect",
    "LimitSolution",
    "MCResult",
    "Optimum",
    "PrimResult",
    "PriorFit",
    "Record",
    "Register",
    "RegisterError",
    "Scenario",
    "SimulationResult",
    "Spider",
    "TrendFit",
    "__version__",
    "bridge",
    "cart",
    "choice_effects",
    "compare_decisions",
    "dimensional_stack",
    "dump_scenario",
    "fast_for_scenario",
    "feature_scores_for_scenario",
    "feature_scores_given",
    "fit_copula",
    "fit_priors",
    "fit_trend",
    "headroom",
    "irr",
    "life_effect",
    "load_claims",
    "load_register",
    "load_scenario",
    "load_uncertainty",
    "morris_for_scenario",
    "optimize",
    "outcome_by_decile",
    "pawn_for_scenario",
    "prim",
    "prim_covering",
    "prim_resample",
    "read_kept",
    "rollforward",
    "run_mc",
    "scenario_diff",
    "simulate",
    "sobol_for_scenario",
    "sobol_pairs_for_scenario",
    "solve_limit",
    "spider",
    "sweep",
    "trace_cohort",
]
