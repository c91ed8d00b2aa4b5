"""EcoLogits impacts, offline."""

from __future__ import annotations

from avec.impact import estimate, estimate_tokens


def test_known_model_gives_positive_impacts() -> None:
    got = estimate(
        "mistralai", "mistral-small-latest", output_tokens=200, latency_seconds=2.0, input_tokens=900
    )
    assert got is not None
    assert got.energy_kwh > 0 and got.gwp_kgco2eq > 0 and got.mix == "FRA"
    assert got.energy_kwh_min <= got.energy_kwh <= got.energy_kwh_max
    data = got.to_dict()
    assert data["input_tokens"] == 900 and "jetons d'entrée" in data["note"]


def test_more_output_tokens_cost_more() -> None:
    small = estimate("openai", "gpt-4o-mini", output_tokens=10, latency_seconds=1)
    big = estimate("openai", "gpt-4o-mini", output_tokens=1000, latency_seconds=10)
    assert small is not None and big is not None and big.energy_kwh > small.energy_kwh


def test_unknown_model_or_no_tokens_gives_none() -> None:
    assert estimate("mistralai", "no-such-model", output_tokens=10, latency_seconds=1) is None
    assert estimate("mistralai", "mistral-small-latest", output_tokens=0, latency_seconds=1) is None
    assert estimate("", "", output_tokens=10, latency_seconds=1) is None


def test_token_estimate() -> None:
    assert estimate_tokens("") == 0 and estimate_tokens("abcd" * 10) == 10
