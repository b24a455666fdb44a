"""The typed scenario: every parameter of the cohort model, with its unit and bounds.

Each numeric field carries metadata: ``unit`` (from the glossary), ``lo``/``hi`` (allowed
range, inclusive) and ``row`` (the assumptions-register row its default comes from).
``__post_init__`` checks the bounds and raises ``ValueError`` naming the field, so a
scenario that exists is valid. File parsing and register defaults live in
:mod:`strandrisk.io.scenario`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from strandrisk.errors import InputError

__all__ = [
    "COMPANIES",
    "GROUPS",
    "RETIREMENT_RULES",
    "SHARE_RULES",
    "Accounting",
    "CapexPlan",
    "Company",
    "Costs",
    "Financing",
    "Market",
    "Scenario",
    "ShareRule",
    "Technology",
    "changed_choices",
    "choice_meaning",
    "field_metadata",
    "modelling_choices",
    "parameter_fields",
    "parameter_unit",
]

COMPANIES: tuple[str, ...] = ("amazon", "alphabet", "meta", "microsoft", "oracle")
"""Companies modelled, in order; the industry total is their sum."""

RETIREMENT_RULES: tuple[str, ...] = ("trailing-year", "foresight")
"""Early-retirement rules (``technology.retirement``), the default first."""


def _f(unit: str, lo: float, hi: float, row: str | None = None, doc: str = "") -> Any:
    return field(metadata={"unit": unit, "lo": lo, "hi": hi, "row": row, "doc": doc})


@dataclass(frozen=True, slots=True)
class ShareRule:
    """Shares that must add to exactly 1 (within 1e-6) or stay below 1 together."""

    keys: tuple[str, ...]
    exactly_one: bool

    def broken(self, total: Any) -> Any:
        """Whether a total of the shares breaks the rule.

        Parameters
        ----------
        total : float or ndarray
            Sum of the shares, one per scenario if an array. [fraction]
        """
        return abs(total - 1.0) > 1e-6 if self.exactly_one else total >= 1.0


SHARE_RULES = (
    ShareRule(("capex.share_compute", "capex.share_network", "capex.share_facilities"), True),
    ShareRule(("market.open_source_share", "market.device_share"), False),
)
"""Rules across fields: a scenario file and ``simulate``'s samples both obey them."""


def _check(obj: object, prefix: str) -> None:
    for f in fields(obj):  # type: ignore[arg-type]
        if "lo" not in f.metadata:
            continue
        value = getattr(obj, f.name)
        key = f"{prefix}.{f.name}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{key}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{key}: {value!r} is not a finite number")
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        if not lo <= value <= hi:
            raise ValueError(
                f"{key}: {value!r} is outside the allowed range [{lo:g}, {hi:g}] "
                f"({f.metadata['unit']})"
            )


@dataclass(frozen=True, slots=True)
class Company:
    """One company's inputs."""

    name: str
    capex_2026: float = _f("USD", 0.0, 1e16, doc="2026 capex guidance (all capex)")
    compute_life: float = _f("year", 0.25, 30.0, doc="booked useful life of servers")
    network_life: float = _f("year", 0.25, 30.0, doc="booked useful life of network gear")

    def __post_init__(self) -> None:
        if self.name not in COMPANIES:
            raise ValueError(
                f"companies: unknown company {self.name!r}; known: {', '.join(COMPANIES)}"
            )
        _check(self, f"companies.{self.name}")


@dataclass(frozen=True, slots=True)
class CapexPlan:
    """Capex cohorts: history from data, 2026 from guidance, later from a path."""

    growth: float = _f(
        "1/year", -0.9, 3.0, "capex_growth_after_2026", "growth of the guided path from 2027"
    )
    ai_share: float = _f("fraction", 0.0, 1.0, "ai_share_of_capex_stated", "AI share of capex")
    share_compute: float = _f("fraction", 0.0, 1.0, "capex_share_compute", "accelerators + servers")
    share_network: float = _f("fraction", 0.0, 1.0, "capex_share_network", "network")
    share_facilities: float = _f(
        "fraction", 0.0, 1.0, "capex_share_facilities", "shell, power, cooling"
    )
    server_multiple: float = _f(
        "ratio", 1.0, 5.0, "server_cost_multiple", "server cost / accelerator cost"
    )
    custom_accelerator_cost_ratio: float = _f(
        "ratio",
        0.1,
        2.0,
        "custom_accelerator_cost_ratio",
        "cost of TPU/Trainium/AMD compute vs Nvidia",
    )
    path: str = field(
        default="guided",
        metadata={
            "choices": ("guided", "flat", "none"),
            "doc": "capex from 2027: guided (growing at capex.growth), flat (at 2026's level) "
            "or none (the assets already bought)",
        },
    )

    def __post_init__(self) -> None:
        if self.path not in ("guided", "flat", "none"):
            raise ValueError(f"capex.path: {self.path!r} is not one of guided, flat, none")
        _check(self, "capex")
        total = self.share_compute + self.share_network + self.share_facilities
        if SHARE_RULES[0].broken(total):
            raise ValueError(f"capex.share_*: the three asset-class shares add to {total:g}, not 1")


@dataclass(frozen=True, slots=True)
class Accounting:
    """Accounting choices common to all companies."""

    facilities_life: float = _f(
        "year", 1.0, 60.0, "useful_life_facilities", "booked life of facilities"
    )
    declining_balance: float = _f(
        "ratio",
        1.0,
        3.0,
        "depreciation_declining_factor",
        "declining-balance factor of compute and network: 1 straight line, 2 double-declining",
    )
    economic_obsolescence: bool = field(
        default=False,
        metadata={
            "doc": "true: fair value capped at value in use (economic obsolescence, "
            "IFRS 13.B9); false: replacement cost"
        },
    )

    def __post_init__(self) -> None:
        if not isinstance(self.economic_obsolescence, bool):
            raise ValueError(
                "accounting.economic_obsolescence: expected true or false, "
                f"got {self.economic_obsolescence!r}"
            )
        _check(self, "accounting")


@dataclass(frozen=True, slots=True)
class Technology:
    """Hardware and software progress."""

    doubling_time: float = _f("year", 0.1, 50.0, "gpu_price_performance_doubling_fit", "D_hw")
    doubling_acceleration: float = _f(
        "1/year", 0.0, 1.0, "doubling_acceleration", "shortening of D_hw"
    )
    energy_doubling_time: float = _f("year", 0.1, 100.0, "energy_efficiency_doubling", "D_w")
    software_efficiency: float = _f("1/year", 0.0, 5.0, "software_efficiency_rate", "sigma")
    physical_life: float = _f(
        "year", 0.5, 10.0, "physical_life_compute", "physical life of compute (at most 10)"
    )
    retirement: str = field(
        default="trailing-year",
        metadata={
            "choices": RETIREMENT_RULES,
            "doc": "trailing-year: a cohort retires once a whole trailing year in service has "
            "not covered its fixed cost; foresight: from the first quarter its discounted "
            "EBITDA from then on can no longer turn positive",
        },
    )

    def __post_init__(self) -> None:
        if self.retirement not in RETIREMENT_RULES:
            raise ValueError(
                f"technology.retirement: {self.retirement!r} is not one of "
                + ", ".join(RETIREMENT_RULES)
            )
        _check(self, "technology")


@dataclass(frozen=True, slots=True)
class Market:
    """Token price and demand."""

    price_decline: float = _f("1/year", -1.0, 10.0, "token_price_decline_rate_frontier", "lambda")
    price_floor_ratio: float = _f("fraction", 0.0, 1.0, "token_price_floor_ratio", "floor / p0")
    start_price: float = _f("USD/Mtok", 1e-9, 1e9, "gpt4_class_input_price_2026", "p0")
    rental_rate: float = _f(
        "USD/hour", 1e-6, 1e6, "h100_rental_index_1y_2026_03", "revenue per H100e-hour at start"
    )
    utilisation: float = _f("fraction", 0.01, 1.0, "start_utilisation", "u0")
    demand_growth: float = _f("1/year", -2.0, 10.0, "demand_growth_exogenous", "g")
    demand_growth_decay: float = _f("1/year", 0.0, 10.0, "demand_growth_decay", "fading of g")
    elasticity: float = _f("ratio", 0.0, 5.0, "price_elasticity", "epsilon")
    agentic_multiplier: float = _f("ratio", 1.0, 1e4, "agentic_multiplier", "A_max")
    agentic_midpoint: float = _f(
        "calendar_year", 2000.0, 2100.0, "agentic_midpoint", "logistic midpoint"
    )
    agentic_width: float = _f("year", 0.05, 20.0, "agentic_width", "logistic scale")
    open_source_share: float = _f(
        "fraction", 0.0, 0.99, "open_source_share_ceiling", "s_os ceiling"
    )
    open_source_midpoint: float = _f("calendar_year", 2000.0, 2100.0, "open_source_midpoint", "")
    open_source_width: float = _f("year", 0.05, 20.0, "open_source_width", "")
    device_share: float = _f("fraction", 0.0, 0.99, "device_share_ceiling", "s_dev ceiling")
    device_midpoint: float = _f("calendar_year", 2000.0, 2100.0, "device_midpoint", "")
    device_width: float = _f("year", 0.05, 20.0, "device_width", "")
    open_source_cost_ratio: float = _f(
        "ratio", 0.01, 1e4, "tco_cost_ratio_open_source", "API / self-hosting cost"
    )
    device_cost_ratio: float = _f(
        "ratio", 0.01, 1e4, "tco_cost_ratio_device", "API / on-device cost"
    )
    adoption_sensitivity: float = _f(
        "ratio", 0.01, 50.0, "tco_adoption_sensitivity", "steepness in ln ratio"
    )
    adoption_half_ratio: float = _f(
        "ratio", 1.0, 1e4, "tco_adoption_half_ratio", "ratio at half the ceiling"
    )
    alternative_cost_decline: float = _f(
        "1/year", -1.0, 10.0, "alternative_cost_decline", "cost decline of self-hosting / devices"
    )
    leakage_driver: str = field(
        default="logistic",
        metadata={
            "choices": ("logistic", "tco"),
            "doc": "logistic: leakage to open weights and devices on fixed curves; tco: driven "
            "by their cost advantage (market.adoption_*)",
        },
    )

    def __post_init__(self) -> None:
        if self.leakage_driver not in ("logistic", "tco"):
            raise ValueError(
                f"market.leakage_driver: {self.leakage_driver!r} is not one of logistic, tco"
            )
        _check(self, "market")
        if SHARE_RULES[1].broken(self.open_source_share + self.device_share):
            raise ValueError(
                "market.open_source_share + market.device_share must stay below 1 "
                f"(got {self.open_source_share + self.device_share:g})"
            )


@dataclass(frozen=True, slots=True)
class Costs:
    """Operating costs and tax."""

    electricity_price: float = _f("USD/kWh", 0.0, 1e6, "electricity_price_industrial_2025", "")
    pue: float = _f("ratio", 1.0, 3.0, "pue_hyperscaler", "power usage effectiveness")
    server_power_fraction: float = _f(
        "fraction", 0.1, 1.0, "server_power_to_tdp_fraction", "chip TDP / server power"
    )
    fixed_opex_rate: float = _f("1/year", 0.0, 1.0, "fixed_opex_rate", "of compute + network capex")
    tax_rate: float = _f("fraction", 0.0, 0.9, "tax_rate_us_federal", "on EBIT")

    def __post_init__(self) -> None:
        _check(self, "costs")


@dataclass(frozen=True, slots=True)
class Financing:
    """Debt and discount rates."""

    debt_share: float = _f(
        "fraction", 0.0, 1.0, "debt_share_of_capex", "debt-funded share of capex"
    )
    risk_free: float = _f("1/year", -0.05, 0.3, "risk_free_rate", "")
    credit_spread: float = _f("1/year", 0.0, 0.5, "credit_spread", "")
    spread_widening: float = _f("1/year", 0.0, 0.5, "spread_widening", "added under stress")
    spread_widening_start: float = _f("calendar_year", 2000.0, 2100.0, "spread_widening_start", "")
    maturity: float = _f("year", 0.25, 40.0, "debt_maturity", "tenor")
    wacc: float = _f("1/year", 0.0, 0.5, "wacc", "discount rate")
    amortising: bool = field(
        default=False, metadata={"doc": "equal instalments (true) or bullet (false)"}
    )

    def __post_init__(self) -> None:
        if not isinstance(self.amortising, bool):
            raise ValueError(
                f"financing.amortising: expected true or false, got {self.amortising!r}"
            )
        _check(self, "financing")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A complete, valid parameter set for :func:`strandrisk.simulate`.

    Money in USD, time in years, rates per year as fractions (see each field's unit).
    """

    name: str
    description: str
    companies: tuple[Company, ...]
    capex: CapexPlan
    accounting: Accounting
    technology: Technology
    market: Market
    costs: Costs
    financing: Financing
    start: str = "2026Q1"
    years: int = 10

    def __post_init__(self) -> None:
        if self.start != "2026Q1":
            raise ValueError(
                f"start: only '2026Q1' is supported (the guidance year), got {self.start!r}"
            )
        if (
            isinstance(self.years, bool)
            or not isinstance(self.years, int)
            or not 1 <= self.years <= 30
        ):
            raise ValueError(
                f"years: expected a whole number of years in [1, 30], got {self.years!r}"
            )
        if not self.companies:
            raise ValueError("companies: at least one company is needed")
        names = [c.name for c in self.companies]
        if len(set(names)) != len(names):
            raise ValueError(f"companies: listed twice: {names}")

    def flat(self) -> dict[str, Any]:
        """Return every parameter as ``{dotted.key: value}``."""
        out: dict[str, Any] = {"start": self.start, "years": self.years}
        for group in GROUPS:
            obj = getattr(self, group)
            out.update({f"{group}.{f.name}": getattr(obj, f.name) for f in fields(obj)})
        for c in self.companies:
            out.update(
                {
                    f"companies.{c.name}.{f.name}": getattr(c, f.name)
                    for f in fields(c)
                    if f.name != "name"
                }
            )
        return out

    def check_company(self, company: str) -> str:
        """Return ``company`` if it is one of this scenario's companies or ``"industry"``.

        Parameters
        ----------
        company : str
            A row of the outcome table. [-]

        Raises
        ------
        InputError
            Naming the companies the scenario has.
        """
        known = [c.name for c in self.companies] + ["industry"]
        if company not in known:
            raise InputError(f"company {company!r}: the scenario has {', '.join(known)}")
        return company

    def with_companies(self, names: tuple[str, ...]) -> Scenario:
        """Return the scenario restricted to ``names`` (in model order).

        Parameters
        ----------
        names : tuple of str
            Companies of this scenario to keep. [-]
        """
        keep = tuple(c for c in self.companies if c.name in names)
        missing = set(names) - {c.name for c in keep}
        if missing:
            raise ValueError(f"companies: not in the scenario: {', '.join(sorted(missing))}")
        return replace(self, companies=keep)


GROUPS: dict[str, type] = {
    "capex": CapexPlan,
    "accounting": Accounting,
    "technology": Technology,
    "market": Market,
    "costs": Costs,
    "financing": Financing,
}
"""Parameter groups of a scenario: TOML table name -> dataclass."""


def parameter_fields(scenario: Scenario) -> list[tuple[str, Any, dict[str, Any]]]:
    """Every numeric group parameter as ``(dotted key, value, field metadata)``.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]

    Returns
    -------
    list of (str, float, dict)
        Key, the scenario's value and the field's metadata (``unit``, ``lo``, ``hi``,
        ``row``). [canonical units]
    """
    return [
        (f"{group}.{f.name}", getattr(getattr(scenario, group), f.name), dict(f.metadata))
        for group in GROUPS
        for f in fields(getattr(scenario, group))
        if "lo" in f.metadata
    ]


def modelling_choices(scenario: Scenario) -> list[tuple[str, object, str]]:
    """Every non-numeric group setting (a choice or a switch) with what it means.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]

    Returns
    -------
    list of (str, object, str)
        Dotted key, the scenario's value and the field's description (its choices when it
        has no other). [-]
    """
    return [(key, value, doc) for key, value, doc, _ in _choices(scenario)]


def changed_choices(scenario: Scenario) -> list[tuple[str, object]]:
    """List the modelling choices and switches the scenario sets away from their defaults.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]

    Returns
    -------
    list of (str, object)
        Dotted key and value, in the order of :func:`modelling_choices`. [-]
    """
    return [(key, value) for key, value, _, default in _choices(scenario) if value != default]


def _choices(scenario: Scenario) -> list[tuple[str, object, str, object]]:
    """Key, value, meaning and default of every non-numeric group setting."""
    out = []
    for group in GROUPS:
        for f in fields(getattr(scenario, group)):
            if "lo" in f.metadata:
                continue
            value = getattr(getattr(scenario, group), f.name)
            out.append((f"{group}.{f.name}", value, choice_meaning(f.metadata), f.default))
    return out


def choice_meaning(metadata: Mapping[str, Any]) -> str:
    """Say what a choice or switch means: its ``doc``, else the values it takes.

    Parameters
    ----------
    metadata : mapping
        The field's metadata (``doc``, ``choices``). [-]
    """
    choices = metadata.get("choices")
    return metadata.get("doc") or ("one of " + ", ".join(choices) if choices else "")


def field_metadata(key: str) -> Mapping[str, Any]:
    """Return the field metadata behind a scenario key, company keys included.

    Parameters
    ----------
    key : str
        A dotted key of :meth:`Scenario.flat`: ``"market.price_decline"`` or
        ``"companies.meta.compute_life"``. [-]

    Returns
    -------
    mapping
        ``unit``, ``lo``, ``hi``, ``row``, ``doc`` (those the field has); empty for an
        unknown key or one that is no field (``start``, ``years``). [-]
    """
    parts = key.split(".")
    cls: type
    if parts[0] == "companies" and len(parts) == 3 and parts[1] in COMPANIES:
        cls, name = Company, parts[2]
    elif len(parts) == 2 and parts[0] in GROUPS:
        cls, name = GROUPS[parts[0]], parts[1]
    else:
        return {}
    return next((f.metadata for f in fields(cls) if f.name == name and f.name != "name"), {})


def parameter_unit(key: str) -> str:
    """Return the unit of a group parameter, from its field's metadata.

    Parameters
    ----------
    key : str
        Dotted key such as ``"market.price_decline"``. [-]

    Returns
    -------
    str
        The unit's symbol in the glossary (``strandrisk.units``), ``""`` for an unknown key.
    """
    group, _, name = key.partition(".")
    cls = GROUPS.get(group)
    if cls is None:
        return ""
    for f in fields(cls):
        if f.name == name:
            return str(f.metadata.get("unit", ""))
    return ""
