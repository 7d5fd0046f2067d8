"""
What a training will cost, before it starts: its work, and the seconds that
work takes on this machine. The Trainer uses it to refuse a training over the
teacher's budget (`LSTM_EXPLORER_MAX_TRAINING_SECONDS`), to start shorter
trainings first, and to tell a queued student how long the wait is.

Plain Python (no TensorFlow): a page calls it on every request.

The work of a training (`work`), from its configuration alone:

- *FLOPs*: every recurrent layer (LSTM, GRU or SimpleRNN, with `i` inputs and
  `u` units) multiplies a `[batch, i + u]` matrix by its weights at every time
  step: 2 FLOPs per weight (`formulas.cell_parameters`) per example and step;
  training costs about three times the forward pass (forward, then the
  gradients of the inputs and of the weights), as in
  `benchmarks/efficiency.py`. Dense layers count once per example. So
  FLOPs ≈ 6 × weights × time steps × examples × epochs.
- *cell steps*: a recurrent layer's time steps run one after the other, and on
  a CPU a small LSTM step costs more in latency than in arithmetic, so the
  number of sequential (batch, time step, layer) steps counts on its own:
  batches × epochs × time steps × recurrent layers; and so does their *width*
  (`width_steps`: each step's `i + u`, the columns of the matrix it
  multiplies, summed): a step's latency grows with its width, not with the
  batch, and a stacked layer's step (`i = u`) is wider than the first's.
- *updates*: each optimizer step (one a batch) costs a fixed time beside its
  cell steps (the optimizer's update, the gradient norm, the recorded losses).
- *calls*: the engine runs a recipe's `steps_per_execution` steps per call
  into its compiled loop (`engine/loop.py`), and each call costs the host time
  (the block of batches, the callback that records the losses and
  snapshots): the concept lessons, with a few steps a call, pay it; the sine
  and rectangle lessons, with a hundred and more, hardly.

Seconds = overhead (data, building and scoring the model: `OVERHEAD`, by
experiment) + FLOPs / `RATE` + cell steps × `STEP_SECONDS` + width ×
`WIDTH_STEP_SECONDS` + updates × `UPDATE_SECONDS` + calls × `CALL_SECONDS`
(without XLA, as the explode and through-time lessons and the tests train:
`EAGER_STEP_SECONDS` a cell step and `EAGER_UPDATE_SECONDS` an update instead),
and `COMPILE_SECONDS` per recurrent layer the first time a server trains an
architecture. The constants are fitted by `benchmarks/cost_model.py`, which
trains a grid of configurations over the sizes a class can ask for (the sine
lesson's units, depth and both recipes, and every other lesson that trains)
on this 2-core server, warm, and prints each one's estimated and measured
seconds, the constants that fit them best and the ratios they give: take the
figures from its output, not from here. A model of the FLOPs and cell steps
alone, its constants taken from one model (the sine default), was far under
the time of wide models and of one-step ones: the benchmark prints the best
fit of that form beside this one's.

Calibration: a machine other than the one measured, or the same one under a
class's load, is faster or slower by some factor. `Calibration` keeps the
ratio measured / estimated seconds of the last trainings (the Trainer feeds
it every training it runs that did not compile: a compile's seconds, and the
first training of a process, which also starts TensorFlow's runtime, vary
too much) and its running median scales every estimate, so the estimates
become this server's own after a few trainings. The uncalibrated estimate's
target is ±30% of the measured seconds of every training of the benchmark's
grid on this machine (it prints whether that is met); tests check that a
calibrated one is within 3× of a real training's, and that the estimates of a
narrow and of a wide model scale as their trainings do.
"""

from __future__ import annotations

import math
import statistics
import threading
from collections import deque
from dataclasses import dataclass

from .config import ConfigError

# The machine constants: the mean of two runs' fits of benchmarks/cost_model.py on this 2-core server (see above).
RATE = 35.5e9  # FLOP/s of a training step's matmuls
STEP_SECONDS = 5.4e-6  # latency of one (batch, time step, recurrent layer) step with XLA ...
WIDTH_STEP_SECONDS = 0.099e-6  # ... and what it grows by per column of the step's [batch, i + u] matrix
UPDATE_SECONDS = 9.2e-6  # one optimizer step (batch) beside its cell steps
CALL_SECONDS = 9.2e-3  # one call into the engine's loop of `steps_per_execution` (> 1) steps, the host's side
EAGER_STEP_SECONDS = 44e-6  # a step's latency without XLA ...
EAGER_UPDATE_SECONDS = 2.0e-3  # ... and an optimizer step's (one call each: the lessons without XLA run one a call)
OVERHEAD_SECONDS = 0.3  # data, building the model, scoring it: an experiment not in `OVERHEAD`
# Each experiment's: its data, building and scoring (the cells lesson replays its ~30 snapshots for errors and
# input gradients, forecasting scores three strategies, the window lesson trains an MLP beside its LSTM).
OVERHEAD = {"sine": 0.071, "rectangles": 0.06, "window": 0.435, "cells": 0.49, "forecast": 0.29,
            "bidirectional": 0.15, "encoderdecoder": 0.15, "explode": 0.065, "throughtime": 0.05}
COMPILE_SECONDS = 1.5  # per recurrent layer, the first training of an architecture with XLA (README: cold - warm)
EAGER_COMPILE_SECONDS = 0.3  # the same without XLA (tracing the step)

ENVIRONMENT = "LSTM_EXPLORER_MAX_TRAINING_SECONDS"


class TooCostly(ConfigError):
    """A training over the teacher's budget: refused before it starts (the field is `training`)."""

    def __init__(self, seconds: float, limit: float):
        super().__init__("training", (
            f"this training would take about {seconds:,.0f} s on this server; the teacher's limit is "
            f"{limit:,.0f} s ({ENVIRONMENT}): lower units, training examples or epochs"))
        self.seconds = seconds
        self.limit = limit


@dataclass(frozen=True)
class Layer:
    """One recurrent layer: its cell, inputs per step and units; `steps` if it runs over other than the
    model's input steps (an encoder-decoder's decoder runs over the output's)."""

    cell: str
    inputs: int
    units: int
    steps: int | None = None


@dataclass(frozen=True)
class Shape:
    """What a model computes per example: its recurrent layers, their time steps, its dense weights
    (`dense` once per example, `dense_per_step` at every step); `per_item`: examples per unit of `train_size`
    (the book's rectangles: three corner pairs a rectangle)."""

    layers: tuple
    steps: int
    dense: int = 0
    dense_per_step: int = 0
    per_item: int = 1


def _stack(cell: str, inputs: int, units: int, depth: int) -> list:
    return [Layer(cell, inputs if level == 0 else units, units) for level in range(depth)]


def shape(config) -> Shape:
    """The recurrent layers and time steps of `config`'s model, from its fields (the models' `build`s; a
    test checks the weights against the built models). An experiment not listed here is read from the fields
    most configurations have: `units`, `depth` (1), `features` (1), `length` or `window` (1)."""
    name = getattr(config, "experiment", "")
    units = int(getattr(config, "units", 1))
    if name == "sine":
        return Shape(tuple(_stack("LSTM", 1, units, config.depth)), config.length, dense=units * config.output)
    if name == "rectangles":  # the book's framing: pairs of one step; the sequence framing: the three at once
        sequence = getattr(config, "framing", "book") == "sequence"
        return Shape((Layer("LSTM", 2, units),), 3 if sequence else 1, dense=0 if sequence else units * 2,
                     dense_per_step=units * 2 if sequence else 0, per_item=1 if sequence else 3)
    if name == "bidirectional":  # an LSTM, and a Bidirectional's forward and backward LSTMs, over the wave
        return Shape(tuple(Layer("LSTM", 2, units) for _ in range(3)), config.length, dense=3 * units * config.gap)
    if name == "encoderdecoder":  # encoder over Tx, decoder over Ty; beside them the per-step LSTM over Tx
        return Shape((Layer("LSTM", 1, units), Layer("LSTM", units, units, steps=config.output_steps),
                      Layer("LSTM", 1, units)), config.input_steps,
                     dense=units * config.output_steps, dense_per_step=units * config.output_steps)
    if name == "throughtime":
        return Shape((Layer("SimpleRNN", config.features, units),), config.length, dense=units)
    if name == "window":
        mlp = config.window * units + units * units + units * config.output
        return Shape((Layer("LSTM", 1, units),), config.window, dense=mlp + units * config.output)
    if name == "cells":
        return Shape(tuple(Layer(cell, config.features, units) for cell in ("SimpleRNN", "GRU", "LSTM")),
                     config.length, dense=3 * units * config.outputs)
    if name == "explode":
        return Shape((Layer(config.cell, 1, units),), config.length, dense=units * 5)
    if name == "forecast":
        layers = tuple(layer for _ in range(3) for layer in _stack("LSTM", 1, units, config.depth))
        return Shape(layers, config.length, dense=units * (1 + config.horizon), dense_per_step=units * config.horizon)
    steps = getattr(config, "length", None) or getattr(config, "window", None) or 1
    return Shape(tuple(_stack("LSTM", int(getattr(config, "features", 1)), units, int(getattr(config, "depth", 1)))),
                 int(steps))


def weights(layer: Layer) -> int:
    from ..experiments.formulas import cell_parameters  # plain Python: the layer table's formulas

    return cell_parameters(layer.cell, layer.inputs, layer.units)


@dataclass(frozen=True)
class Work:
    """A training's work: FLOPs (matmuls, forward and backward), sequential cell steps and their width (each
    step's inputs + units, summed), optimizer steps (`updates`), calls into the engine's loop of several steps
    (`calls`), recurrent layers."""

    flops: float
    cell_steps: int
    layers: int
    jit: bool = True
    overhead: float = OVERHEAD_SECONDS
    width_steps: int = 0
    updates: int = 0
    calls: int = 0

    def seconds(self, *, compile: bool = False) -> float:
        """The estimated seconds of this work on the measured machine (uncalibrated)."""
        if self.jit:
            steps = (self.cell_steps * STEP_SECONDS + self.width_steps * WIDTH_STEP_SECONDS
                     + self.updates * UPDATE_SECONDS)
        else:
            steps = self.cell_steps * EAGER_STEP_SECONDS + self.updates * EAGER_UPDATE_SECONDS
        compiling = self.layers * (COMPILE_SECONDS if self.jit else EAGER_COMPILE_SECONDS) if compile else 0.0
        return self.overhead + compiling + self.flops / RATE + steps + self.calls * CALL_SECONDS


def steps_per_call(config) -> int:
    """The optimizer steps Keras runs per call into the compiled step: the experiment's recipe's
    `steps_per_execution` (1 for an experiment the registry does not know)."""
    from .. import experiments  # plain Python: the registry's configurations and recipes

    try:
        experiment = experiments.of(config)
    except TypeError:  # not a registered experiment's configuration (a test's own)
        return 1
    return max(1, int(experiment.recipe(config).steps_per_execution))


def work(config, *, batch_size: int | None = None, epochs: int | None = None, jit: bool = True,
         steps_per_execution: int | None = None) -> Work:
    """The work of training `config` for `epochs` (default: all of its epochs) in batches of `batch_size`
    (default: the configuration's, else 32), `steps_per_execution` steps a call (default: its recipe's);
    `jit` says whether the step is compiled with XLA."""
    model = shape(config)
    examples = int(getattr(config, "train_size", 1)) * model.per_item
    epochs = int(getattr(config, "epochs", 1)) if epochs is None else int(epochs)
    batch = max(1, int(batch_size or getattr(config, "batch_size", 32)))
    per_call = max(1, int(steps_per_execution or steps_per_call(config)))
    used = max(batch, examples - examples % batch)  # whole batches only (engine.fit)
    batches = used // batch  # an epoch's optimizer steps
    steps = [layer.steps or model.steps for layer in model.layers]
    recurrent = sum(weights(layer) * count for layer, count in zip(model.layers, steps))
    per_example = recurrent + model.dense + model.dense_per_step * model.steps
    flops = 6.0 * per_example * used * epochs  # 2 FLOPs a weight, ×3 for forward + backward
    width = sum((layer.inputs + layer.units) * count for layer, count in zip(model.layers, steps))
    overhead = OVERHEAD.get(getattr(config, "experiment", ""), OVERHEAD_SECONDS)
    calls = -(-batches // per_call) * epochs if per_call > 1 else 0  # Keras runs a single step without its loop
    return Work(flops=flops, cell_steps=batches * epochs * sum(steps), layers=len(model.layers), jit=jit,
                overhead=overhead, width_steps=batches * epochs * width, updates=batches * epochs, calls=calls)


def estimate(config, **options) -> float:
    """Uncalibrated seconds to train `config` on the measured machine, warm (see `work`)."""
    return work(config, **options).seconds()


class Calibration:
    """This server's speed against the measured one: the running median of measured / estimated seconds.

    `add(estimated, measured)` records one finished training; `factor` is the median of the last `window`
    ratios (in log space, so 2× slower and 2× faster weigh the same), counting the benchmark itself as one
    more ratio of 1, so that a single odd training (the first in a process pays TensorFlow's start) does not
    move it far. Each ratio is clamped to [1/`clamp`, `clamp`]. Thread-safe.
    """

    def __init__(self, window: int = 15, clamp: float = 10.0):
        self.clamp = clamp
        self._ratios: deque = deque(maxlen=window)
        self._lock = threading.Lock()

    def add(self, estimated: float, measured: float) -> None:
        if not (estimated > 0 and measured > 0 and math.isfinite(estimated) and math.isfinite(measured)):
            return
        ratio = min(max(measured / estimated, 1 / self.clamp), self.clamp)
        with self._lock:
            self._ratios.append(math.log(ratio))

    @property
    def samples(self) -> int:
        return len(self._ratios)

    @property
    def factor(self) -> float:
        with self._lock:
            logs = [0.0, *self._ratios]
        return math.exp(statistics.median(logs))

    def seconds(self, estimated: float) -> float:
        """`estimated` (uncalibrated) seconds as this server's."""
        return estimated * self.factor
