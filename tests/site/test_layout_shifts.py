"""Nothing a reader is looking at moves while the scripts add the reader's own controls (templates/static/reader.js's
stars and follow buttons, for-you.js's "New for you", saved.js's reading list): the layout shifts Chromium records
(PerformanceObserver 'layout-shift', what Lighthouse adds up as Cumulative Layout Shift) stay at zero at 360 and
1280 px, for a new reader and for one who follows and stars. Without JavaScript no room is kept for them.
Lighthouse itself: bench/lighthouse_pages.py --reader."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from tests.helpers import NARROW, WIDE, QuietHandler, make_project, org_snapshots, serve_folder

pytestmark = pytest.mark.browser

SHORT_DAY = "2025-10-14"
SHORT_TITLE = "Tiny Agents"
KEY = "paper-digest:/"  # reader.js's storage key for a site served at the root
RECORD_SHIFTS = """() => {
  window.layoutShifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) window.layoutShifts.push(entry.value);
    }
  }).observe({type: "layout-shift", buffered: true});
}"""
AFTER_FRAMES = ("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => "
                "setTimeout(done, 150))))")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six days of papers from organizations, then a day of papers whose cards are shorter than their votes and a
    star (no authors, a one-word summary): the cards a star would make grow, each moving all the next ones."""
    root = tmp_path_factory.mktemp("shift-site")
    snapshots = org_snapshots()
    short = [{"paper": {"id": f"2510.0999{number}", "title": f"{SHORT_TITLE} {number}", "summary": "Agents.",
                        "upvotes": 30 - number, "authors": []}} for number in range(1, 9)]
    snapshots[f"{SHORT_DAY}.json"] = json.dumps(short)
    make_project(root, snapshots)
    assert main(["build", "--quiet", "--source", str(root)]) == 0
    return root / "site"


class SlowScripts(QuietHandler):
    """Scripts arrive a moment after the page and its style sheet, as on a phone's network: the page is painted
    before the deferred scripts run, so whatever they add or move after that counts as a layout shift."""

    def do_GET(self) -> None:
        if self.path.endswith(".js"):
            time.sleep(0.3)
        super().do_GET()


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with serve_folder(site, SlowScripts) as url:
        yield url


def follower_state(site: Path) -> str:
    """A reader who starred the short paper and follows the organization Qwen and the author all papers share."""
    star = {"t": f"{SHORT_TITLE} 1", "u": "papers/tiny-agents-1/", "d": SHORT_DAY, "a": [], "x": "2510.09991",
            "s": SHORT_DAY}
    assert (site / star["u"]).is_dir()
    follows = [{"kind": "org", "key": "qwen", "name": "Qwen"},
               {"kind": "author", "key": "Shared Author", "name": "Shared Author"}]
    return json.dumps({"version": 1, "stars": [star], "follows": follows, "visit": None})


def open_and_measure(browser: Any, server: str, path: str, viewport: dict[str, int], ready: str, *,
                     state: str | None = None) -> tuple[float, Any]:
    """Loads `server` + `path` in a fresh profile (with `state` stored first, as reader.js keeps it), waits until
    the JavaScript condition `ready` holds and two frames more; gives the page's cumulative layout shift and tab."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    if state is not None:
        tab.goto(server + "robots.txt")
        tab.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, state])
    tab.add_init_script(f"({RECORD_SHIFTS})()")
    tab.goto(server + path)
    tab.wait_for_function(ready)
    tab.evaluate(AFTER_FRAMES)
    assert not errors, errors
    return tab.evaluate("() => window.layoutShifts.reduce((sum, value) => sum + value, 0)"), tab


STARS_READY = ("() => document.querySelectorAll('.paper-card[data-star]').length > 0 && "
               "document.querySelectorAll('.paper-card[data-star]').length === "
               "document.querySelectorAll('.paper-card .star-button').length")
FOLLOW_READY = "() => document.querySelector('.follow-slot .follow-button, .reader-row .star-button') !== null"


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["360px", "1280px"])
@pytest.mark.parametrize("page", ["day", "topic", "org"])
def test_stars_and_follow_buttons_appear_without_moving_anything(browser: Any, server: str, site: Path,
                                                                 page: str, viewport: dict[str, int]) -> None:
    path = {"day": f"snapshots/{SHORT_DAY}/", "topic": "topics/agents/", "org": "orgs/qwen/"}[page]
    assert (site / path / "index.html").is_file(), path
    ready = STARS_READY if page != "org" else f"() => ({STARS_READY[6:]}) && ({FOLLOW_READY[6:]})"
    shift, tab = open_and_measure(browser, server, path, viewport, ready)
    tab.context.close()
    assert shift < 0.001, f"{path} at {viewport['width']} px: layout shift {shift:.4f} while the stars were added"


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["360px", "1280px"])
def test_a_papers_star_and_author_menu_appear_without_moving_anything(browser: Any, server: str,
                                                                      viewport: dict[str, int]) -> None:
    shift, tab = open_and_measure(browser, server, "papers/tiny-agents-1/", viewport, FOLLOW_READY)
    tab.context.close()
    assert shift < 0.001, f"layout shift {shift:.4f} on a paper's page"


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["360px", "1280px"])
def test_new_for_you_fills_without_moving_the_days_papers(browser: Any, server: str, site: Path,
                                                          viewport: dict[str, int]) -> None:
    shift, tab = open_and_measure(
        browser, server, "", viewport,
        "() => / since .* on what you follow/.test(document.querySelector('#new-for-you [role=status]').textContent)",
        state=follower_state(site))
    found = tab.locator("#new-for-you .paper-card").count()
    busy = tab.get_attribute("#new-for-you", "aria-busy")
    tab.context.close()
    assert found, "the follower's New for you is empty: the test would measure nothing"
    assert busy is None, "New for you still says it is busy once filled"
    assert shift < 0.001, f"layout shift {shift:.4f} while New for you was filled ({found} papers)"


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["360px", "1280px"])
@pytest.mark.parametrize("reader", ["new", "follower"])
def test_the_reading_list_fills_without_moving_the_footer(browser: Any, server: str, site: Path, reader: str,
                                                          viewport: dict[str, int]) -> None:
    state = follower_state(site) if reader == "follower" else None
    shift, tab = open_and_measure(browser, server, "saved/", viewport,
                                  "() => document.getElementById('saved-status').textContent.trim() !== ''",
                                  state=state)
    listed = tab.locator("#saved-list li").count()
    tab.context.close()
    assert listed == (1 if state else 0)
    assert shift < 0.001, f"layout shift {shift:.4f} on /saved/ for a {reader} reader"


def test_without_javascript_no_room_is_kept(browser: Any, server: str, site: Path) -> None:
    """The room kept for the controls is for readers whose browser runs the scripts: without them the short card is
    as tall as its text and the empty reading list's footer is in view."""
    heights = {}
    for scripts in (True, False):
        context = browser.new_context(viewport=WIDE, java_script_enabled=scripts)
        tab = context.new_page()
        tab.goto(server + f"snapshots/{SHORT_DAY}/")
        card = tab.locator(".paper-card", has_text=f"{SHORT_TITLE} 1")
        heights[scripts] = card.bounding_box()["height"]
        if not scripts:
            tab.goto(server + "saved/")
            assert tab.locator(".site-footer").bounding_box()["y"] < WIDE["height"]
            assert tab.locator("#saved noscript").count() == 1
        context.close()
    assert heights[False] < heights[True], "the short card should keep its star's room only when scripts run"
