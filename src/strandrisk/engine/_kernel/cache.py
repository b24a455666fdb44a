"""Numba's on-disk cache for the kernel, fresh whenever any of the kernel's sources changes.

Numba keys a function's cached machine code on its own source file only, yet a compiled
caller holds its callees' code inside it: with ``cache=True`` alone, editing a callee in
another file (or a ``git pull`` that changes one) would leave every caller's cached copy
stale, and the model would keep running the old code. :func:`jit` compiles as
``numba.njit`` does and caches in the same places, but stamps each function's cache with
one digest of every source file of the kernel (:func:`kernel_sources`): a change to any of
them makes Numba compile the kernel again.

Numba has no public hook for the stamp; this uses its cache classes (``FunctionCache``,
``CompileResultCacheImpl`` and the locators' ``get_source_stamp``), stable since Numba
0.5x. Where they are missing, it falls back to Numba's own cache with a warning.

:func:`jit` also compiles with Numba's ``noalias`` flag (the one its parallel loops use):
every pointer argument, each array's data among them, is marked ``noalias`` for LLVM, which
can then vectorise a loop without first testing at run time whether the arrays it writes
overlap the ones it reads. The kernel keeps to the rule that makes this sound: no kernel
function is given two arrays that share memory when either is written (distinct work
arrays, or disjoint rows of one). It changes no result (every output compared byte for byte)
and takes ≈7 % off the kernel's time (docs/model.md#speed).
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
from numba.core.dispatcher import Dispatcher

from strandrisk.core import _irr_kernel

__all__ = ["in_cache", "jit", "kernel_sources", "sources_digest"]


def kernel_sources() -> tuple[Path, ...]:
    """Return every source file whose compiled code the kernel's functions contain.

    The modules of this package and :mod:`strandrisk.core._irr_kernel` (``irr_row``).

    Returns
    -------
    tuple of Path
        The files, in a fixed order. [-]
    """
    here = Path(__file__).parent
    return (*sorted(here.glob("*.py")), Path(_irr_kernel.__file__))


@functools.lru_cache(maxsize=16)
def _digest(stats: tuple[tuple[str, int, int], ...]) -> bytes:
    h = hashlib.sha256()
    for path, _, _ in stats:  # size and time only key the memo: a changed file is read again
        h.update(Path(path).name.encode())
        h.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return h.digest()


def sources_digest() -> bytes:
    """Return one SHA-256 digest of the contents of :func:`kernel_sources`.

    Returns
    -------
    bytes
        The digest; it changes when any of the files does. [-]
    """
    stats = []
    for path in kernel_sources():
        st = path.stat()
        stats.append((str(path), st.st_mtime_ns, st.st_size))
    return _digest(tuple(stats))


def _cache_class() -> type | None:
    """Numba's ``FunctionCache`` with every locator stamping the kernel's digest."""
    try:
        from numba.core import caching

        impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl

        class _Stamp:
            def get_source_stamp(self) -> bytes:
                return sources_digest()

        locators = [type(f"Kernel{c.__name__}", (_Stamp, c), {}) for c in impl._locator_classes]
        cache_impl = type(
            "KernelCacheImpl", (caching.CompileResultCacheImpl,), {"_locator_classes": locators}
        )
        return type("KernelFunctionCache", (caching.FunctionCache,), {"_impl_class": cache_impl})
    except (ImportError, AttributeError) as exc:  # Numba's internals moved
        warnings.warn(
            f"strandrisk: Numba's cache classes have changed ({exc}); the kernel falls back to "
            "Numba's own cache, which does not notice edits to a callee's file",
            RuntimeWarning,
            stacklevel=2,
        )
        return None


_CACHE = _cache_class()


def _pipeline_class() -> type | None:
    """Numba's compiler with its ``noalias`` flag set; None where Numba has no such flag."""
    from numba.core import compiler

    if "noalias" not in getattr(compiler.Flags, "options", {}):
        return None  # a Numba without the flag: the kernel compiles as before

    class NoAliasCompiler(compiler.Compiler):
        def __init__(self, typingctx, targetctx, library, args, return_type, flags, locals):
            flags.noalias = True  # a fresh Flags object for each compilation
            super().__init__(typingctx, targetctx, library, args, return_type, flags, locals)

    return NoAliasCompiler


_PIPELINE = _pipeline_class()


def jit(**options: Any) -> Callable[[Callable], Any]:
    """Return a decorator: ``numba.njit(error_model="numpy", **options)``, cached per kernel.

    Compiled with Numba's ``noalias`` flag (see the module's note): arrays given to one
    call must not overlap where either is written.

    Parameters
    ----------
    options : dict
        Further ``numba.njit`` options, as keywords (``nogil=True``). [-]

    Returns
    -------
    callable
        The decorator; it returns Numba's dispatcher, or the function itself where
        ``NUMBA_DISABLE_JIT`` is set.
    """
    if _PIPELINE is not None:
        options = {"pipeline_class": _PIPELINE, **options}

    def decorate(py_func: Callable) -> Any:
        dispatcher = numba.njit(error_model="numpy", **options)(py_func)
        if not isinstance(dispatcher, Dispatcher):
            return dispatcher  # NUMBA_DISABLE_JIT
        if _CACHE is None:
            dispatcher.enable_caching()
        else:  # as Dispatcher.enable_caching, with the kernel's stamp
            dispatcher._cache = _CACHE(py_func)  # type: ignore[attr-defined]
        return dispatcher

    return decorate


def in_cache(dispatcher: Any) -> bool | None:
    """Whether a compiled function can be loaded from its on-disk cache, without compiling.

    Parameters
    ----------
    dispatcher : numba dispatcher
        A function compiled with :func:`jit` (or ``cache=True``). [-]

    Returns
    -------
    bool or None
        True when its cache holds a version for this source and Python, False when the
        first call will compile, None where Numba's cache cannot be inspected (its layout
        is not a public interface).
    """
    try:
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # any change in Numba's internals means "unknown"
        return None
