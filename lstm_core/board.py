"""
The class board: every model the class has trained, pooled on one chart per experiment.

Each student compares only their own runs on a lesson; the board puts the
whole class's side by side. A row is one finished store entry (whoever
trained it: a student, the command line, prewarm), read from its JSON alone
(configuration, metrics, training seconds; no Keras model is loaded): its
headline held-out error (`Experiment.error_metric`) and its number of
parameters from the experiment's layer formulas (`Experiment.layers`). The
experiments with such formulas are the board's (the damped sine and the
rectangles); the concept lessons' runs (several models side by side, most of
them) are counted, not drawn.

On top of the rows, computed here and tested on handmade rows:

- the Pareto front: the runs no smaller run beats (the lowest error for at
  most that many parameters);
- the challenge: the smallest sine model below the book's MAE 0.0217
  (chapter 7's number, with the book recipe), and who holds it;
- nicknames: a student may put a short nickname on a run. It is shown to the
  whole class, so it is checked here (`nickname`): at most 24 letters,
  digits, spaces and a few marks, nothing that could be read as HTML or
  markdown, no control or direction-override character;
- a link to the lesson that opens a run (`lesson_link`), from a page's
  declared `Link`s.

The board's own files live in `<store root>/board/` (`BoardFolder`): one
small JSON file per shared run (`shares/<key>.json`, so a run has one
nickname and a later share replaces it), and the teacher's `cleared.json`
(entries saved before it are off the board; the store keeps them),
`hidden.json` (nicknames shown as anonymous) and `challenge.json`. Every
file is written whole with the store's `write_atomic`. `BoardFolder.scan()`
is shared by every session of a server: it looks at the folders' listings at
most every `every` seconds and reads an entry's JSON once per version of the
file, so many open boards do not re-read the store (`benchmarks/board.py`
measures what they cost).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .engine.config import ConfigError, at_ceilings
from .engine.store import FORMAT_VERSION, KEY_PATTERN, write_atomic
from .experiments import EXPERIMENTS, config_from_dict, layers
from .experiments.sine import BOOK_MAE

# The experiments drawn: those whose parameters have formulas (a layer table), in the registry's order.
BOARD_EXPERIMENTS = tuple(name for name, experiment in EXPERIMENTS.items() if experiment.layers is not None)
NICKNAME_MOST = 24  # characters
NICKNAME_PUNCTUATION = "-_.'!"  # besides letters, digits and single spaces
MARKS_IN_A_ROW = 3  # combining marks after one letter (scripts such as Devanagari need 2-3; more is "zalgo")
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that draw nothing
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"


# -- nicknames ---------------------------------------------------------------------------------------------
class NicknameError(ConfigError):
    """A nickname refused: `reason` (`too_long`, `character`, `marks`, `not_text`) and its `values`, so a page
    can say it in its language; the message is the English one."""

    def __init__(self, reason: str, message: str, **values):
        super().__init__("nickname", message)
        self.reason, self.values = reason, values


def nickname(text) -> str | None:
    """A student's nickname as the class will see it, or None (anonymous) for an empty one.

    Spaces at the ends are dropped and runs of spaces become one; the text is put in Unicode's composed
    form (NFC). Refused with a `NicknameError` (field `nickname`) naming the limit: more than
    `NICKNAME_MOST` characters; a character that is not a letter, a digit, a space or one of
    `NICKNAME_PUNCTUATION` (so no `<`, `&`, `*`, `[`, `:`, no control, format or direction-override
    character such as U+202E, no other kind of space, no blank letter); more than `MARKS_IN_A_ROW` combining
    marks in a row.
    """
    if not isinstance(text, str):
        raise NicknameError("not_text", "nickname must be text")
    if len(text) > 4 * NICKNAME_MOST:  # refused before any work on it
        raise NicknameError("too_long", f"nickname must be at most {NICKNAME_MOST} characters (got {len(text)})",
                            most=NICKNAME_MOST, length=len(text))
    text = " ".join(part for part in unicodedata.normalize("NFC", text).split(" ") if part)
    if not text:
        return None
    if len(text) > NICKNAME_MOST:
        raise NicknameError("too_long", f"nickname must be at most {NICKNAME_MOST} characters (got {len(text)})",
                            most=NICKNAME_MOST, length=len(text))
    marks = 0
    for index, char in enumerate(text):
        kind = unicodedata.category(char)
        if kind[0] == "M":
            marks += 1
            if index == 0 or marks > MARKS_IN_A_ROW:
                raise NicknameError("marks", f"nickname may have at most {MARKS_IN_A_ROW} combining marks after "
                                             "a letter", most=MARKS_IN_A_ROW)
            continue
        marks = 0
        if (kind[0] not in "LN" and char != " " and char not in NICKNAME_PUNCTUATION) or char in BLANK_LETTERS:
            code = f"U+{ord(char):04X}"
            raise NicknameError("character", f"nickname may hold only letters, digits, spaces and "
                                             f"{' '.join(NICKNAME_PUNCTUATION)}, at most {NICKNAME_MOST} "
                                             f"characters ({code} is not allowed)",
                                allowed=" ".join(NICKNAME_PUNCTUATION), most=NICKNAME_MOST, code=code)
    return text


def isolated(text: str) -> str:
    """`text` as a unit of its own in a sentence: a right-to-left nickname cannot reorder what follows it."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_ISOLATE}"


def markdown_literal(text: str) -> str:
    """`text` shown as itself in markdown: every ASCII punctuation character escaped, bidi-isolated."""
    escaped = "".join(f"\\{char}" if char.isascii() and not char.isalnum() and char != " " else char
                      for char in text)
    return isolated(escaped)


# -- rows ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One finished store entry as the board draws it."""

    key: str
    experiment: str
    config: object  # the experiment's configuration (rebuilt from the entry's JSON)
    error: float  # the experiment's headline held-out error
    parameters: int
    seconds: float  # training time
    saved_at: float  # when the entry was written (seconds since the epoch)
    nickname: str | None = None  # as shared, None: anonymous

    @property
    def train_size(self) -> int:
        return self.config.train_size

    @property
    def marker(self) -> str:
        """What the marker shows: the training recipe where the experiment has a choice of recipes (the sine's
        `book` or `fast`); one marker for the other experiments."""
        return getattr(self.config, "recipe", "")

    @property
    def like_the_book(self) -> bool:
        """Chapter 7's own setting (any seed): the one run the book's 0.0217 compares with, like for like."""
        differences = getattr(self.config, "book_differences", None)  # what an experiment with a book number has
        return callable(differences) and not differences()


def parameters(config) -> int:
    """The model's parameters from its experiment's layer formulas (the layer table's total)."""
    return sum(int(layer["parameters"]) for layer in layers(config))


def row(key: str, meta, saved_at: float | None = None) -> Row | None:
    """The board's row of one entry's JSON (`meta`), or None if the board does not draw it: not a readable
    entry of this store format, not one of `BOARD_EXPERIMENTS`, an error that is not a finite number.

    The configuration is rebuilt at the built-in ceilings (a record of what was trained, whatever today's
    limits) and must give the entry's own key.
    """
    if not isinstance(meta, dict) or meta.get("key") != key or meta.get("format") != FORMAT_VERSION:
        return None
    values = meta.get("config")
    if not isinstance(values, dict) or values.get("experiment") not in BOARD_EXPERIMENTS:
        return None
    try:
        with at_ceilings():
            config = config_from_dict(values)
    except (ConfigError, TypeError, ValueError):
        return None
    if config.key() != key:
        return None
    experiment = EXPERIMENTS[config.experiment]
    metrics = meta.get("metrics")
    error = metrics.get(experiment.error_metric) if isinstance(metrics, dict) else None
    seconds = meta.get("seconds")
    if not _finite(error) or not _finite(seconds):
        return None
    stamp = meta.get("saved_at")
    saved = float(stamp) if _finite(stamp) else float(saved_at or 0.0)
    return Row(key, config.experiment, config, float(error), parameters(config), float(seconds), saved)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def pareto_front(rows) -> list[Row]:
    """The runs no run of at most their size beats: each has a lower error than every run with no more
    parameters (ties in size: the lowest error). Sorted by parameters, so the front is drawn left to right."""
    front, best = [], math.inf
    for candidate in sorted(rows, key=lambda r: (r.parameters, r.error, r.saved_at, r.key)):
        if candidate.error < best:
            front.append(candidate)
            best = candidate.error
    return front


@dataclass(frozen=True)
class Challenge:
    """"The smallest `experiment` model below `threshold`": the holder (fewest parameters, then lowest error,
    then the first saved) or None, and how many runs are below."""

    experiment: str
    threshold: float
    holder: Row | None
    below: int


def challenge(rows, experiment: str = "sine", threshold: float = BOOK_MAE) -> Challenge:
    below = [r for r in rows if r.experiment == experiment and r.error < threshold]
    holder = min(below, key=lambda r: (r.parameters, r.error, r.saved_at, r.key), default=None)
    return Challenge(experiment, threshold, holder, len(below))


# -- links ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """How a lesson opens a run of `experiment` from its link parameters (declared by the page that links).

    `fields` are the configuration fields its controls set (same names); `sizes` the training sizes it
    offers; `most_epochs` the top of its epochs control (without an `epochs` field: the configuration's
    default only). With `ladder` (the training-size lab) the size is a one-rung ladder `sizes` and the
    experiment a parameter of its own.
    """

    lesson: str
    experiment: str
    fields: tuple
    sizes: tuple
    most_epochs: int = 1
    ladder: bool = False


def lesson_link(config, links) -> tuple[str, dict] | None:
    """`(lesson url path, link parameters)` of the first of `links` that opens exactly `config` (every other
    field at its default, under today's limits), or None if none does."""
    for link in links:
        if link.experiment != config.experiment or config.train_size not in link.sizes:
            continue
        if config.epochs > (link.most_epochs if "epochs" in link.fields else 1):
            continue
        values = {name: getattr(config, name) for name in link.fields}
        try:
            rebuilt = EXPERIMENTS[config.experiment].config(
                **values, **({"train_size": config.train_size} if link.ladder else {}))
        except (ConfigError, TypeError, ValueError):
            continue  # over a limit the teacher lowered since, or not settable from this lesson
        if rebuilt != config:
            continue
        if link.ladder:
            values = {"experiment": config.experiment, "sizes": [config.train_size],
                      **{k: v for k, v in values.items() if k != "train_size"}}
        return link.lesson, values
    return None


# -- the board's folder ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scan:
    """What the board shows now: its rows (nicknames applied), the entries it leaves out, the teacher's
    switches. `version` changes whenever any of it does (a key for caches of what is drawn from it)."""

    rows: tuple = ()
    others: int = 0  # finished entries of experiments the board does not draw
    unreadable: int = 0  # entries of the board's experiments it could not read
    cleared: int = 0  # entries saved before the teacher last cleared the board
    cleared_at: float = 0.0
    hidden: frozenset = frozenset()  # nicknames (case-folded) the teacher hid
    challenge: bool = False
    version: int = 0

    def of(self, experiment: str) -> list[Row]:
        return [r for r in self.rows if r.experiment == experiment]

    def nicknames(self) -> list[str]:
        """The nicknames on the board, each once, in the order of the rows."""
        return list(dict.fromkeys(r.nickname for r in self.rows if r.nickname))


def on_board(rows, shares: dict, *, hidden=frozenset(), cleared_at: float = 0.0) -> tuple[list[Row], int]:
    """`(rows shown, rows cleared)`: the rows saved after `cleared_at`, each with its shared nickname (key →
    nickname in `shares`) unless the teacher hid it."""
    shown, cleared = [], 0
    for r in rows:
        if r.saved_at <= cleared_at:
            cleared += 1
            continue
        name = shares.get(r.key)
        shown.append(dataclasses.replace(r, nickname=None if name is None or name.casefold() in hidden else name))
    return shown, cleared


class BoardFolder:
    """`<store root>/board/` and the store's listing, shared by every session of one server process."""

    def __init__(self, root, *, every: float = 2.0, clock=time.monotonic):
        self.root = Path(root)
        self.folder = self.root / "board"
        self.shares = self.folder / "shares"
        self.every, self.clock = every, clock
        self._lock = threading.Lock()
        self._entries: dict = {}  # key -> (stat signature, Row or None)
        self._signature = None
        self._scan = Scan()
        self._looked_at = -math.inf
        self.reads = 0  # entry JSON files parsed (tests and benchmarks/board.py count them)

    # -- reading ---------------------------------------------------------------------------------------------
    def scan(self) -> Scan:
        """The board now, looking at the folders at most every `every` seconds (a change is seen that late)."""
        with self._lock:
            if self.clock() - self._looked_at < self.every:
                return self._scan
            self._looked_at = self.clock()
            listing = self._listing()
            if listing != self._signature:
                self._signature = listing
                scan = dataclasses.replace(self._read(listing), version=self._scan.version)
                self._scan = scan if scan == self._scan else dataclasses.replace(scan, version=scan.version + 1)
            return self._scan

    def refresh(self) -> Scan:
        """The board now, whatever the last look's age (after this process wrote to it)."""
        with self._lock:
            self._looked_at = -math.inf
        return self.scan()

    def _listing(self) -> tuple:
        """Name, modification time and size of every JSON file the board reads (finished entries only)."""
        found = []
        for folder in (self.root, self.folder, self.shares):
            try:
                with os.scandir(folder) as listing:
                    names = {entry.name: entry for entry in listing if entry.is_file()}
            except OSError:
                continue
            for name, entry in names.items():
                if not name.endswith(".json") or name.startswith("."):
                    continue
                if folder == self.root and name[:-5] + ".keras" not in names:
                    continue  # a half entry: its model is being written
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                found.append((folder.name if folder != self.root else "", name, stat.st_mtime_ns, stat.st_size))
        return tuple(sorted(found))

    def _read(self, listing: tuple) -> Scan:
        rows, others, unreadable = [], 0, 0
        seen = set()
        for where, name, mtime, size in listing:
            if where:
                continue
            key = name[:-5]
            if not KEY_PATTERN.fullmatch(key):
                continue
            if key.split("-", 1)[0] not in BOARD_EXPERIMENTS:
                others += 1
                continue
            seen.add(key)
            remembered = self._entries.get(key)
            if remembered is None or remembered[0] != (mtime, size):
                self.reads += 1
                found = row(key, _json(self.root / name), mtime / 1e9)
                self._entries[key] = remembered = ((mtime, size), found)
            if remembered[1] is None:
                unreadable += 1
            else:
                rows.append(remembered[1])
        for key in set(self._entries) - seen:  # removed from the store
            del self._entries[key]
        shares = self._shares()
        hidden = self._hidden()
        cleared_at = _number(_json(self.folder / "cleared.json"), "at")
        challenge_on = _json(self.folder / "challenge.json").get("on") is True
        shown, cleared = on_board(rows, shares, hidden=hidden, cleared_at=cleared_at)
        shown.sort(key=lambda r: (r.experiment, r.saved_at, r.key))
        return Scan(tuple(shown), others, unreadable, cleared, cleared_at, hidden, challenge_on)

    def _shares(self) -> dict:
        """key -> nickname of every share whose file is readable and whose nickname still passes `nickname`."""
        found = {}
        try:
            paths = list(self.shares.glob("*.json"))
        except OSError:
            return found
        for path in paths:
            if path.name.startswith(".") or not KEY_PATTERN.fullmatch(path.stem):
                continue
            shared = _json(path)
            try:
                name = nickname(shared.get("nickname"))
            except NicknameError:
                continue  # a file edited by hand: anonymous
            if shared.get("key") == path.stem and name:
                found[path.stem] = name
        return found

    def _hidden(self) -> frozenset:
        names = _json(self.folder / "hidden.json").get("nicknames")
        return frozenset(n.casefold() for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()

    # -- writing (each a whole small file; OSError if the store cannot be written) ----------------------------
    def is_entry(self, key: str) -> bool:
        """True if `key` is a finished entry of this store (only those can be shared)."""
        return bool(KEY_PATTERN.fullmatch(key)) and (self.root / f"{key}.json").is_file() \
            and (self.root / f"{key}.keras").is_file()

    def nickname_of(self, key: str) -> str | None:
        """The nickname shared for `key` (hidden or not), or None."""
        if not KEY_PATTERN.fullmatch(key):
            return None
        try:
            return nickname(_json(self.shares / f"{key}.json").get("nickname"))
        except NicknameError:
            return None

    def share(self, key: str, text: str, *, now: float | None = None) -> str | None:
        """Put nickname `text` on the run `key` (replacing its earlier one), or make it anonymous if empty.

        Returns the nickname as shown; NicknameError if refused, ValueError if `key` is no finished entry.
        """
        name = nickname(text)
        if not self.is_entry(key):
            raise ValueError(f"{key} is not a finished entry of the model store")
        path = self.shares / f"{key}.json"
        if name is None:
            path.unlink(missing_ok=True)
        else:
            self._write(path, {"key": key, "nickname": name, "at": time.time() if now is None else now})
        return name

    def clear(self, *, now: float | None = None) -> None:
        """Take every entry saved until now off the board (the store keeps them all)."""
        self._write(self.folder / "cleared.json", {"at": time.time() if now is None else now})

    def restore(self) -> None:
        """Bring the cleared entries back."""
        self._write(self.folder / "cleared.json", {"at": 0.0})

    def hide(self, name: str) -> None:
        """Show every run with this nickname (whatever its case) as anonymous."""
        hidden = sorted(self._hidden() | {name.casefold()})
        self._write(self.folder / "hidden.json", {"nicknames": hidden})

    def set_challenge(self, on: bool) -> None:
        self._write(self.folder / "challenge.json", {"on": bool(on)})

    def _write(self, path: Path, payload: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        write_atomic(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


def _json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _number(values: dict, name: str) -> float:
    value = values.get(name)
    return float(value) if _finite(value) else 0.0
