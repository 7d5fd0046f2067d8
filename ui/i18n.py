"""
Every piece of UI text in English and in Simplified Chinese.

The strings live in one catalogue per language (`ui/catalogues.py`:
`ui/locales/en.json` and `ui/locales/en/*.json`, the same for `zh`), with
the same keys (a test checks it). Pages ask for
text with `t("sine.title")` or, with values, `t("sine.mae", mae=0.021)`
(`str.format` fields). The language is the sidebar's choice, bound to the
URL as `lang=en` or `lang=zh`, so a shared link opens in its language.
"""

from __future__ import annotations

import logging
from functools import cache
import streamlit as st

from ui import catalogues, state

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
log = logging.getLogger(__name__)


@cache
def catalogue(language: str) -> dict:
    """The strings of one language, from its JSON files."""
    return catalogues.read(language)


def language() -> str:
    """The language chosen in the sidebar (or the URL), English by default."""
    chosen = st.session_state.get(state.LANGUAGE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def has(key: str) -> bool:
    """True if the English catalogue (the reference) has `key`."""
    return key in catalogue(DEFAULT_LANGUAGE)


def t(key: str, **values) -> str:
    """The text of `key` in the current language, formatted with `values`."""
    strings = catalogue(language())
    text = strings.get(key)
    if text is None:  # a missing translation falls back to English rather than breaking a lesson
        log.warning("i18n: no %s text for %r", language(), key)
        text = catalogue(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def language_ui() -> str:
    """The language switch, bound to the URL (`?lang=zh`)."""
    # No format_func: a bound selectbox writes its option's label to the URL, and the link must say lang=zh.
    return st.sidebar.radio(
        "Language / 语言", list(LANGUAGES), key=state.LANGUAGE, bind="query-params", horizontal=True,
        captions=list(LANGUAGES.values()),
        help="en = English, zh = 简体中文 (Simplified Chinese); kept in the link you share.")


def figure(fig):
    """Translate a Plotly figure's fixed texts (titles, axis titles, legend names, annotations).

    `lstm_core` draws its figures in English; a text of the figure that has a
    key `fig.<English text>` in the catalogues is replaced by its translation.
    Texts made with values (a title with the period in it) are passed in
    already translated by the page. The figure is changed in place, as its
    dicts (a server's figures are dicts already: `figures.base.Prebuilt`).
    """
    if language() == DEFAULT_LANGUAGE:
        return fig
    from lstm_core.figures.base import Prebuilt

    strings = catalogue(language())

    def translate(parent: dict | None, key: str) -> None:
        if isinstance(parent, dict) and isinstance(parent.get(key), str) and parent[key]:
            parent[key] = strings.get(f"fig.{parent[key]}", parent[key])

    fig = fig if isinstance(fig, Prebuilt) else Prebuilt(fig.to_dict())
    layout = fig.spec["layout"]
    translate(layout.get("title"), "text")
    for axis in [value for key, value in layout.items() if key.startswith(("xaxis", "yaxis"))]:
        translate(axis.get("title") if isinstance(axis, dict) else None, "text")
    for trace in fig.spec["data"]:
        translate(trace, "name")
    for annotation in layout.get("annotations") or ():
        translate(annotation, "text")
    return fig
