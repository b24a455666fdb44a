"""Where the compiled kernel spends its time, by function and by source line (a developer's tool).

Run from the repository root (Linux, with ``perf`` and binutils' ``objdump`` installed)::

    .venv/bin/python benchmarks/profile_kernel.py [--scenarios 1000] [--repeat 20] [--lines 30]
        [--monte-carlo] [--llcr] [--capex-years]

It prepares the kernel's inputs for base scenarios (as ``benchmarks/test_bench_model.py``
draws them; with ``--monte-carlo``, Latin hypercube draws of every uncertainty of ``base``, as
``strandrisk mc`` draws them; with ``--llcr`` the loan life cover too, with ``--capex-years``
each calendar year's capex valued alone, as ``strandrisk mc --llcr --capex-years`` asks),
compiles the kernel afresh in a throw-away cache with line tables only (Numba's
full debug info would turn inlining off and profile different code), runs it on one thread
while ``perf`` samples this process at 4 kHz, and maps each sample in the kernel's code to
its source line through the object's DWARF line table. Lines Numba marks as 0 (code the
compiler made) count for the line before them. See docs/model.md#speed.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import collections
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if "--child" in sys.argv:  # the parent's cache: load the kernel it compiled
    _WORK = sys.argv[sys.argv.index("--child") + 1]
else:
    _CACHE = tempfile.TemporaryDirectory(prefix="strandrisk-profile-")
    _WORK = _CACHE.name
os.environ["NUMBA_CACHE_DIR"] = _WORK  # compiled afresh, with line tables
os.environ["NUMBA_DEBUGINFO"] = "1"
os.environ["NUMBA_NUM_THREADS"] = "1"

from numba.core import compiler

# line tables without full debug mode: the code stays the release build's (inlined, vectorised)
compiler.Flags.options["dbg_directives_only"]._default = True

import strandrisk as sr  # noqa: E402
from strandrisk.engine import _kernel  # noqa: E402
from strandrisk.engine._kernel import rows  # noqa: E402
from strandrisk.engine._kernel.cache import kernel_sources  # noqa: E402
from strandrisk.engine.compiled import prepare_kernel  # noqa: E402
from strandrisk.engine.model import make_grid  # noqa: E402
from strandrisk.engine.params import build_params  # noqa: E402
from strandrisk.engine.simulate import _history  # noqa: E402
from strandrisk.io.uncertainty import load_uncertainty  # noqa: E402
from strandrisk.scenarios.sampling import sample_range  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_bench_model import _samples  # noqa: E402


def _capture(n: int, monte_carlo: bool) -> tuple:
    """Return the kernel's arguments for ``n`` base scenarios, as ``simulate`` prepares them."""
    scenario = sr.load_scenario("base")
    if monte_carlo:
        samples = sample_range(load_uncertainty("base", scenario), 0, n, 7, "lhs")
    else:
        samples = _samples(n)
    p = build_params(scenario, samples)
    return prepare_kernel(p, make_grid(scenario.years), _history(p.companies)).args


def _line_table(obj: Path) -> tuple[list[int], list[tuple[str, int]]]:
    """Return addresses and their (file, line), line 0 mapped to the line before it."""
    text = subprocess.run(
        ["objdump", "--dwarf=decodedline", str(obj)], capture_output=True, text=True, check=True
    ).stdout
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(\S+\.py)\s+(\d+)\s+(0x[0-9a-f]+|\d+)", line)
        if m:
            rows.append((int(m.group(3), 0), m.group(1), int(m.group(2))))
    rows.sort()
    addresses, where, last = [], [], ("?", 0)
    for address, name, number in rows:
        if number:
            last = (name, number)
        addresses.append(address)
        where.append(last)
    return addresses, where


def _functions(path: Path) -> dict[int, str]:
    """Map each line of a source file to the function it is in."""
    owner = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for i in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                owner.setdefault(i, node.name)  # ast.walk visits outer functions first
    return owner


def _child(work: Path, repeat: int, flags: tuple[bool, bool, bool]) -> None:
    """Load the compiled kernel from the cache, run it under ``perf``, write its timing."""
    with (work / "args.pkl").open("rb") as f:
        args = pickle.load(f)
    _kernel.outcome_rows(*args, *flags)  # loads the kernel from the cache: one object
    block = rows._outcome_block
    result = block.overloads[block.signatures[0]]
    (work / "base").write_text(
        str(result.library.get_pointer_to_function(result.fndesc.llvm_func_name))
    )
    perf = subprocess.Popen(
        ["perf", "record", "-F", "4000", "-p", str(os.getpid()), "-o", str(work / "perf.data")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # perf attaches
    t0 = time.perf_counter()
    for _ in range(repeat):
        _kernel.outcome_rows(*args, *flags)
    (work / "seconds").write_text(str((time.perf_counter() - t0) / repeat))
    perf.send_signal(signal.SIGINT)
    perf.wait()


def main() -> None:
    """Profile the kernel and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenarios", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--lines", type=int, default=30)
    ap.add_argument("--monte-carlo", action="store_true", help="every uncertainty drawn")
    ap.add_argument("--llcr", action="store_true", help="the loan life cover too")
    ap.add_argument("--capex-years", action="store_true", help="each year's capex valued too")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    opt = ap.parse_args()
    flags = (False, opt.llcr, opt.capex_years)  # no value paths
    if opt.child:
        _child(Path(opt.child), opt.repeat, flags)
        return

    work = Path(_WORK)
    t0 = time.perf_counter()
    args = _capture(opt.scenarios, opt.monte_carlo)
    _kernel.outcome_rows(*args, *flags)  # compiles into the throw-away cache
    print(f"inputs prepared and kernel compiled in {time.perf_counter() - t0:.0f} s")
    with (work / "args.pkl").open("wb") as f:
        pickle.dump(args, f)
    block = rows._outcome_block
    result = block.overloads[block.signatures[0]]
    obj = work / "kernel.o"
    obj.write_bytes(result.library._get_compiled_object())  # what the cache holds
    symbols = subprocess.run(["nm", str(obj)], capture_output=True, text=True).stdout
    offset = next(
        int(x.split()[0], 16)
        for x in symbols.splitlines()
        if x.endswith(" " + result.fndesc.llvm_func_name)
    )
    # a fresh process loads the kernel from the cache as one object, its callees inside
    child = [sys.executable, __file__, "--child", str(work), "--repeat", str(opt.repeat)]
    asked = [name for name, on in (("--llcr", opt.llcr), ("--capex-years", opt.capex_years)) if on]
    subprocess.run([*child, *asked], check=True)
    base = int((work / "base").read_text()) - offset  # where the code section is loaded
    per = float((work / "seconds").read_text()) / opt.scenarios * 1e6
    drawn = "draws of every uncertainty of" if opt.monte_carlo else "scenarios of"
    extra = "".join(f", {name}" for name in asked)
    print(f"kernel: {per:.1f} µs a scenario on one thread ({opt.scenarios:,} {drawn} base{extra})")
    ips = subprocess.run(
        ["perf", "script", "-i", str(work / "perf.data"), "-F", "ip"],
        capture_output=True,
        text=True,
    ).stdout.split()
    addresses, where = _line_table(obj)
    end = base + max(addresses) + 4096
    sources = {path.name: path for path in kernel_sources()}  # the line table's file names
    owner = {name: _functions(path) for name, path in sources.items()}
    lines: collections.Counter = collections.Counter()
    for ip in (int(x, 16) for x in ips):
        if base <= ip < end:
            i = bisect.bisect_right(addresses, ip - base) - 1
            lines[where[i] if i >= 0 else ("?", 0)] += 1
    total = sum(lines.values())
    if not total:
        sys.exit("no samples in the kernel: is perf allowed to attach (perf_event_paranoid)?")
    by_function: collections.Counter = collections.Counter()
    for (name, number), count in lines.items():
        key = owner[name].get(number, "?") if name in owner else f"({name})"
        by_function[key] += count
    print(f"\n{'share':>6} {'µs':>6}  function ({total:,} samples in the kernel)")
    for key, count in by_function.most_common():
        print(f"{count / total:6.1%} {per * count / total:6.1f}  {key}")
    text = {name: path.read_text().splitlines() for name, path in sources.items()}
    print(f"\n{'share':>6} {'µs':>6}  line")
    for (name, number), count in lines.most_common(opt.lines):
        shown = text[name][number - 1].strip()[:66] if name in text and number else ""
        print(f"{count / total:6.1%} {per * count / total:6.1f}  {name}:{number}  {shown}")


if __name__ == "__main__":
    main()
