"""Environmental impacts of one generation, computed offline with EcoLogits.

EcoLogits (``ecologits.tracers.utils.llm_impacts``) models the *generation* of output tokens on
the provider's hardware: energy, greenhouse-gas emissions (GWP), water and abiotic resources,
usage plus embodied share. Its model data ships inside the PyPI package, so nothing is
downloaded at run time. The electricity mix is France's (``FRA``) unless told otherwise.

Input tokens: EcoLogits counts output tokens only (the prefill of the prompt is not modelled).
AVEC records the prompt tokens beside every impact but does not convert them into energy, so
the figures are a lower bound of the true impact, and the journal keeps what is needed to
revise them when a model of prefill becomes available.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

#: Electricity mix used by default (France, low-carbon mix).
DEFAULT_MIX = "FRA"

_INPUT_TOKENS_NOTE = (
    "EcoLogits ne modélise que les jetons générés : les jetons d'entrée sont comptés à part "
    "et non convertis, les impacts sont donc un minimum."
)


@dataclass(frozen=True, slots=True)
class Impacts:
    """Impacts of one request; each value is the midpoint of EcoLogits' range when it gives one.

    Attributes:
        energy_kwh: electricity used by the generation.
        gwp_kgco2eq: greenhouse-gas emissions (usage and embodied).
        water_l: water consumption footprint (usage), None when EcoLogits gives none.
        adpe_kgsbeq: abiotic depletion (elements).
        energy_kwh_min, energy_kwh_max: the range behind ``energy_kwh``.
        output_tokens: tokens converted into impacts.
        input_tokens: tokens recorded but not converted (see the module docstring).
        mix: electricity mix zone.
    """

    energy_kwh: float
    gwp_kgco2eq: float
    water_l: float | None
    adpe_kgsbeq: float | None
    energy_kwh_min: float
    energy_kwh_max: float
    output_tokens: int
    input_tokens: int
    mix: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (journal, API extension field)."""
        out = asdict(self)
        out["note"] = _INPUT_TOKENS_NOTE
        return out


def _bounds(value: Any) -> tuple[float, float]:
    """``(min, max)`` of an EcoLogits value, which is either a number or a ``RangeValue``."""
    if hasattr(value, "min") and hasattr(value, "max"):
        return float(value.min), float(value.max)
    return float(value), float(value)


def _mid(value: Any) -> float | None:
    if value is None:
        return None
    lo, hi = _bounds(value)
    return (lo + hi) / 2


def estimate(
    provider: str,
    model: str,
    *,
    output_tokens: int,
    latency_seconds: float,
    input_tokens: int = 0,
    mix: str = DEFAULT_MIX,
) -> Impacts | None:
    """Impacts of one generation, or None when EcoLogits does not know the model.

    Args:
        provider: EcoLogits provider name (``mistralai``, ``openai``, ``huggingface_hub``...).
        model: model name as EcoLogits knows it (``mistral-small-latest``...).
        output_tokens: generated tokens (completion tokens).
        latency_seconds: request duration, used by EcoLogits to bound the generation time.
        input_tokens: prompt tokens, recorded only (EcoLogits has no model for them).
        mix: electricity mix zone (ISO 3166-1 alpha-3, ``WOR`` for the world average).
    """
    if output_tokens <= 0 or not provider or not model:
        return None
    try:
        from ecologits.tracers.utils import llm_impacts
    except ImportError:  # optional at run time: impacts are then simply not computed
        return None
    # EcoLogits logs each unknown model as an error; the gateway reports it once, its own way.
    logging.getLogger("ecologits").setLevel(logging.CRITICAL)
    try:
        out = llm_impacts(
            provider, model, output_tokens, max(latency_seconds, 1e-3), electricity_mix_zone=mix
        )
    except Exception:  # a model-data problem must never break a request
        return None
    energy, gwp = getattr(out, "energy", None), getattr(out, "gwp", None)
    if getattr(out, "errors", None) or energy is None or gwp is None:
        return None
    e_lo, e_hi = _bounds(energy.value)
    wcf = getattr(out, "wcf", None)
    adpe = getattr(out, "adpe", None)
    return Impacts(
        energy_kwh=(e_lo + e_hi) / 2,
        gwp_kgco2eq=_mid(gwp.value) or 0.0,
        water_l=_mid(wcf.value) if wcf is not None else None,
        adpe_kgsbeq=_mid(adpe.value) if adpe is not None else None,
        energy_kwh_min=e_lo,
        energy_kwh_max=e_hi,
        output_tokens=output_tokens,
        input_tokens=input_tokens,
        mix=mix,
    )


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters per token) when the upstream gives none."""
    return max(1, round(len(text) / 4)) if text else 0
