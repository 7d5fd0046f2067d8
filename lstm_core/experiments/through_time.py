"""
The exploding and vanishing gradient through time, measured on a SimpleRNN.

The course notes: backpropagated through time, the gradient is multiplied at
every step back by the same recurrent weights, so it can shrink or grow
exponentially with the distance; an exploding gradient makes the weights
huge and the loss NaN, and gradient clipping is the remedy. Here the teacher
sets how large the recurrent weights are and the class sees both.

A SimpleRNN, h_t = tanh(x_t W + h_{t-1} U + b), starts from U = `scale` · Q,
Q a seeded orthogonal matrix, so every direction of h is stretched by exactly
`scale` at each step, before tanh. Going back from the last step T to step k,

    ∂h_T/∂h_k = ∏_{j=k+1..T} diag(1 − h_j²) Uᵀ,

a product of T − k matrices whose spectral norm (the most any direction of
h_k is amplified) is at most `scale`^(T−k), since tanh's slope 1 − h² is at
most 1. Below scale 1 the product must vanish exponentially; above it, it can
grow, by less than the bound where tanh saturates. `hidden_jacobian_norms`
measures it with automatic differentiation (`tf.GradientTape`) for a batch
of held-out sequences; a test checks it against the product of Jacobians
(`stepper.simple_rnn_jacobian_norms`).

Then the model is trained on the cells lesson's lag task with the longest
lag a sequence allows: the value to output is marked at the first step, so
the gradient that teaches it crosses every step. Plain SGD (so the size of
the gradient is the size of the step) with a mean squared error, once
without clipping and once with `clipnorm`: Keras then rescales the gradient
of each weight array to a norm of at most `clipnorm`, so no weight array
moves more than `learning_rate · clipnorm` in one step. The engine records
the loss and the gradient norm before clipping at every step; a loss that
overflows stops the training at that step and is shown, not refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_float, check_int
from ..engine.experiment import Experiment, Recipe
from ..evaluate import mean_absolute_error
from .cells import GUESS_MAE, HOLDOUT_SEED, HOLDOUT_SIZE, lag_examples

LAYER = "SimpleRNN_layer"
OUTPUT = "value"
SCALE_RANGE = (0.5, 2.0)
SCALE_CHOICES = tuple(round(0.5 + 0.1 * step, 1) for step in range(16))  # the page's slider: 0.5, 0.6, ..., 2.0
LENGTH_RANGE = (10, 100)
CLIPNORM = 1.0  # the clipped run of the page (any value from 0 to 100 on the command line)
PROFILE_EXAMPLES = 16  # held-out sequences the gradient profile takes the median of


@dataclass(frozen=True)
class ThroughTimeConfig(Keyed):
    """A SimpleRNN whose recurrent weights start as `scale` × an orthogonal matrix, trained with plain SGD
    on the lag task (the value marked at the first of `length` steps); `clipnorm = 0` means no clipping.

    The defaults (scale 2, 30 steps, 16 units, 2,048 sequences, 4 epochs, learning rate 0.1) train in
    seconds (`python -m lstm_core train throughtime` prints how many).
    """

    scale: float = 2.0
    length: int = 30
    clipnorm: float = 0.0
    learning_rate: float = 0.1
    units: int = 16
    train_size: int = 2_048
    epochs: int = 4
    seed: int = 0
    batch_size: int = 32

    experiment = "throughtime"

    def __post_init__(self):
        check_float("scale", self.scale, *SCALE_RANGE)
        check_int("length", self.length, *LENGTH_RANGE)
        check_float("clipnorm", self.clipnorm, 0.0, 100.0)
        self.check_training(smallest=64, a_batch=True)

    def slug(self) -> str:
        # Store keys are lower case without dots (store.KEY_PATTERN).
        scale, clip, rate = (f"{value:g}".replace(".", "p").replace("-", "m")
                             for value in (self.scale, self.clipnorm, self.learning_rate))
        return (f"x{scale}-t{self.length}-clip{clip}-lr{rate}-u{self.units}-n{self.train_size}-e{self.epochs}"
                f"-s{self.seed}")

    @property
    def features(self) -> int:
        return 2  # the value and the marker

    @property
    def lag(self) -> int:
        """Steps between the marked value and the end: all of them."""
        return self.length - 1

    def clipped(self, clipnorm: float = CLIPNORM) -> ThroughTimeConfig:
        """The same run with gradient clipping."""
        return self.replace(clipnorm=clipnorm)


def examples(config: ThroughTimeConfig, n: int, rng: np.random.Generator):
    """`n` lag-task sequences whose marked value is at the first step: X (n, length, 2), y (n, 1)."""
    return lag_examples(n, rng, length=config.length, lag=config.lag)


def holdout(config: ThroughTimeConfig, n: int = HOLDOUT_SIZE):
    return examples(config, n, np.random.default_rng(HOLDOUT_SEED))


def build(config: ThroughTimeConfig):
    """`SimpleRNN(units)` (tanh, recurrent kernel `scale` × a seeded orthogonal matrix) → `Dense(1)`."""
    keras = _keras()
    kernel_seed, recurrent_seed = seeds.recurrent_seeds(config.seed, 0)
    inputs = keras.Input(shape=(config.length, config.features), name="sequence")
    hidden = keras.layers.SimpleRNN(
        config.units, name=LAYER, kernel_initializer=keras.initializers.GlorotUniform(seed=kernel_seed),
        recurrent_initializer=keras.initializers.Orthogonal(gain=config.scale, seed=recurrent_seed))(inputs)
    return inputs, keras.layers.Dense(1, name=OUTPUT, **seeds.dense(config.seed))(hidden)


def training_data(config: ThroughTimeConfig):
    return examples(config, config.train_size, data.rng(config.seed))


def recipe(config: ThroughTimeConfig) -> Recipe:
    return Recipe(loss="mse", optimizer="sgd", learning_rate=config.learning_rate, clipnorm=config.clipnorm,
                  batch_size=config.batch_size, epochs=config.epochs, steps_per_execution=1,
                  jit_compile=False)  # a point at every step, as the SGD-divergence lesson (explode.py)


def _finite_max(values) -> float:
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else math.nan


def score(trained) -> dict:
    """The held-out mean absolute error (NaN once the loss overflowed), the last loss and the largest
    finite gradient norm before clipping."""
    error = math.nan
    if not trained.diverged:
        inputs, targets = holdout(trained.config)
        predictions = trained.predict(inputs)
        if np.all(np.isfinite(predictions)):
            error = mean_absolute_error(targets, predictions)
    return {"error": error, "final_loss": trained.final_loss(),
            "largest_gradient_norm": _finite_max(trained.gradient_norm)}


def describe(config: ThroughTimeConfig) -> str:
    clipping = f"clipnorm {config.clipnorm:g}" if config.clipnorm else "no clipping"
    return (f"SimpleRNN, recurrent scale {config.scale:g}, {config.length} steps, SGD at {config.learning_rate:g}, "
            f"{clipping}, {config.units} units, {config.train_size:,} sequences, {config.epochs} epochs, "
            f"seed {config.seed}")


EXPERIMENT = Experiment(
    name="throughtime", config=ThroughTimeConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="error", allow_divergence=True)


# -- the gradient through time -------------------------------------------------------------------

_jacobian = None  # the traced function (traced once, for any batch and sequence length)


def _jacobian_function():
    """`(kernel, recurrent kernel, bias, inputs) → ∂h_T/∂h_k` for every k, shape (n, units, steps, units).

    The recurrence is written out with the layer's weights in float64, and h_k gets a zero `delta_k`
    added after its tanh: ∂h_T/∂delta_k is then exactly ∂h_T/∂h_k. Each sequence is run once per unit i of
    h_T, and copy i asks for the gradient of h_T[i] alone, so one backward pass gives every row of every
    Jacobian (reverse mode needs one pass per output: here they run side by side as a batch).
    """
    global _jacobian
    if _jacobian is not None:
        return _jacobian
    _keras()
    import tensorflow as tf

    matrix, vector = tf.TensorSpec([None, None], tf.float64), tf.TensorSpec([None], tf.float64)

    @tf.function(input_signature=[matrix, matrix, vector, tf.TensorSpec([None, None, None], tf.float64)])
    def jacobian(kernel, recurrent_kernel, bias, inputs):
        n, steps, units = tf.shape(inputs)[0], tf.shape(inputs)[1], tf.shape(recurrent_kernel)[0]
        copies = tf.repeat(inputs, units, axis=0)  # sequence j as rows j·units ... j·units + units − 1
        projected = tf.transpose(tf.einsum("ntf,fu->ntu", copies, kernel) + bias, [1, 0, 2])  # time first
        delta = tf.zeros_like(projected)
        with tf.GradientTape() as tape:
            tape.watch(delta)
            hidden = tf.scan(lambda h, step: tf.tanh(step[0] + tf.matmul(h, recurrent_kernel)) + step[1],
                             (projected, delta), initializer=tf.zeros_like(projected[0]))
            picked = tf.reduce_sum(hidden[-1] * tf.tile(tf.eye(units, dtype=tf.float64), [n, 1]), axis=1)
        rows = tf.transpose(tape.gradient(picked, delta), [1, 0, 2])  # (n·units, steps, units)
        return tf.reshape(rows, [n, units, steps, units])

    _jacobian = jacobian
    return jacobian


def check_standard(layer) -> None:
    """The equations above assume Keras' SimpleRNN defaults: tanh, a bias, forwards."""
    cell = layer.cell
    if getattr(cell.activation, "__name__", "") != "tanh" or not cell.use_bias or layer.go_backwards:
        raise ValueError(f"layer {layer.name} is not a standard SimpleRNN (tanh, bias, forwards)")


def hidden_jacobian_norms(layer, inputs) -> np.ndarray:
    """‖∂h_T/∂h_k‖ (spectral norm) for every held-out sequence and step k: shape (n, steps), 1 at k = T.

    `layer` is a Keras SimpleRNN, `inputs` (n, steps, features). Computed by automatic differentiation.
    """
    check_standard(layer)
    jacobian = _jacobian_function()  # first: it sets TensorFlow up through the one door (engine/backend.py)
    import tensorflow as tf

    kernel, recurrent_kernel, bias = (tf.constant(np.asarray(w, dtype=np.float64)) for w in layer.get_weights())
    x = tf.constant(np.asarray(inputs, dtype=np.float64))
    jacobians = jacobian(kernel, recurrent_kernel, bias, x).numpy()  # (n, units, steps, units)
    return np.linalg.norm(np.transpose(jacobians, (0, 2, 1, 3)), ord=2, axis=(2, 3))


@dataclass
class Profile:
    """The gradient through time of one model: `norms[i, k]` = ‖∂h_T/∂h_k‖ on held-out sequence i.

    Read from the end: `steps_back[k]` = T − k, so the last step is 0 steps back.
    """

    scale: float
    norms: np.ndarray  # (examples, steps)

    @property
    def steps(self) -> int:
        return self.norms.shape[1]

    @property
    def steps_back(self) -> np.ndarray:
        return np.arange(self.steps)[::-1]

    @property
    def median(self) -> np.ndarray:
        """The median over the sequences at each step, shape (steps,)."""
        return np.median(self.norms, axis=0)

    @property
    def bound(self) -> np.ndarray:
        """scale^(T − k): the norm of Uᵀ to the power of the steps back; tanh's slope (≤ 1) can only lower it."""
        return self.scale ** self.steps_back.astype(np.float64)

    @property
    def first(self) -> float:
        """The median norm at the first step (the farthest back: T − 1 steps)."""
        return float(self.median[0])

    @property
    def per_step(self) -> float:
        """The factor one step back multiplies the median norm by, on average from the last step to the first:
        first^(1 / (T − 1))."""
        return float(self.first ** (1.0 / (self.steps - 1))) if self.first > 0 else 0.0

    @property
    def grows(self) -> bool:
        return self.first > 1.0


def profile(model, config: ThroughTimeConfig, examples: int = PROFILE_EXAMPLES) -> Profile:
    """The gradient through time of `model` (a Keras model of `config`) on the first held-out sequences."""
    inputs, _ = holdout(config, examples)
    return Profile(scale=config.scale, norms=hidden_jacobian_norms(model.get_layer(LAYER), inputs))


def initial_profile(config: ThroughTimeConfig, examples: int = PROFILE_EXAMPLES) -> Profile:
    """The gradient through time at the seeded start of `config`'s training (no training needed)."""
    from ..engine.fit import plain_model

    return profile(plain_model(EXPERIMENT, config), config, examples)


# -- what a training did ---------------------------------------------------------------------------

@dataclass
class Run:
    """What one training did, as the page tells it: its clipping, its steps, where the loss overflowed (None
    if it never did), its first, largest finite and last loss, its largest finite gradient norm before
    clipping, and its held-out error (NaN once the loss overflowed)."""

    clipnorm: float
    learning_rate: float
    steps: int
    diverged_step: int | None
    first_loss: float
    peak_loss: float
    final_loss: float
    largest_norm: float
    error: float

    @property
    def diverged(self) -> bool:
        return self.diverged_step is not None

    @property
    def largest_update(self) -> float:
        """The most one weight array can move in one step with clipping: learning_rate × clipnorm (inf without)."""
        return self.learning_rate * self.clipnorm if self.clipnorm > 0 else math.inf

    @property
    def beats_guessing(self) -> bool:
        return math.isfinite(self.error) and self.error < GUESS_MAE


def run(trained) -> Run:
    losses = np.asarray(trained.losses["loss"], dtype=np.float64)
    return Run(clipnorm=trained.config.clipnorm, learning_rate=trained.config.learning_rate,
               steps=int(trained.steps[-1]) if len(trained.steps) else 0, diverged_step=trained.diverged_step,
               first_loss=float(losses[0]) if losses.size else math.nan, peak_loss=_finite_max(losses),
               final_loss=trained.final_loss(), largest_norm=_finite_max(trained.gradient_norm),
               error=float(trained.metrics.get("error", math.nan)))
