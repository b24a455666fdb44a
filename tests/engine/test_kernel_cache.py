"""The kernel's on-disk cache is stamped with every source its compiled code comes from."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from numba.core.dispatcher import Dispatcher

from strandrisk.engine import _kernel
from strandrisk.engine._kernel import cache

MODULES = [
    importlib.import_module(f"{_kernel.__name__}.{m.name}")
    for m in pkgutil.iter_modules(_kernel.__path__)
]


def _dispatchers(module):
    return [x for x in vars(module).values() if isinstance(x, Dispatcher)]


def test_the_kernel_cache_classes_are_in_use():
    """Numba's cache classes are where strandrisk expects them (no silent fallback)."""
    assert cache._CACHE is not None


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_every_kernel_function_is_cached_under_the_kernels_stamp(module):
    own = [d for d in _dispatchers(module) if d.py_func.__module__ == module.__name__]
    for d in own:
        assert isinstance(d._cache, cache._CACHE), d.py_func.__name__
        assert d._cache._cache_file._source_stamp == cache.sources_digest()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_every_compiled_callee_comes_from_a_stamped_source(module):
    """A kernel function calling a compiled function from a file outside the stamp would keep
    a stale copy of it in its cache: add that file to ``kernel_sources``."""
    sources = {p.resolve() for p in cache.kernel_sources()}
    for d in _dispatchers(module):
        assert Path(inspect.getfile(d.py_func)).resolve() in sources, d.py_func.__name__


def test_the_stamp_changes_when_any_source_changes(tmp_path, monkeypatch):
    files = []
    for i, path in enumerate(cache.kernel_sources()):
        copy = tmp_path / f"{i}_{path.name}"
        copy.write_bytes(path.read_bytes())
        files.append(copy)
    monkeypatch.setattr(cache, "kernel_sources", lambda: tuple(files))
    before = cache.sources_digest()
    for copy in files:  # the same size, one byte changed
        text = copy.read_bytes()
        copy.write_bytes(text[:-1] + (b"#" if text[-1:] != b"#" else b" "))
        assert cache.sources_digest() != before, copy.name
        copy.write_bytes(text)
    assert cache.sources_digest() == before


def test_without_numbas_cache_classes_the_kernel_falls_back_with_a_warning(monkeypatch):
    from numba.core import caching

    monkeypatch.delattr(caching, "CompileResultCacheImpl")
    with pytest.warns(RuntimeWarning, match="falls back to Numba's own cache"):
        assert cache._cache_class() is None
    monkeypatch.setattr(cache, "_CACHE", None)

    @cache.jit()
    def twice(x):
        return 2 * x

    assert isinstance(twice._cache, caching.FunctionCache)
    assert not isinstance(twice._cache, type(_kernel.rows._outcome_block._cache))


def test_other_compiled_modules_call_no_compiled_code_from_other_files():
    """Modules cached with Numba's own ``cache=True`` (stamped with their own file only) must
    not compile in a callee from another file, or their cache would keep a stale copy of it."""
    import strandrisk

    for info in pkgutil.walk_packages(strandrisk.__path__, "strandrisk."):
        if info.name.startswith(_kernel.__name__):
            continue
        module = importlib.import_module(info.name)
        own = [d for d in _dispatchers(module) if d.py_func.__module__ == module.__name__]
        if not own:
            continue
        here = Path(module.__file__).resolve()
        for d in _dispatchers(module):
            assert Path(inspect.getfile(d.py_func)).resolve() == here, (
                f"{info.name} compiles {d.py_func.__name__} from another file"
            )


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_every_kernel_function_compiles_with_the_noalias_flag(module):
    assert cache._PIPELINE is not None  # the flag exists in this Numba
    for d in _dispatchers(module):
        if d.py_func.__module__ == module.__name__:
            assert d._compiler.pipeline_class is cache._PIPELINE, d.py_func.__name__


def test_the_noalias_flag_reaches_llvm():
    """With the kernel's compiler an array argument's data pointer is ``noalias`` for LLVM."""
    import numba
    import numpy as np

    def scale(x, y):
        for i in range(x.shape[0]):
            y[i] = 2.0 * x[i]

    def header(dispatcher):
        dispatcher(np.ones(3), np.zeros(3))
        ir = next(iter(dispatcher.inspect_llvm().values()))
        return next(
            line for line in ir.splitlines() if line.startswith("define") and "scale" in line
        )

    plain = header(numba.njit(scale))  # not cached: compiled here
    kernel = header(numba.njit(pipeline_class=cache._PIPELINE)(scale))
    assert kernel.count("noalias") >= plain.count("noalias") + 4  # both arrays' pointers
