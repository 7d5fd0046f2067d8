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

from lstm_core import presets
from lstm_core.experiments import WindowConfig
from lstm_core.experiments.window import TEST_LENGTHS
from lstm_core.figures import concepts as concept_figures
from lstm_core.problems import PROBLEMS, SHAPES, text_id, unrolled
from ui import cache, controls, params, widgets
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

TRAIN_SIZES = (256, 512, 1_024, 2_048, 4_096, 8_192)
MODEL_FIELDS = ("window", "units", "train_size", "epochs", "seed")


def page_controls() -> dict:
    """The page's controls, by key (widgets, link parameters and presets all read these)."""
    return {
        "problem": controls.choice("problem", tuple(PROBLEMS), next(iter(PROBLEMS)), kind="radio"),
        "steps": controls.slider("steps", 2, 8, 5),
        "shape": controls.choice("shape", SHAPES, "many-to-one", kind="radio"),
        "feedback": controls.Control("feedback", "toggle", False, bound=False),
        "window": controls.slider("window", 10, 100, WindowConfig.window, step=5),
        **controls.training(WindowConfig, TRAIN_SIZES, most_epochs=20),
        "test_length": controls.slider("test_length", TEST_LENGTHS[0], TEST_LENGTHS[-1], 30, step=5),
        **controls.wave(),
    }


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


def problem_types_ui(declared: dict):
    st.header(t("sequence_problems.types"))
    st.caption(t("sequence_problems.types.caption"))
    name = declared["problem"].widget(t("sequence_problems.problem"), t("sequence_problems.problem.help"),
                                      horizontal=True, captions=captions(PROBLEMS, problem_name))
    steps = declared["steps"].widget(t("sequence_problems.steps"), t("sequence_problems.steps.help"))
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


def shapes_ui(steps: int, declared: dict):
    st.header(t("sequence_problems.shapes"))
    st.caption(t("sequence_problems.shapes.caption"))
    shape = declared["shape"].widget(t("sequence_problems.shape"), t("sequence_problems.shape.help"),
                                     horizontal=True, captions=captions(SHAPES, shape_name))
    feedback = declared["feedback"].widget(t("sequence_problems.feedback"), t("sequence_problems.feedback.help"))
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


def window_model_ui(declared: dict):
    with st.sidebar.form("window_model"):
        st.header(t("sequence_problems.model"))
        values = {key: declared[key].widget(t("sequence_problems.train_size") if key == "train_size" else key,
                                            t(f"sequence_problems.{key}.help")) for key in MODEL_FIELDS}
        pressed = st.form_submit_button(t("sequence_problems.train"), type="primary", key="window_train",
                                        help=t("sequence_problems.train.help"))
    return values, pressed


def test_wave_ui(declared: dict):
    st.sidebar.header(t("sequence_problems.test_wave"))
    length = declared["test_length"].widget(t("sequence_problems.test_length"),
                                            t("sequence_problems.test_length.help"), st.sidebar)
    period = declared["period"].widget("period", t("sequence_problems.period.help"), st.sidebar)
    decay = declared["decay"].widget("decay", t("sequence_problems.decay.help"), st.sidebar)
    return length, period, decay


def seen_text(window: int, length: int) -> str:
    """What the MLP gets of a test wave of `length` values."""
    if length < window:
        return t("sequence_problems.seen.padded", zeros=window - length, length=length)
    if length > window:
        return t("sequence_problems.seen.cut", window=window, length=length)
    return t("sequence_problems.seen.whole")


def window_results_ui(trained, config, length, period, decay):
    result = cache.view(config)
    at_window = int(list(result.lengths).index(config.window)) if config.window in result.lengths else None
    left, middle, right = st.columns(3)
    if at_window is not None:
        left.metric(t("sequence_problems.mlp_error", window=config.window), f"{result.mlp_errors[at_window]:.4f}")
        middle.metric(t("sequence_problems.lstm_error", window=config.window), f"{result.lstm_errors[at_window]:.4f}")
    right.metric(t("sequence_problems.seconds"), f"{trained.seconds:.1f} s", widgets.source_text(trained),
                 delta_color="off")
    if result.fit.diverged:
        st.error(t("sequence_problems.diverged", message=result.fit.divergence_message()))
    errors = concept_figures.curves_figure(
        result.lengths, {"mlp": result.mlp_errors, "lstm": result.lstm_errors},
        labels={"mlp": t("sequence_problems.mlp_label"), "lstm": t("sequence_problems.lstm_label")},
        title=t("sequence_problems.errors"), x_title=t("sequence_problems.errors.x"),
        y_title=t("sequence_problems.errors.y"), mark=(config.window, t("sequence_problems.window_mark")))
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


def window_ui(declared: dict):
    st.header(t("sequence_problems.window"))
    st.markdown(t("sequence_problems.window.intro"))
    values, pressed = window_model_ui(declared)
    length, period, decay = test_wave_ui(declared)
    config = widgets.config_or_stop(WindowConfig, **values)
    trained = widgets.trained_or_prompt(config, pressed,
                                        prompt=t("widgets.experiment_prompt", what=t("sequence_problems.what")))
    if trained is not None:
        window_results_ui(trained, config, length, period, decay)


st.title(t("sequence_problems.title"))
st.caption(t("sequence_problems.caption"))
declared = page_controls()
params.check(controls.parameters(declared.values()))
preset_ui("sequence_problems", presets.SEQUENCE_PROBLEMS, declared)
shown_steps = problem_types_ui(declared)
shapes_ui(shown_steps, declared)
window_ui(declared)
