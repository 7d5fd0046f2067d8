"""
The UI texts as plain JSON, read without Streamlit (the tests read them too).

A language's catalogue is `ui/locales/<language>.json` plus every
`ui/locales/<language>/*.json` (one file per newer lesson or feature, so
texts live beside each other by subject). A key may be defined once only.
"""

from __future__ import annotations

import json
from pathlib import Path

LOCALES = Path(__file__).resolve().parent / "locales"


def languages() -> list[str]:
    return sorted(path.stem for path in LOCALES.glob("*.json"))


def read(language: str) -> dict:
    """Every text of `language`; ValueError if two files define one key."""
    merged: dict = {}
    for path in [LOCALES / f"{language}.json", *sorted((LOCALES / language).glob("*.json"))]:
        strings = json.loads(path.read_text(encoding="utf-8"))
        repeated = merged.keys() & strings.keys()
        if repeated:
            raise ValueError(f"{path} repeats keys defined before it: {', '.join(sorted(repeated))}")
        merged.update(strings)
    return merged
