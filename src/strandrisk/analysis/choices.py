"""What the modelling choices do: the scenario run with each alternative setting, one at a time.

A scenario fixes some non-numeric settings (``capex.path``, ``technology.retirement``,
``accounting.economic_obsolescence``, ...) that no range or distribution covers: they are
the modeller's choices, and model risk of their own. :func:`choice_effects` runs the scenario
as it is and once with each alternative of each choice, everything else as the scenario
sets it, so a reader sees which choices move the answer and by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from strandrisk.analysis.bridge import BRIDGE_OUTCOMES, outcomes_at
from strandrisk.engine.simulate import OUTCOME_UNITS
from strandrisk.errors import InputError
from strandrisk.scenarios.schema import Scenario, field_metadata, modelling_choices

__all__ = [
    "CHOICE_OUTCOMES",
    "ChoiceEffects",
    "alternatives",
    "choice_effects",
    "setting_text",
]

CHOICE_OUTCOMES: tuple[str, ...] = (
    "stranded_peak",
    "stranded_peak_to_2026",
    "impairment_ifrs",
    "npv_2026",
)
"""Outcomes shown by default: peak stranded value (the unit's and today's capital's), IFRS
charges and the 2026 programme's NPV. [USD]"""


@dataclass(frozen=True, slots=True)
class ChoiceEffects:
    """The scenario's outcomes under each alternative modelling choice, one at a time.

    Attributes
    ----------
    company : str
        The company the outcomes are for, or ``"industry"``.
    scenario : pandas.Series
        The outcomes with the scenario's own choices, by outcome. [outcome units]
    table : pandas.DataFrame
        One row per alternative: ``key``, ``value`` (the scenario's), ``alternative``, then
        each outcome with that one choice changed. [outcome units]
    """

    company: str
    scenario: pd.Series
    table: pd.DataFrame

    @property
    def outcomes(self) -> list[str]:
        """The outcome columns, in order."""
        return list(self.scenario.index)

    def changes(self) -> pd.DataFrame:
        """Each alternative's outcomes less the scenario's, with ``key`` and ``alternative``.

        Returns
        -------
        pandas.DataFrame
            ``key``, ``value``, ``alternative`` and each outcome's change. [outcome units]
        """
        out = self.table.copy()
        for o in self.outcomes:
            out[o] = out[o] - self.scenario[o]
        return out

    def sheet(self) -> pd.DataFrame:
        """Return the table with the scenario's own outcomes as its first row (for Excel).

        Returns
        -------
        pandas.DataFrame
            ``key`` (``"(as the scenario sets them)"`` first), ``value``, ``alternative``
            as text, then each outcome's level. [outcome units]
        """
        head = pd.DataFrame(
            {"key": ["(as the scenario sets them)"], "value": [""], "alternative": [""]}
            | {o: [self.scenario[o]] for o in self.outcomes}
        )
        rest = self.table.assign(
            value=self.table["value"].map(setting_text),
            alternative=self.table["alternative"].map(setting_text),
        )
        return pd.concat([head, rest], ignore_index=True)

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict: ``outcomes``, ``alternatives`` and their ``units``.

        ``outcomes`` are those with the scenario's own choices; ``alternatives`` lists each
        alternative with its outcomes.
        """

        def num(v: float) -> float | None:
            return None if pd.isna(v) else float(v)

        return {
            "company": self.company,
            "units": {o: OUTCOME_UNITS[o] for o in self.outcomes},
            "outcomes": {o: num(self.scenario[o]) for o in self.outcomes},
            "alternatives": [
                {
                    "key": r["key"],
                    "value": r["value"],
                    "alternative": r["alternative"],
                    "outcomes": {o: num(r[o]) for o in self.outcomes},
                }
                for r in self.table.to_dict(orient="records")
            ],
        }


def alternatives(scenario: Scenario) -> list[tuple[str, object, object]]:
    """List every modelling choice's alternatives to the scenario's setting.

    A switch (true or false) has one alternative, the other; a choice among named settings
    has each setting the scenario does not use, in the order the field lists them.

    Parameters
    ----------
    scenario : Scenario
        The scenario. [-]

    Returns
    -------
    list of (str, object, object)
        Dotted key, the scenario's value and an alternative. [-]
    """
    out: list[tuple[str, object, object]] = []
    for key, value, _ in modelling_choices(scenario):
        if isinstance(value, bool):
            others: Sequence[object] = (not value,)
        else:
            others = [c for c in field_metadata(key).get("choices", ()) if c != value]
        out.extend((key, value, other) for other in others)
    return out


def choice_effects(
    scenario: Scenario,
    outcomes: Sequence[str] = CHOICE_OUTCOMES,
    company: str = "industry",
) -> ChoiceEffects:
    """Run the scenario as it is and with each alternative modelling choice, one at a time.

    Parameters
    ----------
    scenario : Scenario
        The scenario; every number stays as it sets it. [-]
    outcomes : sequence of str
        Columns of the outcome table (numbers, not dates). [-]
    company : str
        A company of the scenario, or ``"industry"``. [-]

    Returns
    -------
    ChoiceEffects
        The outcomes with the scenario's choices and with each alternative.

    Raises
    ------
    InputError
        An unknown outcome or one that is a date, or a company the scenario does not have.
    """
    outcomes = tuple(outcomes)
    for o in outcomes:
        if o not in BRIDGE_OUTCOMES:
            raise InputError(f"choices: {o!r} is not a numeric outcome")
    names = [c.name for c in scenario.companies]
    if company not in (*names, "industry"):
        raise InputError(f"choices: {company!r} is not one of {', '.join([*names, 'industry'])}")
    alts = alternatives(scenario)
    own = {key: value for key, value, _ in alts}
    settings = [own] + [{**own, key: other} for key, _, other in alts]
    values = outcomes_at(scenario, settings, outcomes, company, "choices")
    table = pd.DataFrame(
        {
            "key": [k for k, _, _ in alts],
            "value": [v for _, v, _ in alts],
            "alternative": [a for _, _, a in alts],
            **{o: values[1:, i] for i, o in enumerate(outcomes)},
        }
    )
    return ChoiceEffects(company, pd.Series(values[0], index=list(outcomes)), table)


def setting_text(v: object) -> str:
    """Write a setting as in a scenario file: true/false, or the setting's name.

    Parameters
    ----------
    v : bool or str
        The setting. [-]
    """
    return str(v).lower() if isinstance(v, bool) else str(v)
