"""What every command of the ``strandrisk`` CLI shares: the app, the consoles, the helpers.

``out`` and ``err`` are the consoles for standard output and error; the command modules use
them as ``ui.out`` and ``ui.err`` (looked up at call time, so tests can swap them).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from strandrisk.errors import InputError

__all__ = [
    "AT_OPTION",
    "JSON_OPTION",
    "OUT_OPTION",
    "PNG_OPTION",
    "PRESET_OPTION",
    "SCENARIO_OPTION",
    "STORE_OPTION",
    "app",
    "check_folders",
    "clean_failures",
    "err",
    "has_priors",
    "mc_setup",
    "out",
    "parse_decisions",
    "parse_set",
    "print_json",
    "quarter_in_horizon",
    "quarters_in_horizon",
    "reproduce_command",
    "scenario_from_options",
    "stages",
    "stored_years",
    "working",
    "wrote",
]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="How much of today's AI data-centre capital could be stranded by AI's own progress.",
    pretty_exceptions_enable=False,
)
# emoji codes off: what a user typed is echoed (a sweep's "a:b:c" is not ":b:", an emoji)
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

F = TypeVar("F", bound=Callable[..., Any])


def clean_failures(fn: F) -> F:
    """Turn bad input into one message on stderr and exit status 2.

    Parameters
    ----------
    fn : callable
        A command. [-]
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def working(text: str, quiet: bool = False) -> Iterator[None]:
    """Show a spinner on stderr while ``text`` is being done (on a terminal, unless ``quiet``).

    The first use of the compiled model compiles it (about 40 s); the line says so
    (:func:`strandrisk.jobs.compile_note`).

    Parameters
    ----------
    text : str
        What is being done. [-]
    quiet : bool
        Show nothing (``--json``). [-]
    """
    from strandrisk.jobs import compile_note

    with stages(quiet) as step:
        step(text + compile_note())
        yield


@contextlib.contextmanager
def stages(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Yield a function that shows what is being done on a stderr status line (a terminal's).

    Parameters
    ----------
    quiet : bool
        Show nothing (``--json``): the function does nothing. [-]
    """
    if quiet:
        yield lambda _: None
        return
    with err.status("starting", spinner="dots") as status:
        yield lambda text: status.update(escape(text) + " ...")


def wrote(paths: list[Path], quiet: bool) -> None:
    """Say on stderr which files were written (unless ``quiet``: JSON on stdout).

    Parameters
    ----------
    paths : list of Path
        The files. [-]
    quiet : bool
        Say nothing. [-]
    """
    for path in paths if not quiet else ():
        err.print(f"wrote {path}", highlight=False)


PRESET_OPTION = Annotated[str | None, typer.Option(help="Preset name (default base).")]
SCENARIO_OPTION = Annotated[Path | None, typer.Option(help="Scenario TOML file.")]
JSON_OPTION = Annotated[bool, typer.Option("--json", metavar="", help="Print as JSON.")]
OUT_OPTION = Annotated[
    Path | None, typer.Option("--out", help="Folder for an HTML page with the tables and charts.")
]
PNG_OPTION = Annotated[Path | None, typer.Option("--png", help="Folder for the charts as PNG.")]
SET_OPTION = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Set a value (repeatable); an uncertain parameter is then held at it, not drawn.",
    ),
]


def check_folders(out: Path | None, png: Path | None, xlsx: Path | None = None) -> None:
    """Refuse an unwritable --out or --png folder, or --xlsx file's, before the work.

    Parameters
    ----------
    out, png : Path or None
        The folders asked for. [-]
    xlsx : Path or None
        A workbook asked for: its folder. [-]
    """
    from strandrisk.io.files import ensure_folder

    if out is not None:
        ensure_folder(out)
    if png is not None:
        ensure_folder(png, "PNG folder")
    if xlsx is not None:
        ensure_folder(xlsx.parent)


def print_json(obj: object) -> None:
    """Print ``obj`` as indented JSON on standard output (NaN refused).

    Parameters
    ----------
    obj : object
        JSON-ready data. [-]
    """
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


STORE_OPTION = Annotated[Path, typer.Option("--store", help="DuckDB run store.")]
SHEET_OPTION = Annotated[
    str | None,
    typer.Option(help="The sheet of an Excel workbook (.xlsx) to read (default: the first)."),
]
AT_OPTION = Annotated[
    list[str] | None,
    typer.Option(
        "--at",
        metavar="QUARTER",
        help="Also each company's book, values, stranding and impairment at the end of this "
        "quarter, e.g. 2029Q4 (repeatable).",
    ),
]


def parse_set(items: list[str] | None) -> dict[str, Any]:
    """Read ``--set dotted.key=VALUE`` items, each value as TOML (else as a string).

    Parameters
    ----------
    items : list of str or None
        The ``--set`` values. [-]
    """
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r}: expected dotted.key=VALUE")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        out[key.strip()] = value
    return out


def scenario_from_options(
    preset: str | None,
    scenario: Path | None,
    sets: list[str] | None,
    companies: list[str] | None,
    horizon: int | None,
    *,
    check_uncertainty: bool = True,
) -> Any:
    """Load the scenario the common options name: preset or file, overrides, companies, horizon.

    A scenario file's ``[uncertainty]`` and ``[correlations]`` are checked too, whatever the
    command, so that a broken block is found when the file is first used.

    Parameters
    ----------
    preset : str or None
        Preset name. [-]
    scenario : Path or None
        Scenario TOML file. [-]
    sets : list of str or None
        ``--set`` overrides. [-]
    companies : list of str or None
        Companies to keep. [-]
    horizon : int or None
        Reporting horizon. [year]
    check_uncertainty : bool
        False for the sampling commands, which read the block right after
        (:func:`uncertainty_for`): it is read once. [-]
    """
    from strandrisk.io.scenario import load_scenario

    if preset and scenario:
        raise InputError("give --preset or --scenario, not both")
    overrides = parse_set(sets)
    if horizon is not None:
        overrides["years"] = horizon
    loaded = load_scenario(scenario if scenario else (preset or "base"), overrides=overrides)
    if scenario and check_uncertainty:
        from strandrisk.io.uncertainty import load_uncertainty

        load_uncertainty(scenario, loaded, overrides, required=False, hold=False)
    if companies:
        try:
            loaded = loaded.with_companies(tuple(companies))
        except ValueError as exc:
            known = ", ".join(c.name for c in loaded.companies)
            raise InputError(f"--company: {exc} (known: {known})") from None
    return loaded


def quarter_in_horizon(text: str, years: int) -> str:
    """Return ``text`` as an ISO quarter of the horizon (2026Q1 on), or raise InputError.

    Parameters
    ----------
    text : str
        What ``--at`` was given, such as ``2029Q4`` or ``2029-q4``. [ISO quarter]
    years : int
        The scenario's reporting horizon. [year]
    """
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text)
    last = f"{2025 + years}Q4"
    if m is None:
        raise InputError(f"--at {text!r}: expected a quarter such as 2029Q4")
    year, q = int(m.group(1)), int(m.group(2))
    if not 2026 <= year <= 2025 + years:
        raise InputError(f"--at {text}: outside the horizon, 2026Q1 to {last}")
    return f"{year}Q{q}"


def quarters_in_horizon(at: list[str] | None, years: int) -> tuple[str, ...]:
    """Return the ``--at`` quarters (:func:`quarter_in_horizon`), each once, in order given.

    Parameters
    ----------
    at : list of str or None
        What the repeated ``--at`` options gave. [ISO quarter]
    years : int
        The reporting horizon. [year]
    """
    return tuple(dict.fromkeys(quarter_in_horizon(q, years) for q in at or []))


def stored_years(meta: Mapping[str, Any]) -> int:
    """Return the reporting horizon a stored run's scenario was run over.

    Parameters
    ----------
    meta : mapping
        The run's row (:meth:`strandrisk.store.runs.RunStore.meta`). [-]
    """
    return int(tomllib.loads(str(meta["scenario_toml"])).get("years", 10))


def has_priors(meta: Mapping[str, Any]) -> bool:
    """Return whether a stored run kept the priors it drew from (runs stored since they are).

    Parameters
    ----------
    meta : mapping
        The run's row (:meth:`strandrisk.store.runs.RunStore.meta`). [-]
    """
    return "uncertainty" in tomllib.loads(str(meta["scenario_toml"]))


def reproduce_command(meta: Mapping[str, Any], comparison: Any, file: str) -> str | None:
    """Return the command that runs a stored run again from its scenario file, or None.

    The file is what ``strandrisk scenario show run:ID`` prints: every value and, for a
    Monte Carlo run or a decision comparison, the priors it drew from. With the same
    scenarios, seed and sampler the draws are the same, so are the outcomes. None for a
    Monte Carlo run stored without its priors (by an earlier version).

    Parameters
    ----------
    meta : mapping
        The run's row (:meth:`strandrisk.store.runs.RunStore.meta`). [-]
    comparison : DecisionComparison or None
        A stored comparison (:meth:`~strandrisk.store.runs.RunStore.comparison`), for its
        decisions; ``None`` for other runs. [-]
    file : str
        The scenario file's path, as it should appear in the command. [-]
    """
    import shlex

    if meta["kind"] == "run":
        return f"strandrisk run --scenario {shlex.quote(file)}"
    if not has_priors(meta):
        return None
    words = [
        "strandrisk", "mc", "--scenario", file, "--n", str(int(meta["n_scenarios"])),
        "--seed", str(int(meta["seed"])), "--sampler", str(meta["sampler"]),
    ]  # fmt: skip
    if meta.get("loan_cover") or (comparison is not None and comparison.llcr):
        words.append("--llcr")
    page = meta.get("page") or {}  # what the run's page showed: the same options again
    if page.get("capex_years"):
        words.append("--capex-years")
    if page.get("company", "industry") != "industry":
        words += ["--company", str(page["company"])]
    for level in page.get("levels", []):
        words += ["--level", repr(float(level))]
    for name, value, above in page.get("conditions", []):
        if (name, value, above) != ("npv_2026", 0.0, False):  # always shown
            words += ["--above" if above else "--below", f"{name}={float(value)!r}"]
    decisions, stresses = ({}, {}) if comparison is None else comparison.settings()
    words += [w for label in decisions for w in ("--compare", label.replace(", ", ","))]
    for bands in stresses.values():
        for key, (low, high) in bands.items():
            words += ["--stress", f"{key}=P{100 * low:g}:P{100 * high:g}"]
    for name, value, above in [] if comparison is None else comparison.requirements:
        words += ["--satisfice", f"{name}{'>' if above else '<'}{value!r}"]
    return " ".join(shlex.quote(w) for w in words)


def parse_decisions(texts: list[str], flag: str = "--compare") -> dict[str, dict[str, Any]]:
    """Parse ``KEY=VALUE[,KEY=VALUE]`` options into labelled decisions, checked.

    Parameters
    ----------
    texts : list of str
        The option's values, one decision each. [-]
    flag : str
        The option, for messages (``--compare``, ``--decision``). [-]

    Returns
    -------
    dict
        Label (the text, tidied) -> ``{"dotted.key": value}``. [canonical]
    """
    found: dict[str, dict[str, Any]] = {}
    for text in texts:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        bad = [p for p in parts if "=" not in p or not p.partition("=")[0].strip()]
        if not parts or bad:
            raise InputError(
                f"{flag} {text!r}: expected KEY=VALUE, or several joined by commas, e.g. "
                "capex.path=flat"
            )
        keys = [p.partition("=")[0].strip() for p in parts]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise InputError(f"{flag} {text!r}: {', '.join(twice)} given twice in one decision")
        try:
            overrides = parse_set(parts)
        except InputError as exc:
            raise InputError(str(exc).replace("--set", flag)) from None
        label = ", ".join(
            p.partition("=")[0].strip() + "=" + p.partition("=")[2].strip() for p in parts
        )
        if label in found:
            raise InputError(f"{flag} {text!r}: given twice")
        found[label] = overrides
    return found


def mc_setup(preset: str | None, scenario: Path | None, set_: list[str] | None) -> tuple[Any, Any]:
    """Load the scenario and its uncertainty space for the uncertainty commands.

    Parameters
    ----------
    preset : str or None
        Preset name. [-]
    scenario : Path or None
        Scenario TOML file with an ``[uncertainty]`` block. [-]
    set_ : list of str or None
        ``--set`` overrides of fixed values. [-]
    """
    chosen = scenario_from_options(preset, scenario, set_, None, None, check_uncertainty=False)
    return chosen, uncertainty_for(scenario if scenario else (preset or "base"), chosen, set_)


def uncertainty_for(
    source: str | Path, chosen: Any, set_: list[str] | None, quiet: bool = False
) -> Any:
    """Load the uncertainty space, holding fixed what ``--set`` gave a value, and say so.

    Parameters
    ----------
    source : str or Path
        The preset name or scenario file the scenario came from. [-]
    chosen : Scenario
        The loaded scenario, overrides applied. [-]
    set_ : list of str or None
        ``--set`` overrides: an uncertain key among them is held at its value, not drawn. [-]
    quiet : bool
        Do not print the note (``--json``). [-]
    """
    from strandrisk.io.uncertainty import hold_fixed, load_uncertainty

    fixed = list(parse_set(set_))
    whole = load_uncertainty(source, chosen, fixed, hold=False)  # read once; then held
    space = hold_fixed(whole, fixed, str(source))
    held = [k for k in fixed if k in whole.keys]
    if held and not quiet:
        values = chosen.flat()
        err.print(
            "held fixed by --set, not drawn: " + ", ".join(f"{k} = {values[k]:g}" for k in held),
            style="dim",
            highlight=False,
        )
    return space
