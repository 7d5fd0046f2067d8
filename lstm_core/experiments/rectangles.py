"""
Chapter 11: a generative LSTM draws rectangles, in two framings.

The book's framing (`framing="book"`): `LSTM(10)` over one time step of two
features, then a linear `Dense(2)`, trained on corner → next corner pairs of
random rectangles. It draws one from `[0,0]` by feeding each predicted corner
back, three times, each a separate one-step call: only the point is passed
on, no LSTM state crosses from one corner to the next (the chapter notes
that this framing gives no backpropagation through time).

The sequence framing (`framing="sequence"`): the same rectangles, units and
initial weights, but each rectangle is one sequence of corners, `[0,0], p1,
p2 → p1, p2, p3`, for an `LSTM(return_sequences=True)` whose `Dense(2)`
predicts the next corner at every step from all the corners before it.
It draws step by step, feeding its own output back and carrying its state
`(h, c)` from corner to corner (`stepper`), so its third corner depends on
the first as well as the second.

The book judges the drawings by eye; we also measure them with the
rectangle-consistency error (`evaluate.py`): the drawing from `[0,0]` and
the completions from given first corners apart, and the worse of the two.

The book calls `fit` once per rectangle (25,000 calls of three pairs); we
make one `fit` call over the same rectangles in the same order, in batches
of ten rectangles (30 corner pairs, or ten sequences of three).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data, evaluate
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import ConfigError, Keyed, check_choice
from ..engine.experiment import Experiment, Recipe
from ..gates import sigmoid
from .scripts import rectangle_script
from .formulas import dense_parameters, lstm_parameters

BOOK_PARAMETERS = 542
STEPS_PER_EXECUTION = 250  # tuned in benchmarks/ (a test guards it)
FRAMINGS = ("book", "sequence")
PAIRS = 3  # corner → next corner pairs in one rectangle: the book framing's examples per rectangle
METRICS = {"free": "consistency_free", "completions": "consistency_completions", "consistency": "consistency"}


@dataclass(frozen=True)
class RectangleConfig(Keyed):
    """The generative LSTM of chapter 11 that draws rectangles.

    The defaults are the book's (LSTM(10) then Dense(2), 25,000 random
    rectangles seen once, three points each, in order) but trained in one
    `fit` call instead of one call per rectangle, in batches of 30 points (ten
    rectangles) with Adam at 1e-2 instead of the book's 3 at 1e-3: a tenth of
    the steps, and drawings at least as consistent (see `benchmarks/`).
    `framing` is `book` (one corner in, the next out, no state between
    corners) or `sequence` (the four corners as one sequence, the state
    carried from corner to corner; `batch_size` still counts corner pairs, so
    it must be a multiple of 3).
    """

    units: int = 10
    train_size: int = 25_000
    epochs: int = 1
    seed: int = 0
    batch_size: int = 30
    learning_rate: float = 1e-2
    framing: str = "book"

    experiment = "rectangles"

    def __post_init__(self):
        self.check_training()
        check_choice("framing", self.framing, FRAMINGS)
        if self.framing == "sequence" and self.batch_size % PAIRS:
            raise ConfigError("batch_size", f"batch_size counts corner pairs: with framing sequence it must be a "
                                            f"multiple of {PAIRS}, whole rectangles (got {self.batch_size})")

    def slug(self) -> str:
        framing = "-sequence" if self.framing == "sequence" else ""
        return f"u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}{framing}"


def build(config: RectangleConfig):
    """Book: LSTM(`units`) over one step of 2 features, then a linear Dense(2): (1, 2) → 2. Sequence: the same
    layers (and initial weights) over any number of corners, Dense(2) at every step: (steps, 2) → (steps, 2)."""
    keras = _keras()
    sequence = config.framing == "sequence"
    inputs = keras.Input(shape=(None, 2) if sequence else (1, 2), name="corners" if sequence else "corner")
    hidden = keras.layers.LSTM(config.units, return_sequences=sequence, name="lstm_1",
                               **seeds.recurrent(config.seed, 0))(inputs)
    return inputs, keras.layers.Dense(2, activation="linear", name="dense", **seeds.dense(config.seed))(hidden)


def training_data(config: RectangleConfig):
    """The same rectangles in both framings: 3 pairs each (book), or one sequence `[0,0], p1, p2 → p1, p2, p3`."""
    rectangles = data.random_rectangles(config.train_size, data.rng(config.seed))
    if config.framing == "sequence":
        return rectangles[:, :3].astype(np.float32), rectangles[:, 1:].astype(np.float32)
    return data.rectangle_pairs(rectangles)


def recipe(config: RectangleConfig) -> Recipe:
    # A sequence holds the three pairs of one rectangle: batch_size / 3 sequences make the same updates' data.
    batch = config.batch_size // PAIRS if config.framing == "sequence" else config.batch_size
    return Recipe(loss="mae", optimizer="adam", learning_rate=config.learning_rate, batch_size=batch,
                  epochs=config.epochs, steps_per_execution=STEPS_PER_EXECUTION)


def batch_rectangles(config: RectangleConfig) -> int:
    """Rectangles in one batch, in either framing (the book's batch counts corner pairs, three a rectangle)."""
    return config.batch_size // PAIRS


def rectangles_seen(config: RectangleConfig, examples) -> np.ndarray:
    """Training examples seen (corner pairs in the book framing, sequences in the other) as rectangles seen."""
    return np.asarray(examples, dtype=np.int64) // (1 if config.framing == "sequence" else PAIRS)


def curve(trained) -> list:
    """The training loss as `[rectangles seen, loss]` pairs."""
    found = np.asarray(trained.curve, dtype=float).reshape(-1, 2)
    return [[int(x), float(y)] for x, y in zip(rectangles_seen(trained.config, found[:, 0]), found[:, 1])]


def next_points(trained):
    """The book framing's model as a function: points (k, 2) → next points (k, 2)."""
    return lambda points: trained.predict(np.asarray(points, dtype=np.float32).reshape(-1, 1, 2)).reshape(-1, 2)


def stepper(trained):
    """The model as one step of drawing: `(points (k, 2), state) → (next points (k, 2), state)`.

    The book framing's step carries no state (`evaluate.one_to_one`). The sequence framing's runs the LSTM
    equations (`gates.py`, Keras order i, f, c, o) on its weights for one corner, from the state `(h, c)` the
    corners before left (zeros at the start), and hands the new state on.
    """
    if trained.config.framing != "sequence":
        return evaluate.one_to_one(next_points(trained))
    kernel, recurrent, bias = (np.asarray(w, dtype=np.float64) for w in trained.model.get_layer("lstm_1").get_weights())
    weights, offset = (np.asarray(w, dtype=np.float64) for w in trained.model.get_layer("dense").get_weights())

    def step(points, state):
        x = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        h, c = state if state is not None else (np.zeros((len(x), len(recurrent))),) * 2
        z_i, z_f, z_c, z_o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=1)
        c = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
        h = sigmoid(z_o) * np.tanh(c)
        return h @ weights + offset, (h, c)

    return step


def drawings(trained, widths=evaluate.EVALUATION_WIDTHS) -> tuple:
    """`(free drawing (4, 2), completions (k, 4, 2), consistency errors (1 + k,))`."""
    step = stepper(trained)
    free, completed = evaluate.free_drawing(step), evaluate.completions(step, widths)
    return free, completed, evaluate.consistency_errors(np.concatenate([free[None], completed]))


def score(trained) -> dict:
    free, completed, _ = drawings(trained)
    found = evaluate.rectangle_scores(np.concatenate([free[None], completed]))
    return {METRICS[name]: value for name, value in found.items()}


def scores(trained) -> dict:
    """`{free, completions, consistency}` of a trained model: its stored metrics, computed again if it has none
    of them (an entry stored before they existed)."""
    if all(metric in trained.metrics for metric in METRICS.values()):
        return {name: float(trained.metrics[metric]) for name, metric in METRICS.items()}
    return {name: score(trained)[metric] for name, metric in METRICS.items()}


def comparison(found: dict) -> list[tuple[str, dict]]:
    """What the two framings' scores say, as sentence parts `(key, fields)`, from `found[framing] = scores(...)`.

    First the headline (`better`: the framing with the lower consistency error, lower by more than 5%, or
    `same`), then the drawing from `[0,0]` (`free.better` or `free.same`) and the completions
    (`completions.better` or `completions.same`). `winner` and `loser` are framing ids; `a` the winner's
    error (or the book's, if the same) and `b` the other's, as `evaluate.format_error` writes them.
    """
    parts = []
    for name, prefix in (("consistency", ""), ("free", "free."), ("completions", "completions.")):
        book, sequence = found["book"][name], found["sequence"][name]
        winner, loser = ("sequence", "book") if sequence < book else ("book", "sequence")
        low, high = min(book, sequence), max(book, sequence)
        if low < high * 0.95:
            parts.append((prefix + "better", {"winner": winner, "loser": loser, "a": evaluate.format_error(low),
                                              "b": evaluate.format_error(high)}))
        else:
            parts.append((prefix + "same", {"a": evaluate.format_error(book), "b": evaluate.format_error(sequence)}))
    return parts


def comparison_sentence(found: dict, text) -> str:
    """The sentence of `comparison` in one language: `text(key, **fields)` gives a catalogue's text (the page
    passes `ui.i18n.t`); the keys are `rectangles.compare.<part>`, the framings' names
    `rectangles.framing.name.<framing>`."""
    def named(fields):
        return {k: text(f"rectangles.framing.name.{v}") if k in ("winner", "loser") else v for k, v in fields.items()}

    return "".join(text(f"rectangles.compare.{key}", **named(fields)) for key, fields in comparison(found))


def describe(config: RectangleConfig) -> str:
    framing = ", sequence framing" if config.framing == "sequence" else ""
    return (f"rectangles {config.train_size:,} rectangles, {config.units} units, "
            f"{config.epochs} epoch{'s' if config.epochs > 1 else ''}, seed {config.seed}{framing}")


def layers(config: RectangleConfig) -> list[dict]:
    steps = (None,) if config.framing == "sequence" else ()
    return [{"layer": "lstm_1", "output_shape": (None, *steps, config.units),
             "parameters": lstm_parameters(2, config.units)},
            {"layer": "dense", "output_shape": (None, *steps, 2), "parameters": dense_parameters(config.units, 2)}]


def script(config: RectangleConfig) -> str:
    return rectangle_script(config, recipe(config))


EXPERIMENT = Experiment(
    name="rectangles", config=RectangleConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="consistency", script=script, layers=layers)
