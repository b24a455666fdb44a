"""strandrisk: how much of today's AI data-centre capital could be stranded by AI's own progress.

The public API is re-exported here; see the README for a tour.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from strandrisk.analysis.prim import PrimResult, prim
from strandrisk.analysis.sobol import sobol_for_scenario
from strandrisk.analysis.trend import TrendFit, fit_trend
from strandrisk.assumptions.claims import Claim, load_claims
from strandrisk.assumptions.register import Register, load_register
from strandrisk.assumptions.schema import Record, RegisterError
from strandrisk.core.finance import irr
from strandrisk.engine.montecarlo import MCResult, read_kept, run_mc
from strandrisk.engine.simulate import (
    OUTCOME_COLUMNS,
    OUTCOME_UNITS,
    SERIES_UNITS,
    SimulationResult,
    simulate,
)
from strandrisk.errors import InputError
from strandrisk.io.scenario import PRESETS, dump_scenario, load_scenario
from strandrisk.io.uncertainty import load_uncertainty
from strandrisk.scenarios.schema import Scenario

try:
    __version__ = version("strandrisk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "OUTCOME_COLUMNS",
    "OUTCOME_UNITS",
    "PRESETS",
    "SERIES_UNITS",
    "Claim",
    "InputError",
    "MCResult",
    "PrimResult",
    "Record",
    "Register",
    "RegisterError",
    "Scenario",
    "SimulationResult",
    "TrendFit",
    "__version__",
    "dump_scenario",
    "fit_trend",
    "irr",
    "load_claims",
    "load_register",
    "load_scenario",
    "load_uncertainty",
    "prim",
    "read_kept",
    "run_mc",
    "simulate",
    "sobol_for_scenario",
]
