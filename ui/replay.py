"""
The replay controls every lesson that trains shares: the texts of the
figure's own play, pause and moment slider (which run in the browser, no
rerun per frame), and step-back / step-forward buttons that open the figure
one moment earlier or later (one rerun per click; the frames are cached).
"""

from __future__ import annotations

import streamlit as st

from lstm_core.figures import replay as replay_figures
from ui import state
from ui.i18n import t


def texts() -> dict:
    return {"play": t("replay.play"), "pause": t("replay.pause"), "moment": t("replay.moment")}


def labels(examples, total: int, experiment: str = "") -> list[str]:
    """The moments' slider labels; a rectangle model counts corner pairs (three a rectangle), and says so."""
    template = t("replay.label.rectangles" if experiment == "rectangles" else "replay.label")
    return replay_figures.moment_labels(examples, total, template)


def moment_ui(page: str, count: int, key: str = "") -> int:
    """Step buttons under a replay figure; returns the moment (snapshot index) the figure opens on.

    Call it before drawing the figure; its buttons go where `st.container` puts them. A new model or view
    (a different number of moments) opens on the last moment, the trained model.
    """
    name = state.moment(page + key)
    last = count - 1
    position = st.session_state.get(name)
    if not isinstance(position, tuple) or position[0] != count:
        position = (count, last)
    st.session_state[name] = position

    def move(by: int) -> None:
        total, at = st.session_state[name]
        st.session_state[name] = (total, min(max(at + by, 0), total - 1))

    back, forward, caption = st.columns([1, 1, 3], vertical_alignment="center")
    back.button(t("replay.back"), key=f"{name}_back", on_click=move, args=(-1,), disabled=position[1] <= 0,
                help=t("replay.back.help"), width="stretch")
    forward.button(t("replay.forward"), key=f"{name}_forward", on_click=move, args=(1,), disabled=position[1] >= last,
                   help=t("replay.forward.help"), width="stretch")
    caption.caption(t("replay.caption"))
    return st.session_state[name][1]


# -- live views: a lesson's main figure drawn from a training's latest snapshot (`widgets.trained_or_prompt`) ----
def sine_live(inputs, expected):
    """The test wave's prediction by the model as it is during its training."""
    from lstm_core import figures
    from lstm_core.experiments import sine

    return lambda model, seen, total: figures.sine_prediction_figure(
        inputs, expected, sine.prediction(model, inputs), title=t("replay.live", seen=seen, total=total))


def rectangles_live(widths, labels: list[str]):
    """The drawing from [0,0] and the completions by the model as it is during its training."""
    import numpy as np

    from lstm_core import figures
    from lstm_core.experiments import rectangles

    def draw(model, seen, total):
        free, completed, _ = rectangles.drawings(model, widths)
        return figures.rectangles_figure(np.concatenate([free[None], completed]), labels,
                                         title=t("replay.live", seen=seen, total=total))

    return draw


def cells_live(config):
    """The three cells' held-out errors as they are during their training."""
    from lstm_core.experiments import cells

    inputs, targets = cells.holdout(config)
    guess = cells.GUESS_MAE if config.task == "lag" else None

    def draw(model, seen, total):
        predictions = model.predict(inputs)
        errors = {cell: float(abs(predictions[cell] - targets).mean()) for cell in cells.CELLS}
        return replay_figures.errors_figure(errors, title=t("replay.live", seen=seen, total=total), guess=guess,
                                            error_title=t("cells.replay.error"))

    return draw
