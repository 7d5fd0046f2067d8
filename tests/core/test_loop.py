"""loop (the engine's training loop): Keras' `fit` with the steps of a call compiled together — the same weights,
the same reports, and a stop when a callback asks."""

import numpy as np
import pytest

from lstm_core.engine import loop
from lstm_core.engine.backend import keras as _keras

keras = _keras()


def model(outputs: int, jit: bool):
    keras.utils.set_random_seed(5)  # only this test's weights: both copies get them through set_weights
    inputs = keras.Input((6, 2))
    hidden = keras.layers.LSTM(3)(inputs)
    heads = {f"out{k}": keras.layers.Dense(2, name=f"out{k}")(hidden) for k in range(outputs)}
    built = keras.Model(inputs, heads if outputs > 1 else heads["out0"])
    built.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", jit_compile=jit, steps_per_execution=3)
    return built


class Reports(keras.callbacks.Callback):
    def __init__(self, stop_at: int | None = None):
        super().__init__()
        self.events, self.stop_at = [], stop_at

    def on_train_begin(self, logs=None):
        self.events.append(("begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("batch", batch, round(float(logs["loss"]), 5)))
        if self.stop_at is not None and len([e for e in self.events if e[0] == "batch"]) == self.stop_at:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("end", epoch))


@pytest.mark.parametrize("outputs,jit", [(1, False), (2, False), (1, True)])
def test_it_trains_to_keras_fits_weights_with_the_same_reports(outputs, jit):
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(28, 6, 2)).astype("float32")  # 7 batches of 4: blocks of 3, 3 and 1 steps
    targets = rng.normal(size=(28, 2)).astype("float32")
    if outputs > 1:
        targets = {"out0": targets, "out1": -targets}
    ours, theirs = model(outputs, jit), model(outputs, jit)
    theirs.set_weights(ours.get_weights())
    ours_reports, theirs_reports = Reports(), Reports()
    loop.train(ours, inputs, targets, batch_size=4, epochs=2, steps_per_execution=3, jit_compile=jit,
               callbacks=[ours_reports])
    theirs.fit(inputs, targets, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[theirs_reports])
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert np.abs(a - b).max() < 1e-5
    assert [e[:2] for e in ours_reports.events if e[0] == "batch"] == [("batch", 2), ("batch", 5), ("batch", 6)] * 2
    # Keras may report the last block's index past the epoch's end; the losses are the same.
    assert [e[2] for e in ours_reports.events if e[0] == "batch"] == pytest.approx(
        [e[2] for e in theirs_reports.events if e[0] == "batch"], abs=1e-4)
    assert [e[0] for e in ours_reports.events if e[0] != "batch"] == ["begin", "epoch", "end", "epoch", "end"]


def test_a_callback_stops_it_after_its_report():
    rng = np.random.default_rng(1)
    inputs, targets = rng.normal(size=(28, 6, 2)).astype("float32"), rng.normal(size=(28, 2)).astype("float32")
    trained = model(1, False)
    reports = Reports(stop_at=2)
    steps = []
    iterations = trained.optimizer.iterations
    loop.train(trained, inputs, targets, batch_size=4, epochs=3, steps_per_execution=3, jit_compile=False,
               callbacks=[reports])
    steps.append(int(iterations.numpy()))
    assert [e[0] for e in reports.events] == ["begin", "epoch", "batch", "batch", "end"]
    assert steps == [6]  # two blocks of three steps, then nothing more
