"""Exceptions shared by every layer: bad input is an :class:`InputError`.

The CLI turns an :class:`InputError` into one message on standard error and exit status 2.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable

__all__ = ["InputError", "did_you_mean", "whole_number"]


class InputError(ValueError):
    """Bad input: a malformed file, an unknown key, an impossible value.

    The message names the file (or table), the key (row, column) and the problem.
    """


def whole_number(name: str, value: object, minimum: int = 0) -> int:
    """Return ``value`` as an int, or raise an :class:`InputError` naming ``name``.

    For counts and seeds passed through the Python API: a float, a string or a bool is
    refused (``n = 10.5`` would otherwise fail deep inside NumPy), as is a value below
    ``minimum``.

    Parameters
    ----------
    name : str
        The argument's name, for the message. [-]
    value : object
        What was passed. [count]
    minimum : int
        The smallest value allowed. [count]
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} = {value!r}: expected a whole number")
    if value < minimum:
        raise InputError(f"{name} = {value}: must be at least {minimum}")
    return int(value)


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """Return `` (did you mean X?)`` for the known key ``key`` was most likely meant as, or "".

    The same name in another section first (``market.growth`` for ``capex.growth``), else a
    near-misspelling (``market.elasticty``, ``market.utilization``).

    Parameters
    ----------
    key : str
        The dotted key that is not known. [-]
    known : iterable of str
        The dotted keys that are. [-]
    """
    known = list(known)
    near = [k for k in known if k.split(".")[-1] == key.split(".")[-1]]
    near = near or difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    return f" (did you mean {near[0]}?)" if near else ""
