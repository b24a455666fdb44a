"""Exceptions shared by every layer: bad input is an :class:`InputError`.

The CLI turns an :class:`InputError` into one message on standard error and exit status 2.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input: a malformed file, an unknown key, an impossible value.

    The message names the file (or table), the key (row, column) and the problem.
    """
