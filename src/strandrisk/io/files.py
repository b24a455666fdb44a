"""Reading TOML inputs, and atomic file writing.

Inputs are a shipped preset or a TOML file, read the same way everywhere with the same
messages. Writes go to a temporary file in the target folder, then a rename: a failed or
interrupted write never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from strandrisk.errors import InputError

__all__ = [
    "DUCKDB_MEMORY",
    "atomic_path",
    "ensure_folder",
    "is_duckdb_file",
    "limit_duckdb_memory",
    "parse_toml",
    "read_toml_source",
    "write_text_atomic",
    "write_with",
]


DUCKDB_MEMORY = "512MB"
"""Memory a DuckDB connection of ours may hold before it spills to disk (stores, kept rows)."""


def limit_duckdb_memory(con: Any) -> None:
    """Cap a DuckDB connection's memory at :data:`DUCKDB_MEMORY`: large tables spill to disk.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open connection. [-]
    """
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")


def is_duckdb_file(path: Path | str) -> bool:
    """Whether ``path`` starts like a DuckDB database file (magic bytes ``DUCK`` at offset 8).

    DuckDB opens some other files (a small CSV, say) as an empty in-memory database instead
    of refusing them, so what a file holds is checked before DuckDB is given it.

    Parameters
    ----------
    path : path-like
        An existing file. [-]
    """
    try:
        with Path(path).open("rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return head[8:12] == b"DUCK"


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes an :class:`InputError` naming ``where``.

    Parameters
    ----------
    text : str
        TOML document. [-]
    where : str
        What to call it in a message, such as its path. [-]
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: malformed TOML ({exc})") from None


def read_toml_source(
    source: str,
    presets: Collection[str],
    preset_text: Callable[[str], str],
    what: str,
    preset_kind: str = "preset",
) -> tuple[str, str, dict[str, Any]]:
    """Read a shipped preset by name, or a TOML file by path.

    Parameters
    ----------
    source : str
        A preset name or a file path. [-]
    presets : collection of str
        The shipped preset names. [-]
    preset_text : callable
        Returns a preset's TOML text. [-]
    what : str
        What the file holds, for messages ("scenario", "workload"). [-]
    preset_kind : str
        What a preset is called in messages ("preset", "TCO preset"). [-]

    Returns
    -------
    where : str
        ``"<kind> <name>"`` or the path, for messages. [-]
    name : str
        The preset name, or the file's stem. [-]
    data : dict
        The parsed TOML. [-]

    Raises
    ------
    InputError
        An unknown preset, an unreadable file or malformed TOML.
    """
    if source in presets:
        where = f"{preset_kind} {source}"
        return where, source, parse_toml(preset_text(source), where)
    path = Path(source)
    if path.suffix != ".toml" and not path.exists():
        raise InputError(f"unknown {preset_kind} {source!r}; presets: {', '.join(presets)}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc})") from None
    return str(path), path.stem, parse_toml(text, str(path))


def ensure_folder(folder: Path | str, what: str = "output folder") -> Path:
    """Create ``folder`` if needed and check that it can be written to.

    Parameters
    ----------
    folder : path-like
        The folder. [-]
    what : str
        Name used in the error message. [-]

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    InputError
        If the folder cannot be created or written to.
    """
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot be created ({exc.strerror or exc})") from None
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"{what} {path}: is not a writable folder")
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` on success.

    Parameters
    ----------
    target : path-like
        Final file path; its folder must exist and be writable. [-]
    """
    target = Path(target)
    ensure_folder(target.parent, "output folder")
    if target.is_dir():
        raise InputError(f"{target}: is a folder, not a file to write")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise InputError(f"{target}: cannot be written ({exc.strerror or exc})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        try:
            tmp_path.replace(target)
        except OSError as exc:
            raise InputError(f"{target}: cannot be written ({exc.strerror or exc})") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path | str, text: str) -> Path:
    """Write ``text`` to ``target`` atomically (UTF-8).

    Parameters
    ----------
    target : path-like
        File to write. [-]
    text : str
        Content. [-]

    Returns
    -------
    pathlib.Path
        The written file.
    """
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_with(target: Path | str, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``target`` atomically.

    Parameters
    ----------
    target : Path or str
        Final path. [-]
    writer : callable
        Writes the whole file at the temporary path it is given. [-]
    """
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)
