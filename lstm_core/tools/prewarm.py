"""
Prewarm: train before class everything the pages show by default.

`python -m lstm_core prewarm` trains, into the model store, the default
configuration of every experiment (so every lesson opens on results), the
configurations of every lesson's presets, both default training-size
ladders, the SimpleRNNs "Inside the LSTM cell" compares with and the clipped
twin of the cells lesson's gradient-through-time run, so that
thirty students opening the app at once see trained models
instantly instead of queueing for the same trainings. A configuration already in the store is
not trained again, so a second run trains nothing and takes a moment.

Progress goes to stderr: one bar with the model being trained, the count done
and the time left on a terminal, plain lines (one per configuration and epoch)
where stderr is a file or CI; the summary (what was trained, what was already there, what
failed, and how long it took) is one JSON object on stdout.
"""

from __future__ import annotations

import sys
import time

from .. import experiments, presets, stepper
from ..engine.config import at_ceilings
from ..ladder import DEFAULT_SIZES, default_ladders


def default_configs(sizes=DEFAULT_SIZES) -> list:
    """Every configuration the pages show by default, each once: both ladders (smallest first), every
    experiment's default and the configurations of the lessons' presets, grouped by architecture."""
    with at_ceilings():
        ladders = default_ladders(sizes)
    ladders = [config for config in ladders if presets.allowed(config)]  # what this server's limits allow
    return by_architecture(unique(ladders + presets.defaults() + presets.configs() + companions() + clipped_twins()))


def companions() -> list:
    """The SimpleRNNs "Inside the LSTM cell" sets against the sine models it opens on (its default and its
    presets'), trained by the cells experiment (`stepper.simple_rnn_config`), those this server allows."""
    with at_ceilings():
        opened = [experiments.SineConfig()] + [config for preset in presets.PRESETS["inside_lstm"]
                                               for config in preset.configs]
    found = [stepper.simple_rnn_config(config) for config in opened if presets.allowed(config)]
    return [config for config in found if presets.allowed(config)]


def clipped_twins() -> list:
    """The clipped run beside the through-time default: the cells lesson trains each setting of its gradient
    through time without and with clipping (`ThroughTimeConfig.clipped`), if this server allows it."""
    with at_ceilings():
        found = [experiments.ThroughTimeConfig().clipped()]
    return [config for config in found if presets.allowed(config)]


def by_architecture(configs) -> list:
    """The same configurations, those that share a compiled training step next to each other (in order of
    first appearance): each architecture is compiled once, not again after the pool of compiled models
    (`engine.fit.POOL_SIZE`) has dropped it (`benchmarks/prewarm.py` measures the difference)."""
    def architecture(config) -> str:
        experiment = experiments.of(config)
        return experiment.architecture(config, experiment.recipe(config))

    first = {}
    for index, config in enumerate(configs):
        first.setdefault(architecture(config), index)
    return sorted(configs, key=lambda config: first[architecture(config)])


def tiny_configs() -> list:
    """One tiny model per experiment (4 units, 1 epoch, about 100 examples): checks the setup in seconds."""
    tiny = dict(units=4, epochs=1, train_size=100)
    return [experiment.config(**tiny, **({"depth": 1} if "depth" in experiment.config.__dataclass_fields__ else {}))
            for experiment in experiments.EXPERIMENTS.values()]


def unique(configs) -> list:
    seen, result = set(), []
    for config in configs:
        if config.key() not in seen:
            seen.add(config.key())
            result.append(config)
    return result


def describe(config) -> str:
    """A short human name: `sine 10,000 examples, 20 units × 2 layers, 2 epochs, seed 0`."""
    return experiments.describe(config)


def in_store(store, config) -> bool:
    """True if the store holds a finished entry of `config` (checked without loading the model)."""
    key = config.key()
    meta = store.read_meta(key) if store.has(key) else None
    return bool(meta) and meta.get("key") == key


class StderrProgress:
    """Plain progress lines on stderr (a log, CI): one per configuration and per epoch done."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self._epoch = -1
        self._prefix = ""

    def start(self, index: int, count: int, config) -> None:
        self._prefix = f"[{index}/{count}] {describe(config)}"
        self._epoch = -1

    def status(self, status) -> None:
        if status.phase != "queued" and status.epoch and status.epoch != self._epoch:
            self._epoch = status.epoch
            self.stream.write(f"{self._prefix}: epoch {status.epoch}/{status.epochs} done, loss {status.loss:.4f}\n")
            self.stream.flush()

    def end(self, message: str) -> None:
        self.stream.write(f"{self._prefix}: {message}\n")
        self.stream.flush()

    def close(self) -> None:
        pass


class BarProgress:
    """One progress bar on a terminal (rich): the model being trained, how many are done, the time left."""

    def __init__(self, stream=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("left"), TimeRemainingColumn(),
                             console=Console(file=stream if stream is not None else sys.stderr), transient=False)
        self._task = None
        self._done = 0
        self._bar.start()

    def start(self, index: int, count: int, config) -> None:
        if self._task is None:
            self._task = self._bar.add_task("", total=count)
        self._done = index - 1
        self._bar.update(self._task, description=describe(config), completed=self._done)

    def status(self, status) -> None:
        if status.phase != "queued":
            self._bar.update(self._task, completed=self._done + min(max(status.fraction, 0.0), 0.99))

    def end(self, message: str) -> None:
        self._bar.update(self._task, completed=self._done + 1)
        if message.startswith("FAILED"):
            self._bar.console.print(message)

    def close(self) -> None:
        self._bar.stop()


def progress_for(stream=None):
    """A bar where a person watches (a terminal), plain lines where a file or CI reads them."""
    stream = stream if stream is not None else sys.stderr
    return BarProgress(stream) if getattr(stream, "isatty", lambda: False)() else StderrProgress(stream)


def prewarm(configs, trainer=None, *, progress: StderrProgress | None = None, dry_run: bool = False) -> dict:
    """Train every configuration not yet in `trainer`'s store; report what was trained and what was there.

    With `dry_run`, nothing is trained: the missing configurations are listed
    under `"to_train"`. A configuration whose training fails is listed under
    `"failed"` with the reason, and the others carry on.
    """
    if trainer is None:
        from ..engine.trainer import Trainer

        trainer = Trainer()
    began = time.perf_counter()
    summary = {"store": str(trainer.store.root), "trained": [], "already": [], "failed": []}
    if dry_run:
        summary["to_train"] = []
    for index, config in enumerate(configs, start=1):
        entry = {"key": config.key(), "experiment": config.experiment, "train_size": config.train_size,
                 "description": describe(config)}
        if progress is not None:
            progress.start(index, len(configs), config)
        if in_store(trainer.store, config):
            summary["already"].append(entry)
            if progress is not None:
                progress.end("already in the store")
            continue
        if dry_run:
            summary["to_train"].append(entry)
            if progress is not None:
                progress.end("not in the store (dry run: not trained)")
            continue
        before = trainer.trainings
        try:
            trained = trainer.get(config, on_update=progress.status if progress is not None else None)
        except Exception as error:  # noqa: BLE001 - reported in the summary; the other configurations go on
            summary["failed"].append({**entry, "error": f"{type(error).__name__}: {error}"})
            if progress is not None:
                progress.end(f"FAILED: {error}")
            continue
        entry.update(error=round(trained.error, 5), seconds=round(trained.seconds, 2))
        summary["trained" if trainer.trainings > before else "already"].append(entry)
        if progress is not None:
            progress.end(f"trained in {trained.seconds:.1f} s, error {trained.error:.4f}")
    if progress is not None:
        progress.close()
    summary["seconds"] = round(time.perf_counter() - began, 2)
    summary["store_writable"] = trainer.store.writable
    return summary
