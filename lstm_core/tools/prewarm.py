"""
Prewarm: train before class everything the pages show by default.

`python -m lstm_core prewarm` trains, into the model store, the default
configuration of every experiment (so every lesson opens on results), the
configurations of every lesson's presets and both default training-size
ladders, so that thirty students opening the app at once see trained models
instantly instead of queueing for the same trainings. A configuration already in the store is
not trained again, so a second run trains nothing and takes a moment.

Progress goes to stderr (one line per configuration, with the epochs as they
finish); the summary (what was trained, what was already there, what
failed, and how long it took) is one JSON object on stdout.
"""

from __future__ import annotations

import sys
import time

from .. import experiments, presets
from ..engine.config import at_ceilings
from ..ladder import DEFAULT_SIZES, default_ladders


def default_configs(sizes=DEFAULT_SIZES) -> list:
    """Every configuration the pages show by default, each once: both ladders (smallest first), every
    experiment's default, then the configurations of the lessons' presets."""
    with at_ceilings():
        ladders = default_ladders(sizes)
    ladders = [config for config in ladders if presets.allowed(config)]  # what this server's limits allow
    return unique(ladders + presets.defaults() + presets.configs())


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
    """Progress on stderr: one line per configuration, rewritten in place on a terminal."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.live = getattr(self.stream, "isatty", lambda: False)()
        self._epoch = -1
        self._prefix = ""

    def start(self, index: int, count: int, config) -> None:
        self._prefix = f"[{index}/{count}] {describe(config)}"
        self._epoch = -1

    def status(self, status) -> None:
        if status.phase == "queued":
            return
        if self.live:
            self.stream.write(f"\r{self._prefix}: training {status.fraction:4.0%} "
                              f"(epoch {status.epoch}/{status.epochs or '?'})\033[K")
            self.stream.flush()
        elif status.epoch != self._epoch and status.epoch:
            self._epoch = status.epoch
            self.stream.write(f"{self._prefix}: epoch {status.epoch}/{status.epochs} done, loss {status.loss:.4f}\n")
            self.stream.flush()

    def end(self, message: str) -> None:
        self.stream.write(("\r" if self.live else "") + f"{self._prefix}: {message}" + ("\033[K\n" if self.live else "\n"))
        self.stream.flush()


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
    summary["seconds"] = round(time.perf_counter() - began, 2)
    summary["store_writable"] = trainer.store.writable
    return summary
