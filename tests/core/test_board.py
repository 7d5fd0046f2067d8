"""lstm_core/board: nicknames checked before the class sees them, rows from store entries (a real tiny training and
handmade JSON), the Pareto front and the challenge on handmade rows, the board's folder (shares, clear, hide,
challenge) and its shared scan, which reads an entry's JSON once."""

import json

import pytest

from conftest import tiny_rectangles, tiny_sine
from lstm_core import board
from lstm_core.board import BoardFolder, Link, NicknameError, Row
from lstm_core.engine.config import at_ceilings
from lstm_core.engine.store import FORMAT_VERSION
from lstm_core.experiments import CellsConfig, RectangleConfig, SineConfig
from lstm_core.experiments.sine import BOOK_MAE


# -- nicknames ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["<b>Ada</b>", "<script>x</script>", "Ada&amp;", "[x](http://a)", "**Ada**",
                                  ":red[Ada]", "$x^2$", "`Ada`"])
def test_a_nickname_with_html_or_markdown_is_refused_naming_the_field_and_its_limit(text):
    with pytest.raises(NicknameError) as refused:
        board.nickname(text)
    assert refused.value.field == "nickname" and refused.value.reason == "character"
    assert "nickname" in str(refused.value) and "24 characters" in str(refused.value)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\n", "\t", "\x1b", "\u200b", "\u200d", "\u2028", "\u00a0",
                                  "\u202e", "\u202d", "\u2066", "\u061c", "\ufeff", "\u3164"])
def test_control_format_direction_and_blank_characters_are_refused_by_their_code(char):
    with pytest.raises(NicknameError) as refused:
        board.nickname(f"Ada{char}Lovelace")
    assert refused.value.reason == "character" and f"U+{ord(char):04X}" in str(refused.value)


def test_a_right_to_left_override_is_refused_and_right_to_left_letters_are_isolated_plain_text():
    with pytest.raises(NicknameError, match="U\\+202E"):
        board.nickname("\u202eevil.exe")
    name = board.nickname("שלום 7")
    assert name == "שלום 7"
    assert board.isolated(name) == "\u2068שלום 7\u2069"  # a sentence around it keeps its own order


@pytest.mark.parametrize("length", [25, 97, 10_000])
def test_a_nickname_over_24_characters_is_refused_with_the_limit(length):
    with pytest.raises(NicknameError) as refused:
        board.nickname("a" * length)
    assert refused.value.reason == "too_long" and refused.value.values == {"most": 24, "length": length}
    assert str(refused.value) == f"nickname must be at most 24 characters (got {length})"


def test_a_nickname_is_trimmed_composed_and_empty_means_anonymous():
    assert board.nickname("  Ada   Lovelace  ") == "Ada Lovelace"
    assert board.nickname("a" * 24) == "a" * 24
    assert board.nickname("Jose\u0301") == "José"  # composed: one character, not two
    assert board.nickname("李雷 O'Neil_9!") == "李雷 O'Neil_9!"
    assert board.nickname("") is None and board.nickname("   ") is None
    with pytest.raises(NicknameError, match="combining marks"):
        board.nickname("x" + "\u0334" * 4)  # "zalgo" text
    with pytest.raises(NicknameError, match="combining marks"):
        board.nickname("\u0301abc")
    with pytest.raises(NicknameError):
        board.nickname(None)


def test_markdown_literal_escapes_every_ascii_mark_so_markdown_shows_it_as_typed():
    assert board.markdown_literal("_Ada_ O'N.!") == "\u2068\\_Ada\\_ O\\'N\\.\\!\u2069"


# -- rows from entries --------------------------------------------------------------------------------------------
def meta(config, *, error=0.1, seconds=1.5, saved_at=1000.0, **changes) -> dict:
    """A store entry's JSON as the Trainer writes it (only what the board reads)."""
    found = {"format": FORMAT_VERSION, "key": config.key(), "config": {"experiment": config.experiment,
                                                                       **config.to_dict()},
             "metrics": {"mae": error, "consistency": error, "LSTM": error}, "seconds": seconds, "saved_at": saved_at}
    return json.loads(json.dumps({**found, **changes}))


def put(root, config, **options) -> str:
    """A finished entry in the store folder `root`: its JSON and a model file (the board never opens it)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{config.key()}.json").write_text(json.dumps(meta(config, **options)))
    (root / f"{config.key()}.keras").write_bytes(b"not read by the board")
    return config.key()


def test_a_row_has_the_headline_error_and_the_layer_formulas_parameters():
    config = SineConfig(units=4, depth=2, train_size=100, epochs=1, seed=3)
    found = board.row(config.key(), meta(config, error=0.05, seconds=2.5, saved_at=7.0))
    assert (found.experiment, found.error, found.seconds, found.saved_at) == ("sine", 0.05, 2.5, 7.0)
    assert found.parameters == 4 * 4 * (1 + 4 + 1) + 4 * 4 * (4 + 4 + 1) + (4 * 5 + 5)
    assert found.config == config and found.marker == "fast" and found.train_size == 100
    rectangle = RectangleConfig(units=3, train_size=100)
    assert board.row(rectangle.key(), meta(rectangle)).parameters == 4 * 3 * (2 + 3 + 1) + 3 * 2 + 2
    assert board.row(rectangle.key(), meta(rectangle)).marker == ""


def test_only_readable_entries_of_the_boards_experiments_become_rows():
    config = tiny_sine()
    key = config.key()
    assert board.row(key, meta(config)) is not None
    assert board.row(tiny_sine(seed=9).key(), meta(config)) is None  # the JSON of another entry
    assert board.row(key, meta(config, format=FORMAT_VERSION - 1)) is None
    assert board.row(key, {**meta(config), "metrics": {"mae": float("nan")}}) is None
    assert board.row(key, {**meta(config), "metrics": {}}) is None
    assert board.row(key, {**meta(config), "config": {**meta(config)["config"], "units": 4.5}}) is None
    assert board.row(key, "garbage") is None
    cells = CellsConfig(units=2, train_size=128, epochs=1)
    assert board.row(cells.key(), meta(cells)) is None  # a comparison of three cells: counted, not drawn
    assert board.BOARD_EXPERIMENTS[:2] == ("sine", "rectangles")


def test_an_entry_over_todays_limits_is_still_a_row(monkeypatch):
    with at_ceilings():
        config = SineConfig(units=40, train_size=20_000)
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    assert board.row(config.key(), meta(config)).config.units == 40


def test_the_like_for_like_book_run_is_chapter_7s_setting_with_any_seed():
    assert board.row(*keyed(SineConfig(recipe="book", epochs=1, seed=5))).like_the_book
    assert not board.row(*keyed(SineConfig())).like_the_book  # the fast recipe
    assert not board.row(*keyed(SineConfig(recipe="book", epochs=1, units=10))).like_the_book


def keyed(config):
    return config.key(), meta(config)


@pytest.mark.usefixtures("no_jit")
def test_the_board_lists_what_a_real_training_through_the_trainer_stored(trainer, store_dir):
    sine_run = trainer.get(tiny_sine(units=3, depth=1))
    rectangle_run = trainer.get(tiny_rectangles(units=2))
    scan = BoardFolder(store_dir).scan()
    rows = {row.key: row for row in scan.rows}
    assert set(rows) == {sine_run.config.key(), rectangle_run.config.key()}
    for run in (sine_run, rectangle_run):
        row = rows[run.config.key()]
        assert row.parameters == run.model.count_params()  # the formulas agree with Keras
        assert row.error == pytest.approx(run.metrics[run.error_metric])
        assert row.seconds == pytest.approx(run.seconds) and row.nickname is None
    assert (scan.others, scan.unreadable, scan.cleared) == (0, 0, 0)


# -- the Pareto front and the challenge on handmade rows ------------------------------------------------------
def hand(parameters: int, error: float, *, saved_at: float = 0.0, experiment: str = "sine", units: int = 4,
         nickname=None) -> Row:
    config = SineConfig(units=units) if experiment == "sine" else RectangleConfig(units=units)
    return Row(f"{experiment}-{parameters}-{error}-{saved_at}", experiment, config, error, parameters, 1.0, saved_at,
               nickname)


def test_the_pareto_front_keeps_each_run_no_smaller_run_beats():
    rows = [hand(100, 0.5), hand(100, 0.3), hand(200, 0.4), hand(300, 0.1), hand(50, 0.9), hand(400, 0.1),
            hand(500, 0.05), hand(30, 1.2)]
    front = board.pareto_front(rows)
    assert [(r.parameters, r.error) for r in front] == [(30, 1.2), (50, 0.9), (100, 0.3), (300, 0.1), (500, 0.05)]
    assert board.pareto_front([]) == []
    # Every run is on the front or beaten by a front run at most its size; the front's errors only fall.
    for r in rows:
        assert r in front or any(f.parameters <= r.parameters and f.error <= r.error for f in front)
    assert all(a.error > b.error and a.parameters < b.parameters for a, b in zip(front, front[1:]))


def test_equal_runs_put_the_first_saved_on_the_front():
    first, second = hand(100, 0.2, saved_at=1.0), hand(100, 0.2, saved_at=2.0)
    assert board.pareto_front([second, first]) == [first]


def test_the_challenge_is_the_smallest_sine_run_below_the_books_mae():
    rows = [hand(5_145, 0.015), hand(500, 0.02, saved_at=2.0, nickname="Ada"), hand(500, 0.021, saved_at=1.0),
            hand(300, 0.0217), hand(200, 0.3), hand(50, 0.001, experiment="rectangles")]
    found = board.challenge(rows)
    assert found.threshold == BOOK_MAE == 0.0217
    assert (found.holder.parameters, found.holder.error, found.holder.nickname) == (500, 0.02, "Ada")
    assert found.below == 3  # 0.0217 itself is not below; the rectangles run is another experiment
    tie = hand(500, 0.02, saved_at=1.0, nickname="Bo")
    assert board.challenge(rows + [tie]).holder is tie  # same size and error: the one saved first
    none = board.challenge([hand(100, 0.5)])
    assert (none.holder, none.below) == (None, 0)


# -- links ---------------------------------------------------------------------------------------------------
LINKS = [Link("sine", "sine", ("units", "depth", "train_size", "epochs", "seed", "recipe"), (100, 10_000),
              most_epochs=20),
         Link("rectangles", "rectangles", ("units", "train_size", "seed"), (100, 25_000)),
         Link("training_size", "sine", ("units", "depth", "epochs", "seed"), (100, 200, 25_000), most_epochs=10,
              ladder=True),
         Link("training_size", "rectangles", ("units", "epochs", "seed"), (100, 200, 25_000), most_epochs=10,
              ladder=True)]


def test_a_run_links_to_its_lesson_or_the_lab_only_where_that_opens_exactly_it(monkeypatch):
    assert board.lesson_link(SineConfig(units=4, recipe="book", epochs=1), LINKS) == (
        "sine", {"units": 4, "depth": 2, "train_size": 10_000, "epochs": 1, "seed": 0, "recipe": "book"})
    assert board.lesson_link(SineConfig(train_size=25_000), LINKS) == (
        "training_size", {"experiment": "sine", "sizes": [25_000], "units": 20, "depth": 2, "epochs": 2, "seed": 0})
    assert board.lesson_link(RectangleConfig(units=3, train_size=100), LINKS)[0] == "rectangles"
    assert board.lesson_link(RectangleConfig(units=3, train_size=100, epochs=2), LINKS) == (
        "training_size", {"experiment": "rectangles", "sizes": [100], "units": 3, "epochs": 2, "seed": 0})
    assert board.lesson_link(SineConfig(train_size=25_000, recipe="book", epochs=1), LINKS) is None  # lab: fast only
    assert board.lesson_link(SineConfig(period_range=(5, 40)), LINKS) is None  # not a control anywhere
    assert board.lesson_link(SineConfig(epochs=30), LINKS) is None
    config = SineConfig(units=20)
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    assert board.lesson_link(config, LINKS) is None  # the lesson would clamp it to 8 units: another model


# -- the board's folder --------------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_shares_put_one_nickname_per_run_and_a_later_share_replaces_it(tmp_path):
    root = tmp_path / "store"
    key = put(root, tiny_sine())
    folder = BoardFolder(root, every=0)
    assert folder.share(key, "  Ada ") == "Ada"
    assert [r.nickname for r in folder.scan().rows] == ["Ada"] and folder.nickname_of(key) == "Ada"
    folder.share(key, "Bo")
    assert [r.nickname for r in folder.scan().rows] == ["Bo"]
    assert len(list((root / "board" / "shares").iterdir())) == 1  # one file per run, replaced
    with pytest.raises(NicknameError):
        folder.share(key, "<b>x</b>")
    assert folder.nickname_of(key) == "Bo"  # a refused nickname changes nothing
    folder.share(key, "")
    assert [r.nickname for r in folder.scan().rows] == [None]
    with pytest.raises(ValueError, match="not a finished entry"):
        folder.share(tiny_sine(seed=99).key(), "Ada")
    with pytest.raises(ValueError):
        folder.share("../../etc/passwd", "Ada")
    assert not list(root.glob("**/*passwd*"))


def test_a_share_file_edited_by_hand_with_html_shows_as_anonymous(tmp_path):
    root = tmp_path / "store"
    key = put(root, tiny_sine())
    (root / "board" / "shares").mkdir(parents=True)
    (root / "board" / "shares" / f"{key}.json").write_text(json.dumps({"key": key, "nickname": "<img src=x>"}))
    assert [r.nickname for r in BoardFolder(root).scan().rows] == [None]


def test_clearing_hides_the_runs_saved_until_then_and_deletes_no_store_file(tmp_path):
    root = tmp_path / "store"
    old = put(root, tiny_sine(seed=1), saved_at=100.0)
    folder = BoardFolder(root, every=0)
    files = sorted(p.name for p in root.iterdir())
    folder.clear(now=150.0)
    scan = folder.scan()
    assert (scan.rows, scan.cleared, scan.cleared_at) == ((), 1, 150.0)
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == files  # the store keeps its models
    new = put(root, tiny_sine(seed=2), saved_at=200.0)
    assert [r.key for r in folder.scan().rows] == [new]
    folder.restore()
    assert {r.key for r in folder.scan().rows} == {old, new}


def test_a_hidden_nickname_shows_as_anonymous_whatever_its_case_and_the_challenge_is_a_switch(tmp_path):
    root = tmp_path / "store"
    one, two, three = (put(root, tiny_sine(seed=seed)) for seed in (1, 2, 3))
    folder = BoardFolder(root, every=0)
    folder.share(one, "Rude")
    folder.share(two, "rude")
    folder.share(three, "Kind")
    folder.hide("RUDE")
    scan = folder.scan()
    assert sorted(str(r.nickname) for r in scan.rows) == ["Kind", "None", "None"] and scan.nicknames() == ["Kind"]
    assert not scan.challenge
    folder.set_challenge(True)
    assert folder.scan().challenge
    folder.set_challenge(False)
    assert not folder.scan().challenge


def test_the_scan_reads_each_entry_once_and_looks_at_the_folder_at_most_every_few_seconds(tmp_path):
    root = tmp_path / "store"
    put(root, tiny_sine(seed=1))
    put(root, tiny_rectangles(seed=1))
    put(root, CellsConfig(units=2, train_size=128, epochs=1))  # counted from its key, never read
    clock = Clock()
    folder = BoardFolder(root, every=2.0, clock=clock)
    first = folder.scan()
    assert (len(first.rows), first.others, folder.reads, first.version) == (2, 1, 2, 1)
    put(root, tiny_sine(seed=2))
    clock.now = 1.0
    assert folder.scan() is first  # looked at less than 2 s ago: the same scan, no listing
    clock.now = 2.5
    second = folder.scan()
    assert (len(second.rows), folder.reads, second.version) == (3, 3, 2)  # only the new entry was read
    clock.now = 5.0
    assert folder.scan() == second and folder.reads == 3  # nothing changed: nothing read
    (root / f"{tiny_sine(seed=2).key()}.keras").unlink()  # removed (or half written): off the board
    clock.now = 7.5
    assert len(folder.scan().rows) == 2 and folder.scan().version == 3
    assert folder.refresh().version == 3  # at once, whatever the clock


def test_an_unreadable_entry_is_counted_not_drawn_and_a_missing_store_is_an_empty_board(tmp_path):
    root = tmp_path / "store"
    key = put(root, tiny_sine())
    (root / f"{key}.json").write_text("{ truncated")
    scan = BoardFolder(root).scan()
    assert (scan.rows, scan.unreadable) == ((), 1)
    assert BoardFolder(tmp_path / "nowhere").scan().rows == ()
