"""The kept file of a Monte Carlo run (``mc --keep``): every scenario's outcomes and draws.

Written by :func:`strandrisk.engine.montecarlo.run_mc` into a temporary file renamed into
place once the run is complete; read back by :func:`read_kept` (re-exported by
``engine.montecarlo``) for ``discover --from``, ``sensitivity --from`` and the pages.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from strandrisk.errors import InputError
from strandrisk.io.files import atomic_path, ensure_folder, is_duckdb_file, limit_duckdb_memory

if TYPE_CHECKING:
    from strandrisk.engine.mc_task import _TaskResult

__all__ = ["read_kept", "temporary_kept"]


class _Kept:
    """The DuckDB file that keeps every scenario's outcomes, samples and, if asked, series.

    :func:`_open_kept` gives it the temporary file of :func:`strandrisk.io.files.atomic_path`,
    renamed onto the ``--keep`` path once the run is complete and removed otherwise, so a
    failed or interrupted run leaves any earlier file there as it was and no partial one.
    """

    def __init__(self, path: Path, keys: list[str], series: bool, llcr: bool = False) -> None:
        path.unlink(missing_ok=True)  # DuckDB refuses an existing empty file
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise InputError(f"{path}: cannot be written ({exc})") from None
        limit_duckdb_memory(self.con)
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(
            "CREATE TABLE mc (scenario BIGINT, company VARCHAR, stranded_peak DOUBLE, "
            "stranded_peak_to_2026 DOUBLE, stranded_peak_to_2026_date VARCHAR, "
            "npv_2026 DOUBLE, irr_2026 DOUBLE, "
            "impairment_ifrs DOUBLE, impairment_usgaap DOUBLE, "
            "first_impairment_ifrs VARCHAR, first_impairment_usgaap VARCHAR, "
            "economic_life_years DOUBLE, booked_life_years DOUBLE, min_dscr DOUBLE, "
            "min_interest_cover DOUBLE"
            + (", min_llcr DOUBLE, first_llcr_below_1 VARCHAR)" if llcr else ")")
        )
        columns = "".join(f', "{k}" DOUBLE' for k in keys)
        self.con.execute(f"CREATE TABLE samples (scenario BIGINT{columns})")
        if series:
            self.con.execute(
                "CREATE TABLE series (scenario BIGINT, company VARCHAR, quarter VARCHAR, "
                "stranded_value DOUBLE, book_value DOUBLE, economic_value DOUBLE)"
            )

    def insert(self, part: _TaskResult) -> None:
        if part.series is not None:
            self.con.register("paths", part.series)
            self.con.execute(
                "INSERT INTO series SELECT scenario, company::VARCHAR, quarter, "
                "stranded_value, book_value, economic_value FROM paths"
            )
            self.con.unregister("paths")
        self.con.register("chunk", part.rows)
        self.con.execute("INSERT INTO mc SELECT * FROM chunk")
        self.con.unregister("chunk")
        self.con.register("drawn", part.drawn)
        self.con.execute("INSERT INTO samples SELECT * FROM drawn")
        self.con.unregister("drawn")

    def close(self) -> None:
        self.con.close()


def _open_kept(
    path: Path, keys: list[str], series: bool, llcr: bool, stack: contextlib.ExitStack
) -> _Kept:
    """Open the kept-run file in a temporary file that ``stack`` renames onto ``path``."""
    ensure_folder(path.parent, "--keep folder")
    if path.is_file():
        _must_be_kept_run(path)  # replace an earlier kept run, never other data
    kept = _Kept(stack.enter_context(atomic_path(path)), keys, series, llcr)
    stack.callback(kept.close)  # closed (checkpointed) before the rename or the removal
    return kept


def _must_be_kept_run(path: Path) -> None:
    """Refuse to replace ``path`` unless it holds a kept Monte Carlo run (or nothing)."""
    if path.stat().st_size == 0:
        return
    tables = None
    if is_duckdb_file(path):
        with contextlib.suppress(duckdb.Error), duckdb.connect(str(path), read_only=True) as con:
            tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    if tables is None or not tables <= {"mc", "samples", "series"}:
        raise InputError(
            f"{path}: exists and is not a kept Monte Carlo run "
            f"({'not a DuckDB file' if tables is None else 'tables ' + ', '.join(sorted(tables))})"
            "; it is left as it is: choose another --keep file"
        )


@contextlib.contextmanager
def temporary_kept() -> Iterator[Path]:
    """Yield a path for a run's kept rows in a temporary folder, removed afterwards.

    For the analyses that need every scenario's outcome but keep none: the report's
    Monte Carlo section, ``discover``, ``mc`` with ``--store`` or a page and no ``--keep``.
    """
    with tempfile.TemporaryDirectory(prefix="strandrisk-mc-") as folder:
        yield Path(folder) / "mc.duckdb"


def read_kept(path: Path, company: str = "industry") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read back a kept run: parameter samples and one company's outcomes, by scenario.

    Parameters
    ----------
    path : Path
        DuckDB file written by ``strandrisk mc --keep``. [-]
    company : str
        A company of the run, or ``"industry"``. [-]

    Returns
    -------
    samples, outcomes : pandas.DataFrame
        Indexed by scenario: the drawn parameters, and the company's kept outcome columns
        (the booked life, an input, left out). [canonical units, USD]

    Raises
    ------
    InputError
        If ``path`` is not a DuckDB file, holds no kept run (tables ``samples`` and ``mc``),
        or has no rows for ``company``.
    """
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
            if not {"samples", "mc"} <= tables:
                raise InputError(
                    f"{path}: not the outcomes of a kept Monte Carlo run (no samples and mc "
                    "tables); write one with `strandrisk mc --keep FILE`"
                )
            samples = con.execute("SELECT * FROM samples ORDER BY scenario").df()
            outcomes = con.execute(
                "SELECT * FROM mc WHERE company = ? ORDER BY scenario", [company]
            ).df()
            if outcomes.empty:
                known = [r[0] for r in con.execute("SELECT DISTINCT company FROM mc").fetchall()]
                raise InputError(
                    f"{path}: no outcomes for company {company!r}; the run has "
                    f"{', '.join(sorted(known)) or 'none'}"
                )
    except duckdb.Error as exc:
        raise InputError(f"{path}: cannot read as a DuckDB file ({exc})") from exc
    # the booked life is an input kept beside the economic one (MCResult.economic_life), not
    # an outcome to discover or rank
    outcomes = outcomes.drop(columns="booked_life_years", errors="ignore")
    return samples.set_index("scenario"), outcomes.set_index("scenario")
