"""
What every experiment's configuration shares: validation and a stable key.

Every trained model in LSTM Explorer is named by a frozen dataclass (one per
experiment, in `lstm_core/experiments/`): the same configuration always means
the same data, the same initial weights and so the same model. Each
configuration checks its fields when it is built, so a bad value is caught at
the door with a message that names the field and its allowed range, and
`key()` gives the stable name of its cache and store entry. The checks every
configuration repeats (units, training size, epochs, seed, batch size,
learning rate, a wave family's ranges) are written once here.

Teachers can tighten the upper limits for a shared classroom server with
environment variables (`LSTM_EXPLORER_MAX_TRAIN_SIZE`, `LSTM_EXPLORER_MAX_EPOCHS`,
`LSTM_EXPLORER_MAX_UNITS`); they can never be raised above the built-in ceilings.
`LSTM_EXPLORER_MAX_TRAINING_SECONDS` bounds a training's estimated time instead
(`max_training_seconds`, checked by the Trainer through `engine/cost.py`).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import json
import math
import os

# Built-in ceilings; the environment may lower them, never raise them.
CEILING_TRAIN_SIZE = 25_000
CEILING_EPOCHS = 50
CEILING_UNITS = 64
MAX_SEED = 2**31 - 1



class ConfigError(ValueError):
    """A configuration value out of its allowed range.

    `field` is the dataclass field name (`train_size`), so a command line can
    name its flag (`--train-size`) and a page its slider.
    """

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


_CEILINGS = contextvars.ContextVar("ceilings", default=False)


@contextlib.contextmanager
def at_ceilings():
    """Check configurations against the built-in ceilings, not the teacher's limits: for settings declared
    once for every server (the presets), which the pages lower to the limits before anyone trains them."""
    token = _CEILINGS.set(True)
    try:
        yield
    finally:
        _CEILINGS.reset(token)


def _limit(name: str, ceiling: int) -> int:
    if _CEILINGS.get():
        return ceiling
    raw = os.environ.get(name, "")
    try:
        value = int(raw)
    except ValueError:
        return ceiling
    return max(1, min(value, ceiling))


def max_train_size() -> int:
    return _limit("LSTM_EXPLORER_MAX_TRAIN_SIZE", CEILING_TRAIN_SIZE)


def max_epochs() -> int:
    return _limit("LSTM_EXPLORER_MAX_EPOCHS", CEILING_EPOCHS)


def max_units() -> int:
    return _limit("LSTM_EXPLORER_MAX_UNITS", CEILING_UNITS)


# A lesson's default trains in 1-10 s here; 120 s leaves room for settings many times larger (25,000 sine
# examples for 10 epochs: estimated ~37 s) but refuses the ones that would hold the one training slot of a class
# for many minutes (the sine sliders' largest, 64 units x 4 layers, 25,000 examples, 50 epochs: estimated
# ~24 min; engine/cost.py, its constants fitted by benchmarks/cost_model.py).
DEFAULT_TRAINING_SECONDS = 120.0


def max_training_seconds() -> float:
    """The longest training a student may start, in estimated seconds on this server (`engine/cost.py`):
    `LSTM_EXPLORER_MAX_TRAINING_SECONDS`, default 120; a value that is not a positive number falls back to the
    default. Only new trainings are refused: a model already trained is always served."""
    try:
        value = float(os.environ.get("LSTM_EXPLORER_MAX_TRAINING_SECONDS", DEFAULT_TRAINING_SECONDS))
    except ValueError:
        return DEFAULT_TRAINING_SECONDS
    return value if math.isfinite(value) and value > 0 else DEFAULT_TRAINING_SECONDS


def shown(value) -> str:
    """A value for an error message: short, whatever was given (a 5,000-digit int cannot even be printed)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {'negative ' if value < 0 else ''}{value.bit_length()}-bit number"
    try:
        text = repr(value)
    except ValueError:  # e.g. a list holding such an int
        text = f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def check_int(field: str, value, low: int, high: int) -> None:
    """Raise ConfigError unless `value` is an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(field, f"{field} must be a whole number from {low} to {high} (got {shown(value)})")
    if not low <= value <= high:
        raise ConfigError(field, f"{field} must be from {low} to {high} (got {shown(value)})")


def check_float(field: str, value, low: float, high: float, *, low_open: bool = False) -> None:
    """Raise ConfigError unless `value` is a finite number in [low, high] ((low, high] if low_open)."""
    bracket = "(" if low_open else "["
    allowed = f"{bracket}{low:g}, {high:g}]"
    # (math.isfinite overflows on a huge int, which is finite anyway)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise ConfigError(field, f"{field} must be a number in {allowed} (got {shown(value)})")
    if value < low or value > high or (low_open and value == low):
        raise ConfigError(field, f"{field} must be in {allowed} (got {shown(value)})")


def check_range(field: str, pair, low: float, high: float, *, integer: bool) -> None:
    """A (low, high) pair inside [low, high] whose first value does not exceed its second."""
    if not isinstance(pair, tuple) or len(pair) != 2:
        raise ConfigError(field, f"{field} must be a pair (low, high) (got {shown(pair)})")
    for value in pair:
        if integer:
            check_int(field, value, int(low), int(high))
        else:
            check_float(field, value, low, high)
    if pair[0] > pair[1]:
        raise ConfigError(field, f"{field} low end {pair[0]:g} exceeds its high end {pair[1]:g}")


def check_choice(field: str, value, choices) -> None:
    if value not in choices:
        raise ConfigError(field, f"{field} must be one of {', '.join(map(str, choices))} (got {shown(value)})")


class Keyed:
    """Base of every configuration: a stable, readable key, a plain-dict form, the shared checks.

    A subclass sets `experiment` (its registry name) and writes `slug()`.
    """

    experiment = "base"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def key(self) -> str:
        payload = json.dumps({"experiment": self.experiment, **self.to_dict()}, sort_keys=True)
        digest = hashlib.sha256(payload.encode()).hexdigest()[:10]
        return f"{self.experiment}-{self.slug()}-{digest}"

    def slug(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    def check_training(self, *, smallest: int = 100, fastest: float = 1.0, a_batch: bool = False) -> None:
        """The fields every experiment has: units, training size (at least `smallest`, and with `a_batch` at
        least one batch), epochs, seed, batch size and learning rate (at most `fastest`)."""
        check_int("units", self.units, 1, max_units())
        check_int("batch_size", self.batch_size, 1, 1024)
        check_int("train_size", self.train_size, max(smallest, self.batch_size) if a_batch else smallest,
                  max_train_size())
        check_int("epochs", self.epochs, 1, max_epochs())
        check_int("seed", self.seed, 0, MAX_SEED)
        check_float("learning_rate", self.learning_rate, 0.0, fastest, low_open=True)

    def check_wave_family(self) -> None:
        """The damped-sine family of a configuration's waves: sequence length, period and decay ranges."""
        check_int("length", self.length, 5, 200)
        check_range("period_range", self.period_range, 2, 200, integer=True)
        check_range("decay_range", self.decay_range, 0.0, 1.0, integer=False)

    @classmethod
    def from_dict(cls, data: dict):
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in fields}
        return cls(**values)


