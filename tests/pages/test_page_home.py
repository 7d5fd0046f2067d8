"""AppTest of the home page (and the frame every page shares): lesson links, no TensorFlow, language, present mode."""

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
    assert labels == [i18n.catalogue("en")[f"home.link.{name}"] for name in lessons]

    # A new visit: in one session the language switch keeps its value over a changed address, as in a browser.
    at = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "pages/home.py", "zh")
    assert at.title[0].value == "LSTM 探索器"
    assert [link.proto.label for link in at.get("page_link")] == [
        i18n.catalogue("zh")[f"home.link.{name}"] for name in lessons]
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
