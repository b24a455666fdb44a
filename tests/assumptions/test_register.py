"""The shipped register: complete provenance, hand-checked derived rows, fitted rates."""

import math

import pytest

from strandrisk import load_register
from strandrisk.assumptions.schema import DISTRIBUTIONS, KINDS
from strandrisk.units import UNITS


@pytest.fixture(scope="module")
def reg():
    return load_register()


def test_every_row_has_provenance_and_a_known_unit(reg):
    assert len(reg) > 300
    for rec in reg.values():
        assert rec.source, rec.name
        assert rec.unit in UNITS, rec.name
        assert rec.kind in KINDS
        assert math.isfinite(rec.value), rec.name
        if rec.kind == "assumption":
            assert rec.note, rec.name
        if rec.kind == "derived":
            assert rec.formula, rec.name
        if rec.low is not None:
            assert rec.low <= rec.value * (1 + 1e-9) + 1e-12
            assert rec.value <= rec.high * (1 + 1e-9) + 1e-12
            assert rec.distribution in DISTRIBUTIONS


def test_all_three_kinds_are_present(reg):
    assert {r.kind for r in reg.values()} == set(KINDS)


def test_article_facts_by_section(reg):
    # section 1: the guidance table with its ranges
    assert reg["capex_2026_guidance_alphabet"].low == 175
    assert reg["capex_2026_guidance_alphabet"].high == 185
    assert reg["capex_2026_guidance_meta"].low == 125
    assert reg["capex_2026_guidance_meta"].high == 145
    assert reg.value("capex_2026_big4_ft") == 725e9
    assert reg.value("debt_issuance_projected") == 1.5e12
    # sections 2, 4, 5, 6
    assert reg["gpt4_class_input_price_2026"].low == 0.07
    assert reg["gpt35_level_price_decline_stated"].value == 280
    assert reg["deepseek_v4_pro_active_parameters"].canonical_value == 49e9
    assert reg["arm_rack_cores_liquid"].value == 45696
    assert reg["tco_3y_a100_server"].canonical_value == 43_000


def test_derived_rows_match_hand_calculations(reg):
    assert reg["capex_2026_guidance_big4_sum"].value == pytest.approx(200 + 180 + 135 + 190)
    assert reg["capex_2026_guidance_big4_sum"].low == pytest.approx(200 + 175 + 125 + 190)
    assert reg["capex_2026_guidance_five_sum"].high == pytest.approx(200 + 185 + 145 + 190 + 50)
    assert reg["ai_capex_2026_implied"].value == pytest.approx(725 * 0.75)
    assert reg["economic_depreciation_rate_epoch"].value == pytest.approx(0.14 * math.log(10))
    assert reg["h100_power_per_gpu"].value == pytest.approx(10.2 / 8 / 0.7)  # kW
    assert reg["llama3_70b_weights_4bit"].value == pytest.approx(35.0)  # GB
    assert reg["arm_memory_channel_rate_required"].value == pytest.approx(800e9 / 12 / 8 / 1e6)
    shares = [reg[f"capex_share_{c}"].value for c in ("compute", "network", "facilities")]
    assert sum(shares) == pytest.approx(1.0)
    server = 23238.0 * 1.64  # 2025 H100 geomean (sqrt(20k x 27k)) x server multiple
    assert reg["server_cost_per_accelerator"].value == pytest.approx(server, rel=1e-4)
    assert reg["network_cost_per_accelerator"].value == pytest.approx(
        server * 0.19 / 0.81, rel=1e-4
    )


def test_rows_from_data_sets(reg):
    assert reg["unit_price_h100_2022"].low == 30000
    assert reg["unit_price_h100_2022"].high == 45000
    assert reg["unit_price_h100_2024"].value == pytest.approx(math.sqrt(23000 * 30000), rel=1e-5)
    q = reg["purchases_h100e_nvidia_microsoft_2022q1"]
    assert (q.value, q.low, q.high) == (14769, 8717, 24931)  # Epoch median, p5, p95
    assert reg["rental_price_h100_on_demand_2023"].value == pytest.approx(
        4.76
    )  # public-facts median
    assert reg["chip_h100_sxm_tdp"].canonical_value == pytest.approx(700e-6)  # MW
    owners = {n.split("_")[3] for n in reg if n.startswith("purchases_h100e_nvidia_")}
    assert owners == {"microsoft", "meta", "amazon", "google", "oracle"}


def test_fixed_capability_price_decline_spans_the_articles_9_to_900x(reg):
    rec = reg["llm_price_decline_epoch_median"]
    assert 1 / rec.high == pytest.approx(9.24, rel=0.01)  # HumanEval >= GPT-3.5 Turbo: slowest
    assert 1 / rec.low == pytest.approx(851, rel=0.01)  # GPQA >= GPT-4o: fastest


def test_default_rates_are_fits_with_their_intervals(reg):
    doubling = reg["gpu_price_performance_doubling_fit"]
    assert doubling.kind == "derived"
    assert "fit_rate" in reg["gpu_price_performance_rate_fit"].formula
    assert 2.3 < doubling.value < 2.9  # public facts: 229 GPUs, 0.116 OOM/yr -> 2.59 y
    assert doubling.low < doubling.value < doubling.high
    decline = reg["h100_rental_decline_rate_fit"]
    assert 0.0 < decline.low < decline.value < decline.high


def test_select_and_hash(reg):
    assert all(r.kind == "assumption" for r in reg.select(kind="assumption"))
    assert {r.name for r in reg.select(search="ORACLE")} >= {"useful_life_servers_oracle"}
    assert reg.sha256() == load_register().sha256()
    assert len(reg.sha256()) == 64


def test_article_price_series_matches_the_register(reg):
    from strandrisk.io.datasets import read_dataset

    table = read_dataset("article_gpt4_class_price")
    prices = dict(zip(table["date"].str.slice(0, 7), table["price_usd_per_mtok"], strict=True))
    assert float(prices["2023-03"]) == reg["gpt4_class_input_price_2023_03"].value
    assert float(prices["2024-05"]) == reg["gpt4_class_input_price_2024_05"].value
    assert float(prices["2025-04"]) == reg["gpt4_class_input_price_2025_04"].value
