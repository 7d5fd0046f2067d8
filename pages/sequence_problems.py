"""
Lesson: sequence problems (book chapter 1 and the course notes).

Three parts. The four types of sequence problem of chapter 1, each with its
unrolled diagram, the book's example and the lesson of this app that is of
that type. The input/output shapes of the course notes (one-to-one up to
many-to-many with unequal lengths), with the same diagram: which steps take
an input, which produce an output, which outputs enter the loss. And one of
chapter 1's limits of a multilayer perceptron, tried for real: an MLP on a
fixed window and an LSTM, trained on the same damped-sine waves, tested on
sequences shorter and longer than the window. A preset menu sets up one
problem type, or the MLP on a test wave longer than its window.

The problem types and shapes keep their English names as options (they are
the values kept in the link, the same in every language); in another
language each option has its translated name as a caption.
"""

import streamlit as st

from lstm_core import concept_figures, presets
from lstm_core.config import max_epochs, max_train_size, max_units
from lstm_core.problems import PROBLEMS, SHAPES, TEST_LENGTHS, WindowConfig, text_id, unrolled
from ui import cache, params, widgets
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

DEFAULT = WindowConfig  # the field defaults
TRAIN_SIZES = [256, 512, 1_024, 2_048, 4_096, 8_192]
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
URL_PARAMETERS = [
    params.whole_number("steps", 2, 8, 5),
    params.whole_number("window", 10, 100, DEFAULT.window),
    params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.choice("train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("seed", 0, 10_000, DEFAULT.seed),
    params.whole_number("test_length", TEST_LENGTHS[0], TEST_LENGTHS[-1], 30),
    params.whole_number("period", 5, 40, 15),
    params.number("decay", 0.0, 0.2, 0.05),
]


def problem_name(name: str) -> str:
    return t(f"sequence_problems.problem.{text_id(name)}")


def shape_name(shape: str) -> str:
    return t(f"sequence_problems.shape.{text_id(shape)}")


def captions(options, name) -> list | None:
    """The translated names under the (English) options, or None when they would only repeat them."""
    translated = [name(option) for option in options]
    return None if translated == list(options) else translated


def diagram_title(diagram) -> str:
    key = "sequence_problems.unrolled.one" if diagram.steps == 1 else "sequence_problems.unrolled"
    return t(key, shape=shape_name(diagram.shape), steps=diagram.steps)


def problem_types_ui():
    st.header(t("sequence_problems.types"))
    st.caption(t("sequence_problems.types.caption"))
    name = st.radio(
        t("sequence_problems.problem"), list(PROBLEMS), key="problem", horizontal=True, bind="query-params",
        captions=captions(PROBLEMS, problem_name), help=t("sequence_problems.problem.help"))
    steps = st.slider(t("sequence_problems.steps"), 2, 8, 5, key="steps", bind="query-params",
                      help=t("sequence_problems.steps.help"))
    problem = PROBLEMS[name]
    about = f"sequence_problems.problem.{text_id(name)}"
    diagram = unrolled(problem.shape, steps, output_steps=max(2, steps - 2), feedback=problem.feedback)
    left, right = st.columns([3, 2])
    title = t("sequence_problems.type_title", name=problem_name(name), shape=shape_name(problem.shape))
    left.plotly_chart(figure(concept_figures.unrolled_figure(diagram, title=title)))
    with right:
        st.markdown(f"**{t(about + '.description')}**")
        st.markdown(t("sequence_problems.example", input=problem.example_input, output=problem.example_output))
        st.markdown(t("sequence_problems.applications", applications=t(about + ".applications")))
        st.markdown(t("sequence_problems.ours", text=t(about + ".ours")))
    return steps


def shapes_ui(steps: int):
    st.header(t("sequence_problems.shapes"))
    st.caption(t("sequence_problems.shapes.caption"))
    shape = st.radio(
        t("sequence_problems.shape"), SHAPES, index=2, key="shape", horizontal=True, bind="query-params",
        captions=captions(SHAPES, shape_name), help=t("sequence_problems.shape.help"))
    feedback = st.toggle(t("sequence_problems.feedback"), key="feedback", help=t("sequence_problems.feedback.help"))
    diagram = unrolled(shape, steps, output_steps=max(2, steps - 2), feedback=feedback)
    left, right = st.columns([3, 2])
    left.plotly_chart(figure(concept_figures.unrolled_figure(diagram, title=diagram_title(diagram))))
    about = f"sequence_problems.shape.{text_id(shape)}"
    fed_back = t("sequence_problems.counts.fed_back", count=sum(diagram.fed_back)) if any(diagram.fed_back) else ""
    with right:
        st.markdown(t("sequence_problems.notes_example", text=t(about + ".example")))
        st.markdown(t("sequence_problems.ours", text=t(about + ".ours")))
        st.markdown(t("sequence_problems.counts", inputs=sum(diagram.inputs), steps=diagram.steps, fed_back=fed_back,
                      outputs=sum(diagram.outputs), loss=sum(diagram.loss), links=diagram.recurrent_links))


def window_model_ui():
    with st.sidebar.form("window_model"):
        st.header(t("sequence_problems.model"))
        window = st.slider("window", 10, 100, DEFAULT.window, step=5, key="window", bind="query-params",
                           help=t("sequence_problems.window.help"))
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="units",
                          bind="query-params", help=t("sequence_problems.units.help"))
        train_size = st.select_slider(t("sequence_problems.train_size"), _SIZES,
                                      min(DEFAULT.train_size, _SIZES[-1]), key="train_size",
                                      bind="query-params", help=t("sequence_problems.train_size.help"))
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="epochs", bind="query-params", help=t("sequence_problems.epochs.help"))
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help=t("sequence_problems.seed.help"))
        pressed = st.form_submit_button(t("sequence_problems.train"), type="primary", key="window_train",
                                        help=t("sequence_problems.train.help"))
    return dict(window=window, units=units, train_size=train_size, epochs=epochs, seed=int(seed)), pressed


def test_wave_ui():
    st.sidebar.header(t("sequence_problems.test_wave"))
    length = st.sidebar.slider(
        t("sequence_problems.test_length"), TEST_LENGTHS[0], TEST_LENGTHS[-1], 30, step=5, key="test_length",
        bind="query-params", help=t("sequence_problems.test_length.help"))
    period = st.sidebar.slider("period", 5, 40, 15, key="period", bind="query-params",
                               help=t("sequence_problems.period.help"))
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="decay",
                              bind="query-params", help=t("sequence_problems.decay.help"))
    return length, period, decay


def seen_text(window: int, length: int) -> str:
    """What the MLP gets of a test wave of `length` values."""
    if length < window:
        return t("sequence_problems.seen.padded", zeros=window - length, length=length)
    if length > window:
        return t("sequence_problems.seen.cut", window=window, length=length)
    return t("sequence_problems.seen.whole")


def window_results_ui(result, config, length, period, decay):
    at_window = int(list(result.lengths).index(config.window)) if config.window in result.lengths else None
    left, middle, right = st.columns(3)
    if at_window is not None:
        left.metric(t("sequence_problems.mlp_error", window=config.window), f"{result.mlp_errors[at_window]:.4f}")
        middle.metric(t("sequence_problems.lstm_error", window=config.window), f"{result.lstm_errors[at_window]:.4f}")
    right.metric(t("sequence_problems.seconds"), f"{result.fit.seconds:.1f} s",
                 t("sequence_problems.compiled" if result.fit.compiled else "sequence_problems.reused"),
                 delta_color="off")
    if result.fit.diverged:
        st.error(t("sequence_problems.diverged", message=result.fit.divergence_message()))
    errors = concept_figures.curves_figure(
        result.lengths, {"mlp": result.mlp_errors, "lstm": result.lstm_errors},
        labels={"mlp": t("sequence_problems.mlp_label"), "lstm": t("sequence_problems.lstm_label")},
        title=t("sequence_problems.errors"), x_title=t("sequence_problems.errors.x"),
        y_title=t("sequence_problems.errors.y"))
    errors.add_vline(x=config.window, line={"dash": "dot", "color": "#888"})
    errors.add_annotation(x=config.window, y=1.02, yref="paper", text=t("sequence_problems.window_mark"),
                          showarrow=False)
    st.plotly_chart(figure(errors))
    inputs, expected, predicted = cache.window_example(config, length, period, decay)
    st.plotly_chart(figure(concept_figures.forecast_figure(
        inputs, expected, predicted, labels={"mlp": "MLP", "lstm": "LSTM"},
        title=t("sequence_problems.example_wave", length=length, period=period, decay=decay,
                seen=seen_text(config.window, length)))))
    st.plotly_chart(figure(concept_figures.curves_figure(
        result.fit.examples, {"mlp": result.fit.losses["mlp"], "lstm": result.fit.losses["lstm"]},
        labels={"mlp": "MLP", "lstm": "LSTM"}, title=t("sequence_problems.loss"),
        x_title=t("sequence_problems.loss.x"), y_title=t("sequence_problems.loss.y"), log_y=True, height=320)))


def window_ui():
    st.header(t("sequence_problems.window"))
    st.markdown(t("sequence_problems.window.intro"))
    values, pressed = window_model_ui()
    length, period, decay = test_wave_ui()
    config = widgets.config_or_stop(WindowConfig, **values)
    result = widgets.experiment_or_prompt(
        cache.window_comparison, config, pressed, page="sequence_problems", what=t("sequence_problems.what"),
        spinner=t("sequence_problems.spinner"))
    if result is not None:
        window_results_ui(result, config, length, period, decay)


st.title(t("sequence_problems.title"))
st.caption(t("sequence_problems.caption"))
params.check(URL_PARAMETERS)
preset_ui("sequence_problems", presets.SEQUENCE_PROBLEMS)
shown_steps = problem_types_ui()
shapes_ui(shown_steps)
window_ui()
