"""AppTest of the class board: runs trained through the Trainer on the chart and in the table, links that open
exactly those runs, nicknames shared from a lesson and checked, the teacher's passcode (absent without the
variable, a wrong one changes nothing), clearing without deleting, the challenge, Chinese and present mode."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page, tiny_rectangles, tiny_sine
from lstm_core import ladder
from lstm_core.board import BoardFolder
from lstm_core.engine.store import FORMAT_VERSION
from lstm_core.experiments import CellsConfig, RectangleConfig, SineConfig
from page_helpers import HAN, chart_specs, metrics, missing_texts, prompts, trainings
from ui import cache, i18n, teacher

PAGE = "pages/board.py"
PASSCODE = "owl-42 ünïcode"
EN = i18n.catalogue("en")


def new_visit():
    """Another student opening a link: a new session (the `app` fixture's store and cleared caches)."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


def put(root, config, *, error=0.1, saved_at=1000.0) -> str:
    """A finished entry as the Trainer writes it, with a placeholder model (the board reads only the JSON)."""
    root.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT_VERSION, "key": config.key(), "config": {"experiment": config.experiment,
                                                                      **config.to_dict()},
            "metrics": {"mae": error, "consistency": error, "LSTM": error}, "seconds": 1.0, "saved_at": saved_at}
    (root / f"{config.key()}.json").write_text(json.dumps(meta))
    (root / f"{config.key()}.keras").write_bytes(b"placeholder")
    return config.key()


def table(at):
    return at.dataframe[0].value if at.dataframe else None


def links(at, language: str = "en") -> list[str]:
    return list(table(at)[i18n.catalogue(language)["board.column.open"]])


def hovers(at) -> str:
    return "\n".join(text for spec in chart_specs(at) for trace in spec["data"]
                     for text in trace.get("hovertext") or [])


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def teacher_keys(at) -> set:
    return {b.key for b in at.button if b.key and b.key.startswith("teacher")} | {
        w.key for w in at.text_input if w.key and w.key.startswith("teacher")}


def sidebar_texts(at) -> str:
    return "\n".join([c.value for c in at.sidebar.caption] + [m.value for m in at.sidebar.markdown]
                     + [c.value for c in at.sidebar.code])


def enter(at, passcode: str):
    at.text_input(key="teacher_passcode").set_value(passcode)
    return button(at, EN["board.teacher.enter"]).click().run()


def query(link: str) -> dict:
    return {name: values if name == "sizes" else values[-1] for name, values in parse_qs(urlsplit(link).query).items()}


@pytest.mark.usefixtures("no_jit")
def test_the_board_shows_runs_trained_through_the_trainer_and_their_links_open_exactly_them(app, trainer):
    sine_run = trainer.get(tiny_sine())
    rectangle_run = trainer.get(tiny_rectangles())
    at = open_page(app, PAGE)
    assert not at.error and not at.warning
    assert at.radio(key="experiment").value == "sine"
    (spec,) = chart_specs(at)
    assert spec["layout"]["title"]["text"] == "Damped sine: held-out MAE against parameters (runs: 1)"
    runs = [trace for trace in spec["data"] if trace.get("customdata")]
    assert [trace["customdata"] for trace in runs] == [[[sine_run.config.key()]]]
    assert runs[0]["x"] == [sine_run.model.count_params()] and runs[0]["y"] == [pytest.approx(sine_run.metrics["mae"])]
    assert "anonymous<br>units 4, depth 2, train_size 100, epochs 1, seed 3, fast recipe" in hovers(at)
    assert any(trace["name"] == "the book: MAE 0.0217 (book recipe)" for trace in spec["data"])
    assert links(at) == ["sine?units=4&depth=2&train_size=100&epochs=1&seed=3&recipe=fast"]
    sine_link = links(at)[0]

    at.radio(key="experiment").set_value("rectangles").run()
    assert chart_specs(at)[0]["layout"]["title"]["text"].startswith("Rectangles: consistency error")
    assert links(at) == ["rectangles?units=4&train_size=100&seed=3&framing=book"]

    opened = open_page(new_visit(), "pages/sine.py", query=query(sine_link))
    assert not opened.warning and not prompts(opened) and trainings() == 0  # the stored run itself
    assert metrics(opened)[EN["sine.mae"]] == f"{sine_run.metrics['mae']:.4f}"
    opened = open_page(new_visit(), "pages/rectangles.py", query=query(links(at)[0]))
    assert not opened.warning and trainings() == 0  # (the other framing's comparison may prompt)
    assert opened.session_state["rectangles_sidebar_key"] == rectangle_run.config.key()


def test_a_run_links_to_its_own_lesson_where_its_controls_offer_the_size_else_to_the_lab(app, store_dir):
    for size in ladder.SIZE_CHOICES:
        put(store_dir, RectangleConfig(units=3, train_size=size))
    put(store_dir, RectangleConfig(units=3, train_size=100, epochs=3))
    at = open_page(app, PAGE, query={"experiment": "rectangles"})
    lesson = open_page(new_visit(), "pages/rectangles.py")
    offered = {int(str(option).replace(",", "")) for option in lesson.select_slider(key="train_size").options}
    found = links(at)
    assert len(found) == len(ladder.SIZE_CHOICES) + 1 and all(found)
    for link in found:
        values = query(link)
        if link.startswith("rectangles?"):
            assert int(values["train_size"]) in offered and "epochs" not in values
        else:  # the lab, with a one-size ladder: a size its own lesson does not offer, or more than one epoch
            assert link.startswith("training_size?experiment=rectangles&sizes=")
            assert int(values["sizes"][0]) not in offered or values["epochs"] != "1"
    assert sum(link.startswith("rectangles?") for link in found) == len(offered)


def test_a_nickname_shared_from_a_lesson_is_checked_and_the_board_shows_it_as_plain_text(app, trainer):
    with pytest.MonkeyPatch.context() as patch:
        from lstm_core.engine import fit

        patch.setattr(fit, "JIT_COMPILE", False)
        run = trainer.get(tiny_sine())
    link = {"units": "4", "depth": "2", "train_size": "100", "epochs": "1", "seed": "3"}
    at = open_page(app, "pages/sine.py", query=link)
    assert any(c.value == EN["board.share.anonymous"] for c in at.caption)
    shares = cache.board().shares
    for text, reason in [("<b>x</b>", "U+003C"), ("x" * 10_000, "got 10000"), ("Ada\u202eevil", "U+202E"),
                         ("Ada\x00", "U+0000"), ("Ada\nBo", "U+000A")]:
        at.text_input(key="share_nickname").set_value(text)
        at = button(at, EN["board.share.button"]).click().run()
        assert not at.exception
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and errors[0].startswith("nickname ") and "24 characters" in errors[0], \
            (text[:30], errors)
        assert reason in errors[0]
        assert not shares.exists() or not list(shares.iterdir())  # refused: nothing written
    at.text_input(key="share_nickname").set_value("_Ada_ שלום")
    at = button(at, EN["board.share.button"]).click().run()
    assert not at.error
    assert any(c.value == EN["board.share.current"].format(name="\u2068\\_Ada\\_ שלום\u2069") for c in at.caption)

    board = open_page(new_visit(), PAGE)
    assert list(table(board)[EN["board.column.who"]]) == ["_Ada_ שלום"]  # a table cell: plain text
    assert "\u2068_Ada_ שלום\u2069<br>" in hovers(board)  # no tag in it; isolated from the settings after it
    assert run.config.key() in json.dumps(chart_specs(board))


def test_without_the_passcode_variable_the_teacher_view_does_not_exist(app, monkeypatch, store_dir):
    monkeypatch.delenv(teacher.PASSCODE_VARIABLE, raising=False)
    put(store_dir, tiny_sine())
    at = open_page(app, PAGE)
    assert teacher_keys(at) == set() and not at.text_input
    assert EN["board.teacher.title"] not in "\n".join(s.value for s in at.sidebar.subheader)
    assert str(store_dir) not in sidebar_texts(at) + "\n".join(m.value for m in [*at.markdown, *at.caption])
    monkeypatch.setenv(teacher.PASSCODE_VARIABLE, "   ")  # blank: not a passcode
    at = open_page(new_visit(), PAGE)
    assert teacher_keys(at) == set()


def test_a_wrong_passcode_cannot_clear_the_board_and_the_right_one_clears_without_deleting(app, monkeypatch,
                                                                                           store_dir):
    monkeypatch.setenv(teacher.PASSCODE_VARIABLE, PASSCODE)
    monkeypatch.setattr(teacher, "WRONG_SECONDS", 0.0)
    key = put(store_dir, tiny_sine())
    at = open_page(app, PAGE)
    assert teacher_keys(at) == {"teacher_passcode"}
    for wrong in ("owl-42", PASSCODE + " ", ""):
        at = enter(at, wrong)
        assert [e.value for e in at.sidebar.error] == [
            EN["board.teacher.wrong"].format(left=teacher.MOST_ATTEMPTS - at.session_state["teacher_attempts"])]
        assert teacher_keys(at) == {"teacher_passcode"}  # no action to press
        assert links(at) and not (store_dir / "board" / "cleared.json").exists()
    at = enter(at, PASSCODE)
    assert not at.sidebar.error
    actions = {"teacher_clear", "teacher_restore", "teacher_challenge", "teacher_hide", "teacher_leave"}
    assert actions <= teacher_keys(at)
    assert str(store_dir) in sidebar_texts(at)  # the server's folder, for the teacher only
    files = sorted(p.name for p in store_dir.iterdir() if p.is_file())
    at = at.button(key="teacher_clear").click().run()
    assert not table(at) and EN["board.empty"] in [i.value for i in at.info]
    assert sorted(p.name for p in store_dir.iterdir() if p.is_file()) == files and (store_dir / f"{key}.keras").exists()
    at = at.button(key="teacher_restore").click().run()
    assert len(links(at)) == 1
    at = at.button(key="teacher_leave").click().run()
    assert teacher_keys(at) == {"teacher_passcode"}


def test_a_session_gets_a_few_tries_at_the_passcode(app, monkeypatch, store_dir):
    monkeypatch.setenv(teacher.PASSCODE_VARIABLE, PASSCODE)
    monkeypatch.setattr(teacher, "WRONG_SECONDS", 0.0)
    at = open_page(app, PAGE)
    for _ in range(teacher.MOST_ATTEMPTS):
        at = enter(at, "guess")
    at = enter(at, PASSCODE)  # too late for this session
    assert "teacher_clear" not in teacher_keys(at) and at.text_input(key="teacher_passcode").disabled
    assert EN["board.teacher.locked"].format(most=teacher.MOST_ATTEMPTS) in [w.value for w in at.sidebar.warning]


def test_the_challenge_names_the_smallest_run_below_the_book_and_a_hidden_nickname_is_anonymous(app, monkeypatch,
                                                                                               store_dir):
    monkeypatch.setenv(teacher.PASSCODE_VARIABLE, PASSCODE)
    small = put(store_dir, SineConfig(units=4, depth=1), error=0.0210)
    put(store_dir, SineConfig(units=8, depth=1), error=0.0150)
    put(store_dir, SineConfig(units=2, depth=1), error=0.0500)
    BoardFolder(store_dir).share(small, "Ada_1")
    at = open_page(app, PAGE)
    assert not any("Challenge" in i.value for i in at.info)  # off until the teacher switches it on
    at = enter(at, PASSCODE)
    at = at.button(key="teacher_challenge").click().run()
    (line,) = [i.value for i in at.info if "Challenge" in i.value]
    parameters = 4 * 4 * (1 + 4 + 1) + 4 * 5 + 5
    assert f"Best so far: **{parameters} parameters**, MAE 0.0210" in line
    assert "by \u2068Ada\\_1\u2069" in line and "Runs below 0.0217: 2." in line
    at.selectbox(key="teacher_hide_pick").set_value("Ada_1").run()
    at = at.button(key="teacher_hide").click().run()
    (line,) = [i.value for i in at.info if "Challenge" in i.value]
    assert "by anonymous" in line and "Ada" not in hovers(at) and "Ada_1" not in list(table(at)[EN["board.column.who"]])
    other = open_page(new_visit(), PAGE)  # every open board: the switch is the board's, not the session's
    assert any("Challenge" in i.value for i in other.info)


def test_the_board_with_runs_the_challenge_and_a_clear_in_chinese_has_no_missing_text(app, caplog, store_dir):
    put(store_dir, SineConfig(units=4, depth=1), error=0.0210, saved_at=5_000.0)
    put(store_dir, SineConfig(recipe="book", epochs=1), error=0.0230, saved_at=5_000.0)
    put(store_dir, tiny_rectangles(), saved_at=10.0)
    put(store_dir, CellsConfig(units=2, train_size=128, epochs=1))
    folder = BoardFolder(store_dir)
    folder.set_challenge(True)
    folder.clear(now=100.0)
    with missing_texts(caplog) as missing:
        at = open_page(app, PAGE, "zh", query={"experiment": "sine"})
        at.radio(key="experiment").set_value("rectangles").run()
        at.radio(key="experiment").set_value("sine").run()
    assert not missing, missing
    assert at.title[0].value == "全班看板" and not at.error
    texts = "\n".join([c.value for c in at.caption] + [i.value for i in at.info] + [hovers(at)])
    assert "挑战" in texts and "同等比较（看板上有 1 次，最好的 MAE 为 0.0230）" in texts
    assert "清空看板之前保存的训练不再显示；模型库仍保留它们（1 次）" in texts
    assert "概念课" in texts
    assert HAN.search(chart_specs(at)[0]["layout"]["title"]["text"]) and "lang=zh" in links(at, "zh")[0]


def test_present_mode_hides_the_sidebar_and_keeps_itself_in_the_links(app, store_dir):
    put(store_dir, tiny_rectangles())
    at = open_page(app, PAGE, query={"present": "1", "experiment": "rectangles"})
    assert any("stSidebar" in e.proto.body and "display: none" in e.proto.body for e in at.get("html"))
    assert at.radio(key="experiment").value == "rectangles"
    assert query(links(at)[0])["present"] == "1"
