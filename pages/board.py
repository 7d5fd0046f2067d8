"""
Lesson: the class board, where a class pools its experiments.

Every model the class has trained (every finished entry of the model store,
whoever trained it) on one chart per experiment: its held-out error against
its number of parameters, coloured by training size, marked by recipe, with
the Pareto front and the book's result. Hovering a point shows its settings
and who shared it (a nickname, or anonymous); clicking it opens its lesson
with that run's link, so the teacher can project any student's run; the
table under the chart has the same links. The board redraws itself every
few seconds without reloading the page (a fragment), from one scan of the
store shared by every open board (`lstm_core/board.py`).

The sidebar chooses the experiment (kept in the link; `?present=1` hides the
sidebar for the projector) and, on a server started with
`LSTM_EXPLORER_TEACHER_PASSCODE`, holds the teacher's view (`ui/teacher.py`).
"""

import math

import pandas as pd
import streamlit as st

from lstm_core import board as class_board
from lstm_core import experiments, ladder, presets
from lstm_core.experiments import rectangles, sine
from lstm_core.figures import board as board_figures
from ui import cache, controls, i18n, params, sine_controls, state, teacher
from ui.frame import require_app
from ui.i18n import has, t
from ui.lessons import LESSONS
from ui.presets import preset_ui

require_app()

REFRESH_SECONDS = 5
EXPERIMENTS = class_board.BOARD_EXPERIMENTS
EXPERIMENT = controls.choice("experiment", EXPERIMENTS, "sine", kind="radio")
RECTANGLE_SIZES = (100, 500, 1_000, 5_000, 10_000, 25_000)  # the rectangles lesson's (a page test compares them)
# How a run opens in a lesson: its own lesson if its controls can say it, else the training-size lab.
LINKS = [
    class_board.Link("sine", "sine", ("units", "depth", "train_size", "epochs", "seed", "recipe"),
                     sine_controls.TRAIN_SIZES, most_epochs=20),
    class_board.Link("rectangles", "rectangles", ("units", "train_size", "seed", "framing"), RECTANGLE_SIZES),
    class_board.Link("training_size", "sine", ("units", "depth", "epochs", "seed"), ladder.SIZE_CHOICES,
                     most_epochs=10, ladder=True),
    class_board.Link("training_size", "rectangles", ("units", "epochs", "seed"), ladder.SIZE_CHOICES,
                     most_epochs=10, ladder=True),
]
FILES = {lesson.url_path: lesson.file for lesson in LESSONS}


def text(key: str, fallback: str, **values) -> str:
    """The text of `key`, or of `fallback` for an experiment without texts of its own."""
    return t(key if has(key) else fallback, **values)


def experiment_ui() -> str:
    # Options are the ids (a bound radio writes its option to the link); the names are captions.
    return EXPERIMENT.widget(t("board.experiment"), t("board.experiment.help"), st.sidebar, captions=[
        text(f"board.experiment.{name}", "board.experiment.other", name=name) for name in EXPERIMENTS])


def who(row) -> str:
    return class_board.isolated(row.nickname) if row.nickname else t("board.anonymous")


def settings(row) -> str:
    config = row.config
    if row.experiment not in ("sine", "rectangles"):
        return experiments.describe(config)
    return t(f"board.settings.{row.experiment}", units=config.units, depth=getattr(config, "depth", 1),
             size=f"{config.train_size:,}", epochs=config.epochs, seed=config.seed,
             recipe=t(f"board.recipe.{row.marker}") if row.marker else "", framing=getattr(config, "framing", ""))


def hover(row) -> str:
    return text(f"board.hover.{row.experiment}", "board.hover", who=who(row), settings=settings(row),
                error=f"{row.error:.4f}", parameters=f"{row.parameters:,}", seconds=f"{row.seconds:.1f}")


def draw(experiment: str, rows: list, front: list):
    """The chart of one experiment's runs, in the page's language (cached per board version)."""
    book = book_model = None
    if experiment == "sine":
        book = {"parameters": sine.BOOK_PARAMETERS, "error": sine.BOOK_MAE}
    elif experiment == "rectangles":
        book_model = rectangles.BOOK_PARAMETERS
    texts = {
        "title": text(f"board.figure.title.{experiment}", "board.figure.title", count=len(rows), name=experiment),
        "x": t("board.figure.x"), "y": text(f"board.figure.y.{experiment}", "board.figure.y"),
        "size": text(f"board.figure.size.{experiment}", "board.figure.size"),
        "marker.book": t("board.recipe.book"), "marker.fast": t("board.recipe.fast"),
        "marker.": t("board.figure.run"), "front": t("board.figure.front"),
        "book": t("board.figure.book", mae=sine.BOOK_MAE),
        "book.hover": t("board.figure.book.hover", mae=sine.BOOK_MAE, parameters=f"{sine.BOOK_PARAMETERS:,}"),
        "book_model": t("board.figure.book_model", parameters=f"{rectangles.BOOK_PARAMETERS:,}"),
    }
    return board_figures.board_figure(rows, front, [hover(row) for row in rows], texts=texts, book=book,
                                      book_model=book_model)


def link_of(row) -> tuple | None:
    """`(lesson url path, link parameters)` that open this run, with the board's language and present mode."""
    found = class_board.lesson_link(row.config, LINKS)
    if found is None:
        return None
    lesson, values = found
    extra = {"lang": i18n.language()} if i18n.language() != i18n.DEFAULT_LANGUAGE else {}
    return lesson, {**values, **extra, **({"present": 1} if params.present() else {})}


def challenge_ui(scan) -> None:
    if not scan.challenge:
        return
    found = class_board.challenge(scan.rows)
    if found.holder is None:
        st.info(t("board.challenge.none", mae=found.threshold))
        return
    holder = found.holder
    name = class_board.markdown_literal(holder.nickname) if holder.nickname else t("board.anonymous")
    st.info(t("board.challenge.holder", mae=found.threshold, parameters=f"{holder.parameters:,}",
              error=f"{holder.error:.4f}", settings=settings(holder), who=name, below=found.below))


def open_ui(event, rows: list) -> None:
    """A clicked point opens its lesson with its run's link (once per click)."""
    points = event.selection.points if event is not None else []
    keys = [point["customdata"][0] for point in points if point.get("customdata")]
    if not keys:
        st.session_state.pop(state.BOARD_OPENED, None)
        return
    chosen = next((row for row in rows if row.key == keys[0]), None)
    if chosen is None or st.session_state.get(state.BOARD_OPENED) == chosen.key:
        return
    st.session_state[state.BOARD_OPENED] = chosen.key
    found = link_of(chosen)
    if found is None:
        st.warning(t("board.open.none"))
        return
    lesson, values = found
    st.switch_page(FILES[lesson], query_params=params.link_query(values))


def notes_ui(experiment: str, scan, rows: list, front: list) -> None:
    """What the chart leaves out, the book's marker and the front, in sentences from the board's own numbers."""
    if experiment == "sine":
        alike = [row.error for row in rows if row.like_the_book]
        st.caption(t("board.book.sine", mae=sine.BOOK_MAE, count=len(alike), best=f"{min(alike):.4f}")
                   if alike else t("board.book.sine.none", mae=sine.BOOK_MAE))
    elif experiment == "rectangles":
        st.caption(t("board.book.rectangles", parameters=f"{rectangles.BOOK_PARAMETERS:,}"))
    st.caption(t("board.front", count=len(front)))
    left_out = [t("board.others", count=scan.others)] if scan.others else []
    left_out += [t("board.unreadable", count=scan.unreadable)] if scan.unreadable else []
    left_out += [t("board.cleared", count=scan.cleared)] if scan.cleared else []
    if left_out:
        st.caption(" ".join(left_out))


def table_frame(rows: list, front: list) -> pd.DataFrame:
    """Every run, lowest error first, with the link that opens it."""
    on_front = {row.key for row in front}
    records = []
    for row in sorted(rows, key=lambda r: (r.error, r.parameters, r.key)):
        found = link_of(row)
        records.append({"who": row.nickname or t("board.anonymous"), "settings": settings(row), "error": row.error,
                        "parameters": row.parameters, "front": row.key in on_front, "seconds": row.seconds,
                        "open": params.lesson_link(*found) if found else None})
    return pd.DataFrame(records).rename(columns=lambda name: t(f"board.column.{name}"))


def table_ui(frame: pd.DataFrame) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        t("board.column.error"): st.column_config.NumberColumn(format="%.4f"),
        t("board.column.parameters"): st.column_config.NumberColumn(format="localized"),
        t("board.column.seconds"): st.column_config.NumberColumn(format="%.1f"),
        t("board.column.open"): st.column_config.LinkColumn(display_text=t("board.open"))})
    st.caption(t("board.table.caption"))


@st.fragment(run_every=REFRESH_SECONDS)
def board_ui(experiment: str) -> None:
    """The board as it is now: redrawn every few seconds, from the scan every open board shares."""
    scan = cache.board().scan()
    rows = scan.of(experiment)
    challenge_ui(scan)
    if not rows:
        st.info(t("board.empty"))
        notes_ui(experiment, scan, rows, [])
        return
    front = class_board.pareto_front(rows)
    # Made once per change of the board and language for every open board (the links keep present mode).
    figure = cache.board_view(f"{experiment} chart", scan.version, i18n.language(),
                              lambda: draw(experiment, rows, front))
    frame = cache.board_view(f"{experiment} table present={params.present()}", scan.version, i18n.language(),
                             lambda: table_frame(rows, front))
    event = st.plotly_chart(figure, key=f"board_chart_{experiment}", on_select="rerun", selection_mode="points")
    open_ui(event, rows)
    notes_ui(experiment, scan, rows, front)
    table_ui(frame)


st.title(t("board.title"))
st.caption(t("board.caption", seconds=REFRESH_SECONDS))
params.check([EXPERIMENT.param()])
preset_ui("board", presets.BOARD, {"experiment": EXPERIMENT})
experiment = experiment_ui()
if teacher.login_ui():  # another open board sees an action at its next look at the folder and its next redraw
    teacher.actions_ui(cache.board(), REFRESH_SECONDS + math.ceil(cache.board().every))
board_ui(experiment)
