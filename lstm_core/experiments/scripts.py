"""
The equivalent Keras script for a configuration, ready to copy or download.

Students see the code behind the sliders: a plain, self-contained script in
the book's order (generate data, define the model, fit, evaluate, predict)
that needs only numpy and Keras. It is not an approximation: with the same
seeded initialisers, data and recipe it trains the app's model, and a test
runs it and compares its MAE with the app's. The app takes the same steps
through faster loops of its own (`engine/lstm_kernel.py`, `engine/loop.py`):
the same equations, their sums rounded in another order, which a long
training can amplify; each script says so.
"""

from __future__ import annotations

from ..engine.seeds import dense_seed, recurrent_seeds
from ..evaluate import EVALUATION_SEED, HOLDOUT_SIZE


def _initialisers(seed: int, index: int) -> str:
    kernel, recurrent = recurrent_seeds(seed, index)
    return f"kernel_initializer=GlorotUniform(seed={kernel}), recurrent_initializer=Orthogonal(seed={recurrent})"


def _compile_and_fit(config, recipe, generator: str, examples: int, verbose: int) -> str:
    # The app drops a last partial batch (every step then has one shape, one compile): so does the script.
    whole = examples - examples % recipe.batch_size
    cut = f"\nX, y = X[:{whole}], y[:{whole}]  # whole batches only, as the app trains" if whole != examples else ""
    return f"""model.compile(loss="{recipe.loss}", optimizer=keras.optimizers.Adam(learning_rate={recipe.learning_rate}),
              jit_compile={recipe.jit_compile}, steps_per_execution={recipe.steps_per_execution})
model.summary()

X, y = {generator}({config.train_size}, np.random.default_rng({config.seed})){cut}
model.fit(X, y, batch_size={recipe.batch_size}, epochs={recipe.epochs}, shuffle=False, verbose={verbose})"""


def sine_script(config, recipe) -> str:
    lstm_lines = []
    for index in range(config.depth):
        sequences = "return_sequences=True, " if index < config.depth - 1 else ""
        lstm_lines.append(f"    layers.LSTM({config.units}, {sequences}{_initialisers(config.seed, index)}),")
    lstm = "\n".join(lstm_lines)
    return f'''"""Stacked LSTM on the damped sine wave (book chapter 7), as LSTM Explorer trains it.

Run it as it is (`python sine_lstm.py`); it needs only numpy and Keras. It trains
the app's model: the same training data, the same seeded initial weights, the same
recipe, and the same {HOLDOUT_SIZE:,} held-out waves for the MAE.
The app takes the same steps through its own faster loops (the same equations, rounded in another
order), so after many steps the two trainings can drift apart by about as much as another seed gives.
"""
import numpy as np
import keras
from keras import layers
from keras.initializers import GlorotUniform, Orthogonal

length, output = {config.length}, {config.output}


def generate_examples(n, rng):
    """n random damped sine waves: the first `length` points in, the next `output` out."""
    period = rng.integers({config.period_range[0]}, {config.period_range[1]} + 1, size=n)[:, None]
    decay = rng.uniform({config.decay_range[0]}, {config.decay_range[1]}, size=n)[:, None]
    i = np.arange(length + output)
    waves = (0.5 + 0.5 * np.sin(2 * np.pi * i / period) * np.exp(-decay * i)).astype("float32")
    return waves[:, :length, None], waves[:, length:]


model = keras.Sequential([
    keras.Input(shape=(length, 1)),
{lstm}
    layers.Dense(output, kernel_initializer=GlorotUniform(seed={dense_seed(config.seed)})),
])
{_compile_and_fit(config, recipe, "generate_examples", config.train_size, 1)}

X, y = generate_examples({HOLDOUT_SIZE}, np.random.default_rng({EVALUATION_SEED}))
predicted = model.predict(X, verbose=0)
print("MAE: %f" % np.mean(np.abs(predicted - y)))
print("expected: ", np.round(y[0], 3))
print("predicted:", np.round(predicted[0], 3))
'''


def rectangle_script(config, recipe) -> str:
    if config.framing == "sequence":
        return rectangle_sequence_script(config, recipe)
    return f'''"""Generative LSTM that draws rectangles (book chapter 11), as LSTM Explorer trains it.

Run it as it is (`python rectangle_lstm.py`); it needs only numpy and Keras. It trains
the app's model: the same rectangles, the same seeded initial weights, the same recipe.
The app takes the same steps through its own faster loops (the same equations, rounded in another
order), so after many steps the two trainings can drift apart by about as much as another seed gives.
"""
import numpy as np
import keras
from keras import layers
from keras.initializers import GlorotUniform, Orthogonal


def rectangle_pairs(n, rng):
    """n random rectangles, each as 3 pairs: corner -> next corner, clockwise from [0,0]."""
    w, h = rng.random((n, 2)).T
    z = np.zeros(n)
    corners = np.stack([np.stack(c, axis=1) for c in [(z, z), (w, z), (w, h), (z, h)]], axis=1)
    X = corners[:, :3].reshape(-1, 1, 2)
    y = corners[:, 1:].reshape(-1, 2)
    return X.astype("float32"), y.astype("float32")


model = keras.Sequential([
    keras.Input(shape=(1, 2)),
    layers.LSTM({config.units}, {_initialisers(config.seed, 0)}),
    layers.Dense(2, activation="linear", kernel_initializer=GlorotUniform(seed={dense_seed(config.seed)})),
])
# One fit call over all rectangles, in order (the book calls fit once per rectangle).
{_compile_and_fit(config, recipe, "rectangle_pairs", 3 * config.train_size, 2)}

# Draw a rectangle from [0, 0]: each predicted corner is fed back as the next input.
point = np.zeros((1, 1, 2), dtype="float32")
corners = [point[0, 0]]
for _ in range(3):
    point = model.predict(point, verbose=0).reshape(1, 1, 2)
    corners.append(point[0, 0])
print("drawn rectangle:", np.round(np.array(corners), 4).tolist())
'''


def rectangle_sequence_script(config, recipe) -> str:
    return f'''"""Generative LSTM that draws rectangles (book chapter 11) as one sequence, as LSTM Explorer trains it.

Run it as it is (`python rectangle_lstm.py`); it needs only numpy and Keras. It trains
the app's sequence framing: the book's rectangles, units and seeded initial weights, but each
rectangle is one sequence of corners and the LSTM carries its state from corner to corner.
The app takes the same steps through its own faster loops (the same equations, rounded in another
order), so after many steps the two trainings can drift apart by about as much as another seed gives.
"""
import numpy as np
import keras
from keras import layers
from keras.initializers import GlorotUniform, Orthogonal

units = {config.units}


def rectangle_sequences(n, rng):
    """n random rectangles, each one sequence: corners [0,0], p1, p2 in, the next corners p1, p2, p3 out."""
    w, h = rng.random((n, 2)).T
    z = np.zeros(n)
    corners = np.stack([np.stack(c, axis=1) for c in [(z, z), (w, z), (w, h), (z, h)]], axis=1)
    return corners[:, :3].astype("float32"), corners[:, 1:].astype("float32")


model = keras.Sequential([
    keras.Input(shape=(None, 2)),
    layers.LSTM(units, return_sequences=True, {_initialisers(config.seed, 0)}),
    layers.Dense(2, activation="linear", kernel_initializer=GlorotUniform(seed={dense_seed(config.seed)})),
])
# One fit call over all rectangles, in order: {recipe.batch_size} sequences (rectangles) a batch.
{_compile_and_fit(config, recipe, "rectangle_sequences", config.train_size, 2)}

# Draw from [0, 0] one corner at a time, feeding each predicted corner back and carrying the LSTM's
# state (h, c) from corner to corner: a one-step copy of the trained layers takes the state in and out.
corner, h_in, c_in = keras.Input(shape=(1, 2)), keras.Input(shape=(units,)), keras.Input(shape=(units,))
lstm, dense = layers.LSTM(units, return_state=True), layers.Dense(2)
output, h_out, c_out = lstm(corner, initial_state=[h_in, c_in])
step = keras.Model([corner, h_in, c_in], [dense(output), h_out, c_out])
lstm.set_weights(model.layers[0].get_weights())
dense.set_weights(model.layers[1].get_weights())
point = np.zeros((1, 1, 2), dtype="float32")
h, c = np.zeros((1, units), dtype="float32"), np.zeros((1, units), dtype="float32")
corners = [point[0, 0]]
for _ in range(3):
    point, h, c = step.predict([point, h, c], verbose=0)
    point = point.reshape(1, 1, 2)
    corners.append(point[0, 0])
print("drawn rectangle:", np.round(np.array(corners), 4).tolist())
'''
