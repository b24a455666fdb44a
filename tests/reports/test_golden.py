"""Golden tests of what users read: the base preset's HTML report and ``run`` summary, the TCO page.

Each is reduced to stable text (tables and headings as lines, each chart as its title, axes and
traces with a few figures to four significant digits; no timestamp, no version) and compared
with a file in ``tests/data/golden/``. A change to the model, the register or the layout
changes these files on purpose: regenerate them with ``make golden`` (which runs these tests
with ``STRANDRISK_UPDATE_GOLDEN=1``) and read ``git diff tests/data/golden`` before committing; the diff is the review.
"""

from __future__ import annotations

import base64
import difflib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import strandrisk as sr
from strandrisk.cli import render
from strandrisk.jobs import run_main_job

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
UPDATE = os.environ.get("STRANDRISK_UPDATE_GOLDEN") == "1"
_BLOCKS = {"h1", "h2", "h3", "p", "li", "tr", "table", "ol", "ul", "div", "caption"}


def _values(v: object) -> np.ndarray:
    """Trace data as floats: a plain list, or Plotly's typed array (``dtype`` + ``bdata``)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).astype(float)
    try:
        return np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.array([])


def _g(x: float) -> str:
    return f"{x:.4g}"


def _chart_lines(key: str, data: list[dict], layout: dict) -> list[str]:
    title = (layout.get("title") or {}).get("text", "")
    axes = []
    for axis in ("xaxis", "yaxis"):
        a = layout.get(axis) or {}
        text = (a.get("title") or {}).get("text", "")
        axes.append(f"{axis[0]}: {text}" + (" (log)" if a.get("type") == "log" else ""))
    lines = [f"[chart {key}] {title} | " + " | ".join(axes)]
    for t in data:
        style = t.get("line") or {}
        colour = style.get("color") or (t.get("marker") or {}).get("color") or ""
        dash = style.get("dash") or ""
        values = _values(t.get("y") if t.get("orientation") != "h" else t.get("x"))
        values = values[np.isfinite(values)]
        stats = (
            f"{values.size} values, first {_g(values[0])}, last {_g(values[-1])}, "
            f"min {_g(values.min())}, max {_g(values.max())}"
            if values.size
            else "no numeric values"
        )
        lines.append(f"  {t.get('type')} {t.get('name')!r} {dash} {colour}: {stats}".rstrip())
    return lines


class _Reader(HTMLParser):
    """HTML to lines: one per block element, table cells joined by " | ", charts summarised."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.skip = 0  # inside <style> or <script>
        self.script: list[str] = []

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip(" |")
        if text:
            self.lines.append(text)
        self.buf = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
            self.script = []
        elif tag in _BLOCKS:
            self.flush()
        elif tag in ("td", "th"):
            self.buf.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
            self._chart("".join(self.script))
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data):
        (self.script if self.skip else self.buf).append(data)

    def _chart(self, code: str) -> None:
        at = code.find("Plotly.newPlot(")
        if at < 0:
            return  # the Plotly bundle or the page's CSS
        decoder = json.JSONDecoder()
        rest = code[at + len("Plotly.newPlot(") :]
        key, i = decoder.raw_decode(rest.lstrip())
        rest = rest.lstrip()[i:].lstrip(", \n")
        data, i = decoder.raw_decode(rest)
        layout, _ = decoder.raw_decode(rest[i:].lstrip(", \n"))
        self.flush()
        self.lines += _chart_lines(key, data, layout)


def _html_text(page: str) -> str:
    reader = _Reader()
    reader.feed(page)
    reader.flush()
    text = "\n".join(reader.lines) + "\n"
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "<time>", text)
    return text.replace(f"strandrisk {sr.__version__};", "strandrisk <version>;")


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"wrote {path}")
    assert path.exists(), f"{path} is missing: run with STRANDRISK_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), text.splitlines(True), str(path), "now", n=1
            )
        )
        pytest.fail(f"{name} differs from its golden copy (see the module docstring):\n{diff}")


@pytest.fixture(scope="module")
def base_job(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden")
    return run_main_job(sr.load_scenario("base"), out_dir=out, store_path=None)


def test_report_of_the_base_preset(base_job):
    page = base_job.report.read_text(encoding="utf-8")
    text = _html_text(page)
    assert text.count("[chart fig-") == len(sr.reports.figures.FIGURES)
    _check("report_base.txt", text)


def test_run_summary_of_the_base_preset(base_job):
    console = Console(width=100, record=True, color_system=None, soft_wrap=True)
    console.print(render.run_summary(base_job))
    text = console.export_text()
    text = re.sub(r"report: .*report\.html", "report: <folder>/report.html", text)
    _check("run_base.txt", "\n".join(line.rstrip() for line in text.splitlines()) + "\n")


def test_tco_page_of_the_article_workload(tmp_path):
    from strandrisk.io.workload import load_workload
    from strandrisk.reports.tco import write_tco_outputs
    from strandrisk.tco.model import compare

    wf = load_workload("article-3yr")
    (page,) = write_tco_outputs(wf, compare(wf.workload, wf.options), tmp_path, None)
    _check("tco_article.txt", _html_text(page.read_text(encoding="utf-8")))
