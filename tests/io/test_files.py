"""Atomic writes: a file appears whole or not at all, and a path that cannot be written is refused."""

import pytest

from strandrisk.errors import InputError
from strandrisk.io.files import write_text_atomic, write_with


def test_write_is_all_or_nothing(tmp_path):
    target = tmp_path / "out.txt"
    write_text_atomic(target, "first")

    def fail_halfway(path):
        path.write_text("half")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError, match="writer failed"):
        write_with(target, fail_halfway)
    assert target.read_text() == "first"  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary left behind


def test_a_folder_is_not_a_file_to_write(tmp_path):
    with pytest.raises(InputError, match="is a folder, not a file to write"):
        write_text_atomic(tmp_path, "x")


def test_an_unwritable_place_is_refused_with_the_path(tmp_path, monkeypatch):
    import tempfile

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", no_space)
    target = tmp_path / "report.html"
    with pytest.raises(InputError, match=r"report\.html: cannot be written \(No space left"):
        write_text_atomic(target, "x")
    assert not target.exists()
