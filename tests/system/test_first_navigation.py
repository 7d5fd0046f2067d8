"""
Issue 12, end to end: the first visitor of a freshly started server keeps the link's language on the first
click in the sidebar.

A fresh server process runs its first script run in Streamlit's legacy `pages/` mode (`ui/frame.py`), where
`app.py` used to draw its language switch under a lesson's script hash: Streamlit then took `lang` for that
lesson's link parameter and dropped it on the first page switch, so the next lesson opened in English at a
bare `/cells`. Only the very first visit of the process shows it, so every case starts its own
`streamlit run` (the README's `serve.py`, and `app.py`) on an empty temporary store, makes the first visit of
that process and clicks another lesson in the sidebar.

It reuses `tests/system/test_browser.py`: the Chromium fixture (skipped without it, a failure with
`CI=true`), the server start and the idle-app selector.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from test_browser import IDLE, _context_page, _exceptions, _serve, browser  # noqa: F401 - browser is a fixture
from ui import i18n, state

pytestmark = pytest.mark.browser

# The link parameters app.py itself binds, kept across every lesson (a lesson's own controls belong to it).
STICKY = {state.LANGUAGE: ["zh"]}
# (command, first visit, lesson clicked next): both commands and both ways the legacy first run reaches app.py:
# a lesson link on the README's serve.py (the lesson runs app.py through require_app), and the home page on
# app.py (app.py is the legacy mode's own home page). A fresh server each, so two cases keep it under a minute.
CASES = [("serve.py", "sine", "cells"), ("app.py", "", "sine")]


def _title(path: str, language: str) -> str:
    return i18n.catalogue(language)[f"{path or 'home'}.title"]


@pytest.fixture
def fresh_server(request, tmp_path):
    """A server started for this test alone: nobody has visited it yet."""
    yield from _serve(tmp_path, tmp_path / "store", request.param)


@pytest.mark.parametrize("fresh_server, first, then", CASES, indirect=["fresh_server"],
                         ids=[f"{script}-{first or 'home'}-to-{then}" for script, first, then in CASES])
def test_the_first_visitor_keeps_the_language_on_the_first_click(browser, fresh_server, tmp_path, first, then):
    address, log = fresh_server
    context, tab = _context_page(browser, tmp_path)
    try:
        tab.goto(f"{address}/{first}?lang=zh")  # the process's very first visit
        tab.wait_for_selector(IDLE)
        heading = tab.locator("h1").first
        heading.wait_for()
        assert heading.inner_text() == _title(first, "zh")

        tab.locator(f'[data-testid="stSidebarNav"] a[href="{address}/{then}"]').click()
        tab.wait_for_url(lambda url: urlsplit(url).path == f"/{then}")
        either = "|".join(re.escape(_title(then, language)) for language in ("zh", "en"))
        heading = tab.locator("h1", has_text=re.compile(f"^({either})$")).first
        heading.wait_for()  # the lesson clicked is drawn, in one language or the other
        tab.wait_for_selector(IDLE)

        assert heading.inner_text() == _title(then, "zh"), "the lesson opened in English"
        tab.wait_for_timeout(500)  # a late rerun would turn it English now
        tab.wait_for_selector(IDLE)
        assert tab.locator("h1").first.inner_text() == _title(then, "zh"), "the lesson turned English"
        # (The sidebar's switch itself was seen, once in about six fresh servers, showing "en" on a Chinese page:
        # a display-only mismatch not yet understood, so it is not asserted here.)
        assert parse_qs(urlsplit(tab.url).query) == STICKY, f"the link lost its parameters: {tab.url}"
        assert _exceptions(tab) == [], log.read_text()[-2000:]
    finally:
        tab.screenshot(path=str(tmp_path / "last.png"), full_page=True)
        context.close()
