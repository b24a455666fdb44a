"""The ``strandrisk`` command line: a thin shell that parses, calls and formats.

Bad input of any kind ends with one message on standard error and exit status 2.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from strandrisk import __version__
from strandrisk.cli import render
from strandrisk.errors import InputError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="How much of today's AI data-centre capital could be stranded by AI's own progress.",
    pretty_exceptions_enable=False,
)
_out = Console(soft_wrap=True)
_err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _clean_failures(fn: F) -> F:
    """Turn bad input into one message on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"strandrisk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """How much of today's AI data-centre capital could be stranded by AI's own progress."""


@app.command()
@_clean_failures
def assumptions(
    kind: Annotated[
        str | None, typer.Option(help="Only rows of this kind: sourced, derived or assumption.")
    ] = None,
    search: Annotated[str | None, typer.Option(help="Only rows mentioning this word.")] = None,
    tables: Annotated[
        Path | None,
        typer.Option(help="Folder of register tables to load instead of the shipped ones."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """List the assumptions register: every default with its unit, range and source."""
    from strandrisk.assumptions.register import load_register
    from strandrisk.assumptions.schema import KINDS

    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    rows = load_register(tables).select(kind=kind, search=search)
    if as_json:
        _print_json([r.as_dict() for r in rows])
    else:
        _out.print(render.register_table(rows))


@app.command()
@_clean_failures
def fit(
    file: Annotated[Path, typer.Argument(help="CSV file holding the series.")],
    x: Annotated[str, typer.Option("--x", help="Date column (ISO dates or decimal years).")],
    y: Annotated[str, typer.Option("--y", help="Value column (positive numbers).")],
    per: Annotated[
        str | None, typer.Option("--per", help="Divide --y by this column (e.g. a price).")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Row filter COLUMN=VALUE or COLUMN!=VALUE; repeat to combine."),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date kept (ISO).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date kept (ISO).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the fit as one JSON object.")
    ] = False,
) -> None:
    """Fit an exponential trend (OLS of ln(value) on years) with a 95 % interval."""
    from strandrisk.analysis.trend import fit_trend
    from strandrisk.assumptions.fits import parse_where
    from strandrisk.io.datasets import read_csv_table, select_series

    include, exclude = parse_where(where or [])
    series = select_series(
        read_csv_table(file),
        x,
        y,
        y_divisor=per,
        where=include,
        exclude=exclude,
        start=start,
        end=end,
        source=str(file),
    )
    result = fit_trend(series.dates, series.values, skipped=series.skipped)
    if as_json:
        _print_json(result.to_dict())
    else:
        _out.print(
            render.fit_panel(result, f"{file.name}: {y}{f' per {per}' if per else ''} against {x}")
        )


@app.command()
@_clean_failures
def claims(
    section: Annotated[
        int | None, typer.Option(help="Only claims from this article section.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the claims as a JSON list.")
    ] = False,
) -> None:
    """Audit the article: every quantitative claim, recomputed where its own numbers allow."""
    from strandrisk.assumptions.claims import load_claims

    rows = [c for c in load_claims() if section is None or c.section == section]
    if as_json:
        _print_json([c.as_dict() for c in rows])
    else:
        _out.print(render.claims_table(rows))
        _out.print(render.claims_summary(rows))


def main() -> None:
    """Console entry point."""
    app()
