"""Helpers shared by the AppTest page tests (tests/conftest.py has the fixtures and `open_page`).

The file name is unique across tests/ (tests/core has its own `helpers.py`): without `__init__.py`
files pytest imports test helpers by their bare module name.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re

HAN = re.compile(r"[\u4e00-\u9fff]")
WIDGET_KINDS = ("slider", "select_slider", "number_input", "radio", "selectbox", "toggle", "multiselect")


def charts(at) -> list:
    return at.get("plotly_chart")


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in charts(at)]


def chart_titles(at) -> list[str]:
    return [spec["layout"].get("title", {}).get("text", "") for spec in chart_specs(at)]


def trace_names(at) -> list:
    return [trace.get("name") for spec in chart_specs(at) for trace in spec["data"]]


def chart_texts(at) -> str:
    """Every title, axis title, trace name and annotation of the page's charts, as one string."""
    texts = []
    for spec in chart_specs(at):
        layout = spec["layout"]
        texts.append(layout.get("title", {}).get("text", ""))
        texts += [layout[k].get("title", {}).get("text", "") for k in layout if k.startswith(("xaxis", "yaxis"))]
        texts += [trace.get("name") or "" for trace in spec["data"]]
        texts += [a.get("text", "") for a in layout.get("annotations", [])]
    return "\n".join(texts)


def metrics(at) -> dict:
    """Metric label → shown value."""
    return {m.label: m.value for m in at.metric}


def deltas(at) -> list[str]:
    return [m.proto.delta for m in at.metric]


def widgets(at) -> dict:
    """Every keyed input widget of the page, by key (`key → (kind, widget)`)."""
    return {w.key: (kind, w) for kind in WIDGET_KINDS for w in at.get(kind) if w.key}


def widget_values(at) -> dict:
    """Every keyed input widget's value (lists and ranges as tuples)."""
    values = {}
    for key, (_, widget) in widgets(at).items():
        value = widget.value
        values[key] = tuple(value) if isinstance(value, (list, tuple)) else value
    return values


def prompts(at) -> list[str]:
    """The "not trained yet" prompts (English) among the page's info boxes."""
    return [info.value for info in at.info if "not trained yet" in info.value.lower()]


def trainings() -> int:
    """Trainings the app's shared Trainer has run since the caches were cleared."""
    from ui import cache

    return cache.trainer().trainings


@contextlib.contextmanager
def missing_texts(caplog):
    """Collect the i18n module's warnings (a text missing in the page's language) in the block; yields the list."""
    found: list = []
    with caplog.at_level(logging.WARNING, logger="ui.i18n"):
        start = len(caplog.records)
        yield found
        found.extend(r.getMessage() for r in caplog.records[start:] if r.name == "ui.i18n")


def set_widgets(at, **values) -> None:
    """Set widgets by key, whatever their kind (no run)."""
    found = widgets(at)
    for key, value in values.items():
        found[key][1].set_value(value)


def train_with(at, button: str, **values):
    """Set widgets by key, press the Train button `button` and check the run raised nothing."""
    set_widgets(at, **values)
    at.button(key=button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at
