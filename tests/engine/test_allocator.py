"""glibc's allocator tuned once per process by the engine (engine/allocator.py)."""

import ctypes
import sys

import pytest

import strandrisk as sr
from strandrisk.engine import allocator


def _glibc() -> bool:
    try:
        ctypes.CDLL(None).gnu_get_libc_version  # noqa: B018
    except (OSError, AttributeError):
        return False
    return sys.platform.startswith("linux")


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_the_engine_tunes_glibcs_allocator_once(monkeypatch):
    for name in (allocator.ENV, "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(allocator, "_tuned", None)
    sr.simulate(sr.load_scenario("base"), breakeven=False, keep_series=False)
    assert allocator._tuned is True
    assert allocator.keep_freed_memory() is True


@pytest.mark.parametrize(
    ("variable", "value"),
    [("STRANDRISK_MALLOC", "0"), ("MALLOC_TRIM_THRESHOLD_", "131072"),
     ("MALLOC_MMAP_THRESHOLD_", "65536")],
)  # fmt: skip
def test_the_users_own_setting_leaves_the_allocator_alone(monkeypatch, variable, value):
    monkeypatch.delenv(allocator.ENV, raising=False)  # (STRANDRISK_MALLOC=1 would override)
    monkeypatch.setenv(variable, value)
    monkeypatch.setattr(allocator, "_tuned", None)
    assert allocator.keep_freed_memory() is False
    assert allocator.keep_freed_memory() is False  # decided once


def test_nothing_is_done_without_linux(monkeypatch):
    monkeypatch.delenv(allocator.ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert allocator._tune() is False


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_strandrisk_malloc_1_tunes_even_where_glibcs_variables_are_set(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # what Dask's nanny sets
    monkeypatch.setenv(allocator.ENV, "1")
    monkeypatch.setattr(allocator, "_tuned", None)
    assert allocator.keep_freed_memory() is True


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_the_local_clusters_workers_tune_the_allocator_as_this_process_does(monkeypatch):
    """Dask's nanny sets glibc's trim threshold in its workers; ours tune all the same."""
    from strandrisk.engine.mc_exec import executor

    monkeypatch.delenv(allocator.ENV, raising=False)
    with executor(2, None) as client:
        tuned = client.run(allocator.keep_freed_memory)
    assert list(tuned.values()) == [True, True]
