"""
Lesson: sequence problems (book chapter 1 and the course notes).

Three parts. The four types of sequence problem of chapter 1, each with its
unrolled diagram, the book's example and the lesson of this app that is of
that type. The input/output shapes of the course notes (one-to-one up to
many-to-many with unequal lengths), with the same diagram: which steps take
an input, which produce an output, which outputs enter the loss. And one of
chapter 1's limits of a multilayer perceptron, tried for real: an MLP on a
fixed window and an LSTM, trained on the same damped-sine waves, tested on
sequences shorter and longer than the window.
"""

import streamlit as st

from lstm_core import concept_figures
from lstm_core.config import max_epochs, max_train_size, max_units
from lstm_core.problems import PROBLEMS, SHAPE_NOTES, SHAPES, TEST_LENGTHS, WindowConfig, unrolled
from ui import cache, params, widgets
from ui.frame import require_app

require_app()

DEFAULT = WindowConfig  # the field defaults
TRAIN_SIZES = [256, 512, 1_024, 2_048, 4_096, 8_192]
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
URL_PARAMETERS = [
    params.whole_number("steps", 2, 8, 5),
    params.whole_number("window", 10, 100, DEFAULT.window),
    params.whole_number("window_units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.choice("window_train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("window_epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("window_seed", 0, 10_000, DEFAULT.seed),
    params.whole_number("test_length", TEST_LENGTHS[0], TEST_LENGTHS[-1], 30),
    params.whole_number("window_period", 5, 40, 15),
    params.number("window_decay", 0.0, 0.2, 0.05),
]


def problem_types_ui():
    st.header("Four kinds of sequence problem")
    st.caption("Book chapter 1. In a set the order of the examples does not matter; in a sequence it does, "
               "and it must be kept when training and when predicting.")
    name = st.radio(
        "problem type", list(PROBLEMS), key="problem", horizontal=True, bind="query-params",
        help="Pick one of chapter 1's four types. The diagram shows its usual shape unrolled over time: "
             "look at which steps take an input (grey, below), which produce an output (vermilion, above) "
             "and which outputs are compared with an expected value in the loss (blue).")
    steps = st.slider(
        "time steps shown", 2, 8, 5, key="steps", bind="query-params",
        help="How many time steps the diagrams are unrolled over. The same cell (the same weights) is used "
             "at every step; only its state changes.")
    problem = PROBLEMS[name]
    diagram = unrolled(problem.shape, steps, output_steps=max(2, steps - 2), feedback=problem.feedback)
    left, right = st.columns([3, 2])
    left.plotly_chart(concept_figures.unrolled_figure(diagram, title=f"{name}: {problem.shape}"))
    with right:
        st.markdown(f"**{problem.description}**")
        st.markdown(f"The book's example: `{problem.example_input}` → `{problem.example_output}`")
        st.markdown("Applications: " + ", ".join(problem.applications) + ".")
        st.markdown(f"**In this app:** {problem.ours}")
    return steps


def shapes_ui(steps: int):
    st.header("Inputs and outputs: the shapes of a recurrent network")
    st.caption("The course notes: Tx input steps, Ty output steps, and Tx and Ty need not be equal.")
    shape = st.radio(
        "input/output shape", SHAPES, index=2, key="shape", horizontal=True, bind="query-params",
        help="One-to-one is a plain network; one-to-many generates; many-to-one reads a sequence and answers "
             "once; many-to-many answers at every step (equal lengths) or reads everything first and then "
             "writes (unequal lengths, an encoder and a decoder). Watch which outputs enter the loss.")
    feedback = st.toggle(
        "feed each output back as the next input (generation)", key="feedback",
        help="At generation time a model can take its own previous output as its next input (dashed arrows), "
             "as the rectangle model does when it draws. Shapes without a free input step do not change.")
    diagram = unrolled(shape, steps, output_steps=max(2, steps - 2), feedback=feedback)
    left, right = st.columns([3, 2])
    left.plotly_chart(concept_figures.unrolled_figure(diagram))
    example, ours = SHAPE_NOTES[shape]
    with right:
        st.markdown(f"**Example from the notes:** {example}")
        st.markdown(f"**In this app:** {ours}")
        st.markdown(
            f"- steps taking an input: **{sum(diagram.inputs)}** of {diagram.steps}"
            f"{f' (+{sum(diagram.fed_back)} fed back)' if any(diagram.fed_back) else ''}\n"
            f"- steps producing an output: **{sum(diagram.outputs)}**\n"
            f"- outputs in the loss: **{sum(diagram.loss)}**\n"
            f"- state passed from step to step: **{diagram.recurrent_links}** times")


def window_model_ui():
    with st.sidebar.form("window_model"):
        st.header("MLP vs LSTM")
        window = st.slider("window", 10, 100, DEFAULT.window, step=5, key="window", bind="query-params",
                           help="How many past values the MLP reads (its number of inputs), and the length of "
                                "every training wave. Test lengths other than this are where the MLP struggles.")
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="window_units",
                          bind="query-params",
                          help="Neurons in each of the MLP's two hidden layers, and memory cells of the LSTM.")
        train_size = st.select_slider("training waves", _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="window_train_size", bind="query-params",
                                      help="Random damped sine waves (periods 10-20, decays 0.01-0.1) both "
                                           "models are trained on, in the same order.")
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="window_epochs", bind="query-params", help="Passes over the training waves.")
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="window_seed", bind="query-params",
                               help="Same seed, same waves and initial weights: the same two models.")
        pressed = st.form_submit_button("Train", type="primary", key="window_train",
                                        help="Train both models (a few seconds; the first time a window or "
                                             "units value is used, about 10 s more to compile).")
    return dict(window=window, units=units, train_size=train_size, epochs=epochs, seed=int(seed)), pressed


def test_wave_ui():
    st.sidebar.header("Test wave")
    length = st.sidebar.slider(
        "test length", TEST_LENGTHS[0], TEST_LENGTHS[-1], 30, step=5, key="test_length", bind="query-params",
        help="How many values of the test wave the models read. Shorter than the window: the MLP gets zeros "
             "in front; longer: it only sees the last `window` values. The LSTM reads them all.")
    period = st.sidebar.slider("period", 5, 40, 15, key="window_period", bind="query-params",
                               help="Steps per oscillation of the test wave (training used 10 to 20).")
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="window_decay",
                              bind="query-params", help="How fast the test wave dies out (training used 0.01 to 0.1).")
    return length, period, decay


def window_results_ui(result, config, length, period, decay):
    at_window = int(list(result.lengths).index(config.window)) if config.window in result.lengths else None
    left, middle, right = st.columns(3)
    if at_window is not None:
        left.metric(f"MLP error at its window ({config.window})", f"{result.mlp_errors[at_window]:.4f}")
        middle.metric(f"LSTM error at {config.window}", f"{result.lstm_errors[at_window]:.4f}")
    right.metric("training time", f"{result.fit.seconds:.1f} s",
                 "compiled now" if result.fit.compiled else "compiled model reused", delta_color="off")
    if result.fit.diverged:
        st.error(f"Training failed: {result.fit.divergence_message()}.")
    figure = concept_figures.curves_figure(
        result.lengths, {"mlp": result.mlp_errors, "lstm": result.lstm_errors},
        labels={"mlp": "MLP (padded or cut to its window)", "lstm": "LSTM (reads the whole sequence)"},
        title="Held-out error as the test sequence gets shorter or longer", x_title="test sequence length",
        y_title="mean absolute error (200 waves)")
    figure.add_vline(x=config.window, line={"dash": "dot", "color": "#888"})
    figure.add_annotation(x=config.window, y=1.02, yref="paper", text="window", showarrow=False)
    st.plotly_chart(figure)
    inputs, expected, predicted = cache.window_example(config, length, period, decay)
    if length < config.window:
        seen = f"the MLP sees {config.window - length} zeros, then the {length} values"
    elif length > config.window:
        seen = f"the MLP sees only the last {config.window} of the {length} values"
    else:
        seen = "both see the whole wave"
    st.plotly_chart(concept_figures.forecast_figure(
        inputs, expected, predicted, labels={"mlp": "MLP", "lstm": "LSTM"},
        title=f"A test wave of {length} values (period {period}, decay {decay:.3f}): {seen}"))
    st.plotly_chart(concept_figures.curves_figure(
        result.fit.examples, {"mlp": result.fit.losses["mlp"], "lstm": result.fit.losses["lstm"]},
        labels={"mlp": "MLP", "lstm": "LSTM"}, title="Training loss (MAE)", x_title="training waves seen",
        y_title="mean absolute error", log_y=True, height=320))


def window_ui():
    st.header("Why not a multilayer perceptron on a window?")
    st.markdown(
        "Chapter 1 lists five limits of an MLP on sequences: it is **stateless**, it does not know the "
        "**order** of its inputs (time steps are just features), its inputs grow **messily** with several "
        "parallel series, and its **input and output sizes are fixed**. Here is the fixed input, tried for "
        "real: an MLP reading a window of values and an LSTM, trained on the same damped sine waves, then "
        "tested on sequences of other lengths. Chapter 1 also says a windowed MLP is a fair baseline: "
        "compare them at the window itself.")
    values, pressed = window_model_ui()
    length, period, decay = test_wave_ui()
    config = widgets.config_or_stop(WindowConfig, **values)
    result = widgets.experiment_or_prompt(
        cache.window_comparison, config, pressed, page="sequence_problems", what="The MLP and the LSTM are",
        spinner="Training the MLP and the LSTM side by side…")
    if result is not None:
        window_results_ui(result, config, length, period, decay)


st.title("Sequence problems")
st.caption("What goes in, what comes out, and why an MLP on a fixed window is not enough (book chapter 1, "
           "course notes).")
params.check(URL_PARAMETERS)
shown_steps = problem_types_ui()
shapes_ui(shown_steps)
window_ui()
