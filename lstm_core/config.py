"""
Configurations of the two book experiments.

Every trained model in LSTM Explorer is named by a frozen dataclass: the same
configuration always means the same data, the same initial weights and so the
same model. Each configuration checks its fields when it is built, so a bad
value is caught at the door with a message that names the field and its
allowed range, and `key()` gives the stable name of its cache and store entry.

Teachers can tighten the upper limits for a shared classroom server with
environment variables (`LSTM_EXPLORER_MAX_TRAIN_SIZE`, `LSTM_EXPLORER_MAX_EPOCHS`,
`LSTM_EXPLORER_MAX_UNITS`); they can never be raised above the built-in ceilings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from dataclasses import dataclass

# Built-in ceilings; the environment may lower them, never raise them.
CEILING_TRAIN_SIZE = 25_000
CEILING_EPOCHS = 50
CEILING_UNITS = 64
MAX_SEED = 2**31 - 1

# The book's numbers (chapter 7 and chapter 11), for comparisons on the pages.
BOOK_SINE_MAE = 0.0217
BOOK_SINE_PARAMETERS = 5_145
BOOK_RECTANGLE_PARAMETERS = 542


class ConfigError(ValueError):
    """A configuration value out of its allowed range.

    `field` is the dataclass field name (`train_size`), so a command line can
    name its flag (`--train-size`) and a page its slider.
    """

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _limit(name: str, ceiling: int) -> int:
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


class _Keyed:
    """Mixin: a stable, readable key and a plain-dict form of a frozen config."""

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

    @classmethod
    def from_dict(cls, data: dict):
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in fields}
        return cls(**values)


@dataclass(frozen=True)
class SineConfig(_Keyed):
    """The stacked LSTM of chapter 7 on the damped sine wave.

    The defaults are the book's architecture (two LSTM layers of 20 units, 10,000
    training examples of 50 steps predicting the next 5) trained with the
    faster recipe measured in `benchmarks/`: batches of 20 (they divide every
    training size the page offers, so there is no odd last batch to compile
    again), Adam at 3e-3, 2 epochs: held-out MAE about 0.013 against the book's
    0.022, in a fraction of the book's time.
    """

    units: int = 20
    depth: int = 2
    train_size: int = 10_000
    epochs: int = 2
    seed: int = 0
    batch_size: int = 20
    learning_rate: float = 3e-3
    period_range: tuple = (10, 20)
    decay_range: tuple = (0.01, 0.1)
    length: int = 50
    output: int = 5

    experiment = "sine"

    def __post_init__(self):
        check_int("units", self.units, 1, max_units())
        check_int("depth", self.depth, 1, 4)
        check_int("train_size", self.train_size, 100, max_train_size())
        check_int("epochs", self.epochs, 1, max_epochs())
        check_int("seed", self.seed, 0, MAX_SEED)
        check_int("batch_size", self.batch_size, 1, 1024)
        check_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)
        check_range("period_range", self.period_range, 2, 200, integer=True)
        check_range("decay_range", self.decay_range, 0.0, 1.0, integer=False)
        check_int("length", self.length, 5, 200)
        check_int("output", self.output, 1, 20)

    def slug(self) -> str:
        return f"u{self.units}-d{self.depth}-n{self.train_size}-e{self.epochs}-s{self.seed}"


@dataclass(frozen=True)
class RectangleConfig(_Keyed):
    """The generative LSTM of chapter 11 that draws rectangles.

    The defaults are the book's (LSTM(10) then Dense(2), 25,000 random
    rectangles seen once, three points each, in order) but trained in one
    `fit` call instead of one call per rectangle, in batches of 30 points (ten
    rectangles) with Adam at 1e-2 instead of the book's 3 at 1e-3: a tenth of
    the steps, and drawings at least as consistent (see `benchmarks/`).
    """

    units: int = 10
    train_size: int = 25_000
    epochs: int = 1
    seed: int = 0
    batch_size: int = 30
    learning_rate: float = 1e-2

    experiment = "rectangles"

    def __post_init__(self):
        check_int("units", self.units, 1, max_units())
        check_int("train_size", self.train_size, 100, max_train_size())
        check_int("epochs", self.epochs, 1, max_epochs())
        check_int("seed", self.seed, 0, MAX_SEED)
        check_int("batch_size", self.batch_size, 1, 1024)
        check_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)

    def slug(self) -> str:
        return f"u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}"


CONFIG_TYPES = {"sine": SineConfig, "rectangles": RectangleConfig}


def config_from_dict(data: dict):
    """Rebuild a config from `{"experiment": ..., **fields}` (as the store writes it)."""
    kind = data.get("experiment")
    if kind not in CONFIG_TYPES:
        raise ConfigError("experiment", f"experiment must be one of {sorted(CONFIG_TYPES)} (got {kind!r})")
    return CONFIG_TYPES[kind].from_dict(data)
