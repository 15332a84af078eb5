"""The figures docs/languages.md gives for reading residents' suggestions hold (batch
2026-12v; ``python -m tests.voice_scores`` prints them)."""

from __future__ import annotations

import pytest

from tests.voice_scores import DEV, HELDOUT, LANGS, score

# (kind, false) per language, at least: the held-out part's figures as measured after tuning
# on the development part, and the development part's own.
HELDOUT_AT_LEAST = {
    "sv": (5, 2),
    "en": (5, 2),
    "fi": (4, 2),
    "ar": (4, 2),
    "fa": (3, 2),
    "so": (4, 2),
    "pl": (4, 2),
}
DEV_AT_LEAST = {"sv": 14, "en": 11, "fi": 8, "ar": 8, "fa": 6, "so": 7, "pl": 6}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_suggestions_are_read(lang: str) -> None:
    figures = score(HELDOUT, lang).figures
    kind, false = HELDOUT_AT_LEAST[lang]
    assert figures["kind"].right >= kind, f"{lang} kind {figures['kind']}"
    assert figures["false"].right >= false, f"{lang} false {figures['false']}"


@pytest.mark.parametrize("lang", LANGS)
def test_development_suggestions_are_read(lang: str) -> None:
    figures = score(DEV, lang).figures
    assert figures["kind"].right >= DEV_AT_LEAST[lang], f"{lang} kind {figures['kind']}"
    assert figures["false"].right == figures["false"].total  # nothing else taken for one
