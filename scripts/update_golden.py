"""Regenerate the golden files in ``tests/data/golden/`` (``make golden``).

Run it only after a deliberate change to the model, the register or a report's layout, then
read ``git diff tests/data/golden`` before committing: the diff is the review. The golden tests
themselves never write; this script runs them with ``STRANDRISK_UPDATE_GOLDEN=1``.
"""

import os
import subprocess
import sys

GOLDEN_TESTS = ["tests/engine/test_golden_run.py", "tests/reports/test_golden.py"]

if __name__ == "__main__":
    env = {**os.environ, "STRANDRISK_UPDATE_GOLDEN": "1"}
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", *GOLDEN_TESTS], env=env)
    if code not in (0, 5):  # 5: every test skipped, which is what writing looks like
        sys.exit(code)
    subprocess.call(["git", "diff", "--stat", "--", "tests/data/golden"])
