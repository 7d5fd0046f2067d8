"""AppTest of the home page (and the frame every page shares): lesson cards with thumbnails and links, no
TensorFlow, language, present mode."""

import subprocess
import sys

from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from ui import i18n
from ui.lessons import LESSONS


def test_home_page_links_every_lesson_in_english_and_chinese(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "LSTM Explorer"
    lessons = [lesson.url_path for lesson in LESSONS if lesson.url_path]
    assert [link.proto.page for link in at.get("page_link")] == lessons
    labels = [link.proto.label for link in at.get("page_link")]
    assert labels == [i18n.catalogue("en")[f"lesson.{name}"] for name in lessons]  # short: a link holds one line
    descriptions = [i18n.catalogue("en")[f"home.link.{name}"] for name in lessons]
    assert [c.value for c in at.caption][:len(lessons)] == descriptions

    # A new visit: in one session the language switch keeps its value over a changed address, as in a browser.
    at = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "pages/home.py", "zh")
    assert at.title[0].value == "LSTM 探索器"
    assert [link.proto.label for link in at.get("page_link")] == [
        i18n.catalogue("zh")[f"lesson.{name}"] for name in lessons]
    descriptions = [i18n.catalogue("zh")[f"home.link.{name}"] for name in lessons]
    assert [c.value for c in at.caption][:len(lessons)] == descriptions
    assert at.radio(key="lang").value == "zh"


def test_home_page_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "False"]


def test_present_mode_hides_the_sidebar(app):
    app.query_params.update({"present": "1"})
    at = app.run()
    assert not at.exception
    styles = [element.proto.body for element in at.get("html")]
    assert any("stSidebar" in body and "display: none" in body for body in styles)


def test_without_present_mode_the_sidebar_stays(app):
    at = app.run()
    assert not [element for element in at.get("html") if "stSidebar" in element.proto.body]


def test_the_sidebar_counts_the_stored_models_but_never_shows_the_servers_folder(app, store_dir):
    at = open_page(app, "pages/home.py")
    shown = [caption.value for caption in at.sidebar.caption]
    assert any(text.startswith("Model store: 0 trained models") for text in shown)
    assert not any(str(store_dir) in text for text in shown + [m.value for m in at.markdown])


THUMBNAILS = ROOT / "ui" / "assets" / "thumbnails"


def test_every_lesson_has_a_card_with_its_thumbnail_or_its_icon(app):
    lessons = [lesson for lesson in LESSONS if lesson.url_path]
    pictured = [lesson for lesson in lessons if (THUMBNAILS / f"{lesson.url_path}.png").is_file()]
    at = open_page(app, "pages/home.py")
    assert len(at.get("image")) == len(pictured)  # one picture for each lesson that has a thumbnail file
    icons = [m.value for m in at.markdown if m.value.startswith("## :material/")]
    assert icons == [f"## {lesson.icon}" for lesson in lessons if lesson not in pictured]  # the others: their icon
    assert [link.proto.page for link in at.get("page_link")] == [lesson.url_path for lesson in lessons]


def test_without_thumbnail_files_every_lesson_still_has_its_card(app, monkeypatch):
    """A new lesson, before `docs/make_screenshots.py --thumbnails` has made its picture: its icon, and its link."""
    from pathlib import Path

    real = Path.is_file
    monkeypatch.setattr(Path, "is_file", lambda path: False if path.parent == THUMBNAILS else real(path))
    at = open_page(app, "pages/home.py")
    lessons = [lesson for lesson in LESSONS if lesson.url_path]
    assert not at.get("image")
    assert [m.value for m in at.markdown if m.value.startswith("## :material/")] == [f"## {l.icon}" for l in lessons]
    assert len(at.get("page_link")) == len(lessons)


def test_the_committed_thumbnails_are_small_pictures_of_lessons():
    from PIL import Image

    names = {lesson.url_path for lesson in LESSONS if lesson.url_path}
    for path in (ROOT / "ui/assets/thumbnails").glob("*"):
        assert path.suffix == ".png" and path.stem in names, path.name  # no picture of a lesson that is gone
        assert path.stat().st_size < 80_000, path.name
        with Image.open(path) as image:
            assert image.size == (480, 300), (path.name, image.size)  # every card the same size
