"""End to end: a fresh clone, `make run`, as a new user would (slow; CI runs it)."""

import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make"
)
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_make_run_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "strandrisk"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    done = subprocess.run(
        ["make", "run"], cwd=clone, capture_output=True, text=True, timeout=1500, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "peak stranded value" in done.stdout
    assert "industry" in done.stdout
    assert (clone / "strandrisk-report" / "report.html").stat().st_size > 1_000_000
    assert (clone / "strandrisk.duckdb").is_file()
