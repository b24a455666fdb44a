"""`strandrisk run`, `presets`, `scenario show`, `runs ...` and `export` through the CLI."""

import json
import re

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import strandrisk as sr
from strandrisk.cli.main import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    store = folder / "runs.duckdb"
    result = run(
        "run", "--out", str(folder / "report"), "--store", str(store), "--png", str(folder / "png")
    )
    assert result.exit_code == 0, result.output
    return folder, store, result


def test_run_prints_the_summary_and_writes_report_and_store(base_run):
    folder, store, result = base_run
    out = result.stdout
    for needle in (
        "2026 capex",
        "booked life",
        "economic life",
        "peak stranded value",
        "impairment, IFRS",
        "impairment, US GAAP",
        "NPV of 2026 capex",
        "IRR of 2026 capex",
        "minimum DSCR",
        "break-even demand growth",
        "industry",
        "Assumptions that move peak stranded value",
    ):
        assert needle in out
    # three drivers of the unit's peak stranded value, three of today's capital's
    assert len(re.findall(r"^\s+[123]\. \S+", out, flags=re.M)) == 6
    assert "today's capital's peak stranded value" in out
    assert f"stored: run 1 in {store}" in out
    assert (folder / "report" / "report.html").is_file()
    assert sorted(p.name for p in (folder / "png").iterdir()) == sorted(
        f"{k}.png" for k in sr.reports.figures.FIGURES
    )


def test_report_is_self_contained_with_every_chart(base_run):
    from strandrisk.reports.figures import FIGURES

    html = (base_run[0] / "report" / "report.html").read_text()
    for key in FIGURES:
        assert f'id="fig-{key}"' in html
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert "Plotly" in html[:5_000_000]
    assert "useful_life_servers_meta" in html  # assumptions with sources
    assert "C1.05" in html  # claims summary lists the inconsistent ones
    assert "Impairment-test headroom at the end of 2026Q4" in html  # IAS 36.134(f)


def test_run_json_prints_only_the_outcome_table(tmp_path):
    result = run(
        "run",
        "--json",
        "--no-report",
        "--store",
        str(tmp_path / "s.duckdb"),
        "--company",
        "meta",
        "--company",
        "oracle",
        "--horizon",
        "6",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["company"] for r in rows] == ["meta", "oracle", "industry"]
    assert set(rows[0]) == set(sr.OUTCOME_COLUMNS)
    assert not (tmp_path / "strandrisk-report").exists()


def test_presets_and_scenario_show():
    listed = run("presets")
    assert listed.exit_code == 0
    assert len(listed.stdout.strip().splitlines()) == 6
    shown = run("scenario", "show", "fibre-replay")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("# fibre-replay:")
    assert "[market]" in shown.stdout
    assert "spread_widening = 0.02" in shown.stdout


def test_runs_list_show_compare_delete_and_export(tmp_path):
    store = tmp_path / "runs.duckdb"
    for preset in ("base", "open-source-collapse"):
        r = run("run", "--preset", preset, "--no-report", "--store", str(store))
        assert r.exit_code == 0, r.output
    listed = run("runs", "list", "--store", str(store))
    assert "open-source-collapse" in listed.stdout
    shown = run("runs", "show", "1", "--store", str(store))
    assert shown.exit_code == 0
    assert "register_sha256" in shown.stdout
    compared = run("runs", "compare", "1", "2", "--store", str(store))
    assert compared.exit_code == 0
    assert "stranded_peak" in compared.stdout
    assert "What separates them: strandrisk scenario diff run:1 run:2 --store" in " ".join(
        compared.stdout.split()
    )
    walked = run("scenario", "diff", "run:1", "run:2", "--store", str(store), "--json")
    assert walked.exit_code == 0, walked.output
    assert json.loads(walked.stdout)["bridge"]["second"] == "open-source-collapse"
    xlsx = tmp_path / "run1.xlsx"
    exported = run(
        "export",
        "1",
        "--store",
        str(store),
        "--xlsx",
        str(xlsx),
        "--csv",
        str(tmp_path / "csv"),
        "--parquet",
        str(tmp_path / "pq"),
    )
    assert exported.exit_code == 0, exported.output
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == [
        "run",
        "inputs",
        "outcomes",
        "series",
        "rollforward",
        "assumptions",
        "units",
    ]
    roll = list(book["rollforward"].values)
    assert roll[0][:4] == ("company", "standard", "year", "opening")
    assert roll[-1][:3] == ("industry", "usgaap", 2035)
    assert book["rollforward"].cell(2, 4).number_format.startswith('$#,##0.0,,,"B"')
    assert all(abs(r[-1]) < 1.0 for r in roll[1:])  # ties to the dollar
    # full values in the cells, $ billions and per cent on screen, each series row's unit
    sheet = book["outcomes"]
    header = [c.value for c in sheet[1]]
    capex = sheet.cell(2, header.index("capex_2026") + 1)
    base = sr.load_scenario("base")
    assert capex.value == base.companies[0].capex_2026 * base.capex.ai_share
    assert capex.number_format.startswith('$#,##0.0,,,"B"')
    assert sheet.cell(2, header.index("irr_2026") + 1).number_format == "0.0%"
    rows = list(book["series"].values)
    assert rows[0][:5] == ("scenario", "company", "variable", "unit", "2026Q1")
    assert {r[2]: r[3] for r in rows[1:]} == {
        k: v
        for k, v in sr.SERIES_UNITS.items()
        if k
        not in (
            "dscr",
            "interest_cover",
            "economic_life",
            "book_by_capex_year",  # the store keeps the (company, quarter) series
            "stranded_by_capex_year",
        )
    }
    units = {(r[0], r[1]): r[2] for r in list(book["units"].values)[1:]}
    assert units[("outcomes", "npv_2026")] == "USD"
    assert units[("series", "demand")] == "Mtok/quarter"
    outcomes = pd.read_csv(tmp_path / "csv" / "outcomes.csv")
    assert list(outcomes["company"])[-1] == "industry"
    assert (
        duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'pq' / 'assumptions.parquet'}'").fetchall()[
            0
        ][0]
        > 400
    )
    deleted = run("runs", "delete", "2", "--store", str(store))
    assert deleted.exit_code == 0
    assert "open-source-collapse" not in run("runs", "list", "--store", str(store)).stdout


BAD = [
    (["--preset", "bull"], "unknown preset 'bull'"),
    (["--set", "market.price_decay=1"], "unknown key 'market.price_decay'"),
    (["--set", "market.price_decline=fast"], "expected a number"),
    (
        ["--set", "technology.physical_life=-2"],
        "technology.physical_life: -2.0 is outside the allowed range",
    ),
    (["--set", "capex.ai_share=1.5"], "capex.ai_share: 1.5 is outside the allowed range [0, 1]"),
    (["--set", "market.utilisation=nan"], "not a finite number"),
    (["--set", "market.price_decline=inf"], "not a finite number"),
    (["--set", "nonsense"], "expected dotted.key=VALUE"),
    (["--company", "nvidia"], "--company"),
    (["--horizon", "0"], "years"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[a[1] for a in BAD])
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, args, message):
    store = tmp_path / "s.duckdb"
    result = run("run", "--out", str(tmp_path / "rep"), "--store", str(store), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not store.exists()
    assert not (tmp_path / "rep").exists() or not any((tmp_path / "rep").iterdir())


def test_bad_scenario_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[market\nprice_decline = 1\n")
    r = run("run", "--scenario", str(bad), "--store", str(tmp_path / "s.duckdb"), "--no-report")
    assert r.exit_code == 2
    assert "bad.toml: malformed TOML" in r.stderr
    r = run(
        "run", "--scenario", str(tmp_path / "missing.toml"), "--store", str(tmp_path / "s.duckdb")
    )
    assert r.exit_code == 2
    assert "cannot read" in r.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run("run", "--out", str(blocker / "sub"), "--store", str(tmp_path / "s.duckdb"))
    assert r.exit_code == 2
    assert "output folder" in r.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_store_that_is_not_duckdb(tmp_path):
    store = tmp_path / "s.duckdb"
    store.write_text("this is not a database")
    before = store.read_bytes()
    r = run("run", "--no-report", "--store", str(store))
    assert r.exit_code == 2
    assert "s.duckdb" in r.stderr
    assert store.read_bytes() == before


def test_locked_store(tmp_path):
    import subprocess
    import sys
    import time

    store = tmp_path / "s.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect(r'{store}'); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        time.sleep(0.2)
        r = run("run", "--no-report", "--store", str(store))
        assert r.exit_code == 2
        assert "locked by another process" in r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_unknown_run_id(tmp_path):
    store = tmp_path / "s.duckdb"
    assert run("run", "--no-report", "--store", str(store)).exit_code == 0
    for args in (
        ["runs", "show", "9"],
        ["runs", "delete", "9"],
        ["export", "9", "--csv", str(tmp_path / "c")],
    ):
        r = run(*args, "--store", str(store))
        assert r.exit_code == 2
        assert "no run with id 9" in r.stderr


def test_runs_show_reads_a_run_stored_before_todays_capital_was_kept(tmp_path):
    store = str(tmp_path / "s.duckdb")
    assert run("run", "--no-report", "--store", store, "--set", "years=4").exit_code == 0
    with duckdb.connect(store) as con:  # as an older version wrote it
        for column in ("stranded_peak_to_2026", "stranded_peak_to_2026_date"):
            con.execute(f"ALTER TABLE outcomes DROP COLUMN {column}")
        con.execute("DELETE FROM series WHERE variable LIKE '%_to_2026'")
    shown = run("runs", "show", "1", "--store", store, "--at", "2028Q4")
    assert shown.exit_code == 0, shown.output
    with duckdb.connect(store, read_only=True) as con:  # read, not migrated
        assert "stranded_peak_to_2026" not in {
            r[0] for r in con.execute("DESCRIBE outcomes").fetchall()
        }
    row = next(line for line in shown.stdout.splitlines() if "today's capital " in line)
    assert row.split()[2:] == ["-"] * 6  # not known: not "$0B", not "never"
    book = next(line for line in shown.stdout.splitlines() if "today's capital: book" in line)
    assert book.split()[3:] == ["-"] * 6
    assert "peak stranded value" in shown.stdout


def test_run_with_a_monte_carlo_section(tmp_path):
    from strandrisk.reports.figures import MC_FIGURES

    r = run(
        "run",
        "--mc",
        "60",
        "--out",
        str(tmp_path / "rep"),
        "--store",
        str(tmp_path / "s.duckdb"),
        "--set",
        "years=4",
        "--set",
        "capex.growth=0.05",
    )
    assert r.exit_code == 0, r.output
    html = (tmp_path / "rep" / "report.html").read_text()
    for key in MC_FIGURES:
        assert f'id="fig-{key}"' in html
    assert "Capex-at-Risk (its 95th percentile) is $" in html
    assert "programme&#x27;s NPV is negative in" in html
    assert "industry&#x27;s lowest annual DSCR falls below 1.2x in" in html
    assert "while its EBIT falls short of its interest in some year in" in html
    assert "valued alone) has a median peak stranded value of $" in html
    assert re.search(r"The 2026 cohorts earn for a median \d\.\d years \(P5-P95", html)
    assert "booked, shorter in" in html
    assert re.search(r"All 5 companies have been impaired \(IFRS\) by the end of 20\d\d in", html)
    assert "instead of drawn (--set): capex.growth." in html  # an uncertain key --set holds
    assert (
        run("run", "--mc", "3", "--no-report", "--store", str(tmp_path / "t.duckdb")).exit_code == 2
    )
    r = run("run", "--mc", "20", "--no-report", "--store", str(tmp_path / "t.duckdb"))
    assert r.exit_code == 2
    assert "--no-report writes none" in r.stderr


def test_run_reports_each_stage_and_keeps_driver_figures_whole(tmp_path):
    """The status line names each stage; on a terminal, "$4,212B" is not cut up by colour."""
    from rich.console import Console

    from strandrisk.cli import render
    from strandrisk.engine.compiled import kernel_cached
    from strandrisk.jobs import run_main_job

    stages = []
    job = run_main_job(
        sr.load_scenario("base"), out_dir=None, store_path=tmp_path / "r.duckdb", step=stages.append
    )
    first = [s.split(" ")[0] for s in stages]
    assert first == ["simulating", "ranking", "running", "depreciation", "recording"]
    assert stages[0].startswith("simulating base")
    assert kernel_cached() is True  # compiled and cached by now: no "first use" note next time
    console = Console(force_terminal=True, color_system="truecolor", width=200, record=True)
    console.print(render.run_summary(job))
    lines = [line for line in console.export_text(styles=True).splitlines() if "->" in line]
    assert len(lines) == 6  # the unit's peak stranded value, then today's capital's
    for line in lines:
        assert "\x1b" not in line, line  # plain text, not highlighted number by number


@pytest.mark.parametrize(("cached", "note"), [(False, "first use"), (True, ""), (None, "")])
def test_compile_note_only_when_the_kernels_are_known_to_be_uncompiled(monkeypatch, cached, note):
    from strandrisk import jobs

    monkeypatch.setattr(jobs, "kernel_cached", lambda: cached)
    assert note in jobs.compile_note()
    assert bool(jobs.compile_note()) == (cached is False)


def test_a_peak_in_the_last_quarter_is_marked_as_still_rising():
    from rich.console import Console

    from strandrisk.cli.render import outcome_table

    frame = sr.simulate(sr.load_scenario("base"), breakeven=False).outcomes
    texts = []
    for date in ("2035Q4", "2031Q2"):
        frame["stranded_peak_date"] = date
        console = Console(width=100, record=True)
        console.print(outcome_table(frame, last_quarter="2035Q4"))
        texts.append(console.export_text())
    assert "2035Q4 is the last quarter run: stranded value still rising" in texts[0]
    assert "still rising" not in texts[1]


def test_report_rebuilds_a_stored_run_and_says_whether_the_numbers_still_agree(tmp_path):
    store = tmp_path / "s.duckdb"
    assert (
        run("run", "--preset", "fibre-replay", "--no-report", "--store", str(store)).exit_code == 0
    )
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "rep"))
    assert r.exit_code == 0, r.output
    assert "the recomputed outcomes equal those stored with run 1" in r.stdout
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "strandrisk: scenario &#x27;fibre-replay&#x27;" in page
    assert f"rebuilt from run 1 of {store}" in page
    with duckdb.connect(str(store)) as con:  # as if the model had changed since the run
        con.execute("UPDATE outcomes SET stranded_peak = stranded_peak * 2")
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "rep2"))
    assert r.exit_code == 0
    assert "differ from those stored with run 1" in r.stderr
    assert (tmp_path / "rep2" / "report.html").is_file()
    for args, message in ((["9"], "no run with id 9"),):
        r = run("report", *args, "--store", str(store), "--out", str(tmp_path / "x"))
        assert r.exit_code == 2
        assert message in r.stderr
    r = run("report", "1", "--store", str(tmp_path / "none.duckdb"))
    assert r.exit_code == 2
    assert "no such run store" in r.stderr
    assert not (tmp_path / "none.duckdb").exists()
    assert not (tmp_path / "x").exists()


def test_runs_compare_shows_break_even_rates_as_changes_over_a_year(tmp_path):
    store = tmp_path / "s.duckdb"
    for preset in ("base", "base"):
        assert run("run", "--preset", preset, "--no-report", "--store", str(store)).exit_code == 0
    r = run("runs", "compare", "1", "2", "--store", str(store))
    assert r.exit_code == 0, r.output
    row = next(x for x in r.stdout.splitlines() if x.startswith("amazon     breakeven_price"))
    assert row.split()[2:] == ["-68%", "-68%", "+0", "pp"]  # a rate of 1.15 is a fall of 68 %


def test_report_of_a_run_whose_scenario_no_longer_loads(tmp_path):
    store = tmp_path / "s.duckdb"
    assert run("run", "--no-report", "--store", str(store)).exit_code == 0
    with duckdb.connect(str(store)) as con:  # as if made by a version with another parameter
        con.execute(
            "UPDATE runs SET scenario_toml = scenario_toml || '\\n[market]\\nold_knob = 1\\n'"
        )
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "rep"))
    assert r.exit_code == 2
    assert "run 1 of" in r.stderr
    assert "its scenario no longer loads" in r.stderr
    assert "the stored scenario" in r.stderr


def test_the_report_names_its_modelling_choices_and_the_fair_value_it_used(tmp_path):
    from strandrisk.jobs import run_main_job

    scenario = sr.load_scenario("base", overrides={"accounting.economic_obsolescence": True})
    run_main_job(scenario, out_dir=tmp_path, store_path=None)
    page = (tmp_path / "report.html").read_text()
    assert "capped at what the assets will earn: economic obsolescence" in page
    row = '<td class="text">accounting.economic_obsolescence</td><td class="text">true</td>'
    assert row in page
    assert '<td class="text">capex.path</td><td class="text">guided</td>' in page


def test_run_says_which_modelling_choices_differ_from_the_defaults(tmp_path):
    store = str(tmp_path / "s.duckdb")
    plain = run("run", "--no-report", "--store", store, "--set", "years=3")
    assert "Modelling choices away from the defaults" not in plain.stdout
    r = run(
        "run",
        "--no-report",
        "--store",
        store,
        "--set",
        "years=3",
        "--set",
        "accounting.economic_obsolescence=true",
        "--set",
        "capex.path=flat",
    )
    assert r.exit_code == 0, r.output
    line = " ".join(r.stdout.split())
    assert (
        "Modelling choices away from the defaults: capex.path = flat, "
        "accounting.economic_obsolescence = true" in line
    )


def test_report_rebuilds_a_stored_monte_carlo_page_with_the_figures_the_run_printed(tmp_path):
    import re

    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "300", "--seed", "4", "--sampler", "lhs", "--set", "years=4"]
    live = run(*args, "--store", str(store), "--out", str(tmp_path / "live"))
    assert live.exit_code == 0, live.output
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "again"))
    assert r.exit_code == 0, r.output
    assert "the first 200 scenarios recomputed equal those stored with run 1" in r.stdout
    a = (tmp_path / "live" / "mc.html").read_text()
    b = (tmp_path / "again" / "mc.html").read_text()

    def tables(page):
        return re.findall(r"<table>.*?</table>", page, re.S)

    assert tables(a) == tables(b)  # every summary from the stored rows: the same figures
    assert "(Latin hypercube, seed 4)" in b
    assert f"Rebuilt from run 1 of {store}" in b
    shown = run("runs", "show", "1", "--store", str(store))
    assert "sampler" in shown.stdout
    assert "lhs" in shown.stdout
    with duckdb.connect(str(store)) as con:  # as if the model had changed since the run
        con.execute("UPDATE outcomes SET npv_2026 = npv_2026 + 1e9 WHERE scenario = 0")
        con.execute("DROP TABLE mc_design")  # and as a store written before it existed
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "third"))
    assert r.exit_code == 0, r.output
    assert "differ from those stored with run 1" in " ".join(r.stderr.split())
    assert "(not recorded, seed 4)" in (tmp_path / "third" / "mc.html").read_text()


def test_run_at_a_quarter_prints_each_companys_position_in_the_terminal_json_and_report(
    tmp_path,
):
    args = ["run", "--company", "meta", "--horizon", "6", "--store", str(tmp_path / "s.duckdb")]
    result = run(*args, "--at", "2029q4", "--at", "2031Q2", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    position = sr.simulate(
        sr.load_scenario("base", {"years": 6}).with_companies(("meta",)), breakeven=False
    ).value_at("2031Q2")
    for quarter in ("2029Q4", "2031Q2"):
        assert f"At the end of {quarter}" in out
    block = out[out.index("At the end of 2031Q2") :]
    stranded = re.search(r"^stranded value +(\S+) +(\S+)$", block, re.M)
    assert stranded is not None, block
    expected = f"${position.loc['meta', 'stranded_value'] / 1e9:,.0f}B"
    assert stranded.group(1) == expected
    page = (tmp_path / "r" / "report.html").read_text()
    assert "Positions at chosen dates" in page
    assert "At the end of 2031Q2, $B" in page

    result = run(*args, "--no-report", "--json", "--at", "2031Q2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["company"] for r in data["outcomes"]] == ["meta", "industry"]
    got = data["at"]["2031Q2"]["meta"]
    assert set(got) == set(sr.VALUE_AT_COLUMNS)
    assert got["stranded_value"] == pytest.approx(position.loc["meta", "stranded_value"])

    result = run(*args, "--no-report", "--at", "2032Q1")
    assert result.exit_code == 2
    assert "--at 2032Q1: outside the horizon, 2026Q1 to 2031Q4" in result.output


def test_runs_show_and_report_read_a_stored_runs_position_at_a_quarter(tmp_path):
    store = str(tmp_path / "s.duckdb")
    args = ["--company", "oracle", "--horizon", "5", "--store", store]
    result = run("run", *args, "--no-report", "--at", "2030Q3")
    assert result.exit_code == 0, result.output
    printed = result.stdout[result.stdout.index("At the end of 2030Q3") :].split("\n\n")[0].strip()
    # from the stored series, without recomputing: the table the run printed
    shown = run("runs", "show", "1", "--store", store, "--at", "2030q3")
    assert shown.exit_code == 0, shown.output
    table = shown.stdout[shown.stdout.index("At the end of 2030Q3") :].split("\n\n")[0].strip()
    assert table == printed
    from strandrisk.engine.simulate import position_at
    from strandrisk.store.runs import RunStore, series_dataset

    again = series_dataset(RunStore(store).get(1).series)
    fresh = sr.simulate(
        sr.load_scenario("base", {"years": 5}).with_companies(("oracle",)), breakeven=False
    )
    pd.testing.assert_frame_equal(position_at(again, "2030Q3"), fresh.value_at("2030Q3"))

    rebuilt = run("report", "1", "--store", store, "--out", str(tmp_path / "r"), "--at", "2030Q3")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "At the end of 2030Q3, $B" in (tmp_path / "r" / "report.html").read_text()

    late = run("runs", "show", "1", "--store", store, "--at", "2031Q1")
    assert late.exit_code == 2
    assert "outside the horizon, 2026Q1 to 2030Q4" in late.output
    mc = run("mc", "--n", "12", "--set", "years=3", "--store", store)
    assert mc.exit_code == 0, mc.output
    for command in (["runs", "show", "2"], ["report", "2", "--out", str(tmp_path / "m")]):
        refused = run(*command, "--store", store, "--at", "2027Q1")
        assert refused.exit_code == 2
        assert "--at: run 2 is a mc run" in refused.output


def test_a_monte_carlo_run_stored_before_the_peak_quarters_rebuilds_without_them(tmp_path):
    import duckdb

    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "120", "--seed", "4", "--set", "years=3", "--store", str(store)]
    live = run(*args, "--out", str(tmp_path / "live"))
    assert live.exit_code == 0, live.output
    assert "When today's capital's stranded value peaks" in live.stdout
    assert "stranded value peaks (% of scenarios)" in (tmp_path / "live" / "mc.html").read_text()
    with duckdb.connect(str(store)) as con:  # as an earlier version stored it
        con.execute("UPDATE mc_design SET peak_dates = NULL")
        con.execute("UPDATE outcomes SET stranded_peak_to_2026_date = NULL")
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "again"))
    assert r.exit_code == 0, r.output
    assert "the first 120 scenarios recomputed equal those stored with run 1" in r.stdout
    page = (tmp_path / "again" / "mc.html").read_text()
    assert "stranded value peaks (% of scenarios)" not in page
    assert "Probability of a material impairment" in page


def test_a_stored_monte_carlo_run_keeps_which_years_capex_strands_for_its_page(tmp_path):
    import duckdb

    store = tmp_path / "s.duckdb"
    args = ["mc", "--n", "150", "--seed", "5", "--set", "years=3", "--company", "meta"]
    args += ["--capex-years", "--above", "stranded_peak=1.5e11"]
    live = run(*args, "--store", str(store), "--out", str(tmp_path / "live"))
    assert live.exit_code == 0, live.output
    page = (tmp_path / "live" / "mc.html").read_text()
    assert "capex strands (meta): each year&#x27;s cohorts valued alone" in page
    assert "peak stranded &gt; $150B" in page
    # the page shows what the run computed: the 2026 row, P50 in $B
    data = json.loads(run(*args, "--json").stdout)
    p50 = data["capex_years"]["meta"]["2026"]["p50"] / 1e9
    assert f'<td class="text">2026</td><td>{p50:,.1f}</td>' in page
    r = run("report", "1", "--store", str(store), "--out", str(tmp_path / "again"))
    assert r.exit_code == 0, r.output
    again = (tmp_path / "again" / "mc.html").read_text()
    tables = re.compile(r"<table>.*?</table>", re.S)
    # the sketches stored whole, the page's company and conditions with them
    assert tables.findall(again) == tables.findall(page)
    exported = run("export", "1", "--store", str(store), "--csv", str(tmp_path / "csv"))
    assert exported.exit_code == 0, exported.output
    years = pd.read_csv(tmp_path / "csv" / "capex_years.csv")
    assert list(years["company"].unique()) == ["amazon", "alphabet", "meta", "microsoft",
                                               "oracle", "industry"]  # fmt: skip
    for company in ("meta", "industry"):
        row = years[(years["company"] == company) & (years["capex_year"] == 2026)].iloc[0]
        shown = data["capex_years"][company]["2026"]
        assert row["p50"] == pytest.approx(shown["p50"], rel=1e-12)
        assert row["strands"] == pytest.approx(shown["strands"], rel=1e-12)

    plain = run("mc", "--n", "40", "--set", "years=3", "--store", str(store))  # run 2: none
    assert plain.exit_code == 0, plain.output
    r = run("report", "2", "--store", str(store), "--out", str(tmp_path / "plain"))
    assert "capex strands" not in (tmp_path / "plain" / "mc.html").read_text()
    assert run("runs", "delete", "1", "--store", str(store)).exit_code == 0
    with duckdb.connect(str(store)) as con:
        assert con.execute("SELECT count(*) FROM mc_sketches").fetchall() == [(0,)]
        con.execute("DROP TABLE mc_sketches")  # as a store written before it existed
    r = run("report", "2", "--store", str(store), "--out", str(tmp_path / "old"))
    assert r.exit_code == 0, r.output
