"""A notification fitted to each service: its format, its length limit, links never cut."""

from __future__ import annotations

import re

import apprise
import pytest

from digest.notify.edition import SearchLine
from digest.notify.message import HTML, MARKDOWN, TEXT, Digest, Item, fit, markdown_text
from digest.notify.send import service_format

PAGE = "https://digest.example.org/snapshots/2025-10-08/"
LONG_SUMMARY = "A model that " + "reasons about long documents and " * 5 + "answers."


def digest(count: int = 5, total: int = 12) -> Digest:
    items = tuple(Item(f"Paper number {n}: a title of ordinary length about diffusion and agents",
                       f"https://digest.example.org/papers/paper-number-{n}/", 300 - n, LONG_SUMMARY[:200])
                  for n in range(1, count + 1))
    return Digest("2025-10-08", "Paper Digest, 8 October 2025: 12 new papers", items, total, PAGE)


def urls_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s)\"<]+", text)


WHOLE = {f"https://digest.example.org/papers/paper-number-{n}/" for n in range(1, 6)} | {PAGE}


@pytest.mark.parametrize("url, form, body_limit", [
    ("mastodon://token@127.0.0.1:8080", TEXT, 500),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", MARKDOWN, 2000),
    ("mmost://127.0.0.1:8080/abcdefghijklmnopqrstuvwxyz", TEXT, 4000),
    ("tgram://123456789:abcdefg_hijklmnop/12315544", MARKDOWN, 4096),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", MARKDOWN, 35000),
    ("ntfy://127.0.0.1:8080/topic", TEXT, 7800),
    ("json://127.0.0.1:8080/hook", TEXT, 32768),
])
def test_each_service_gets_its_format_within_its_limit(url: str, form: str, body_limit: int) -> None:
    service = apprise.Apprise.instantiate(url)
    assert service_format(service) == form
    assert service.body_maxlen == body_limit
    post = fit(digest(), form, service.body_maxlen, service.title_maxlen)
    room = body_limit - (len(post.title) + 16 if service.title_maxlen <= 0 else 0)
    assert 0 < len(post.body) <= room
    assert set(urls_in(post.body)) <= WHOLE, "every link whole"
    assert urls_in(post.body)[-1] == PAGE, "the edition's page is always the last link"


def test_a_short_limit_cuts_the_list_not_a_link() -> None:
    full = fit(digest(), TEXT, 100_000, 250)
    assert full.body.count("AI summary:") == 5
    short = fit(digest(), TEXT, 700, 250)
    assert 0 < short.body.count("\n\n") < full.body.count("\n\n")
    assert short.body.endswith(f"All 12 new papers: {PAGE}") and set(urls_in(short.body)) <= WHOLE
    tiny = fit(digest(), TEXT, 160, 250)
    assert "AI summary" not in tiny.body and len(tiny.body) <= 160
    bare = fit(digest(), TEXT, 70, 250)
    assert bare.body == f"All 12 new papers: {PAGE}"
    nothing = fit(digest(), TEXT, 20, 250)
    assert nothing.body == "" and nothing.title


def test_html_and_markdown_escape_scraped_text() -> None:
    hostile = Item('<img src=x onerror="alert(1)"> *x* [a](javascript:b)', "https://d.example/papers/p/", 3,
                   "<script>x</script>")
    case = Digest("2025-10-08", "T", (hostile,), 1, PAGE)
    html = fit(case, HTML, 5000, 250).body
    assert "<img" not in html and "<script>" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    markdown = fit(case, MARKDOWN, 5000, 250).body
    assert r"\<img src=x onerror=" in markdown and r"\*x\* \[a\](javascript:b)" in markdown
    assert markdown_text("a_b|c~d#e`f\\g") == r"a\_b\|c\~d\#e\`f\\g"
    assert "(https://d.example/papers/p/)" in markdown


def test_a_long_title_is_cut_to_the_services_title_limit() -> None:
    case = Digest("2025-10-08", "Paper Digest, 8 October 2025: " + "word " * 100, (), 3, PAGE)
    post = fit(case, TEXT, 1000, 60)
    assert len(post.title) <= 60 and post.title.endswith("…")


def with_picks() -> Digest:
    """Three For-you picks with reasons, three other papers and two saved searches' lines."""
    items = tuple(Item(f"{kind} paper {n}: a title of ordinary length about diffusion and agents",
                       f"https://digest.example.org/papers/{kind}-{n}/", 100 - n, LONG_SUMMARY[:200],
                       "by Tri Dao (followed); mentions speculative decoding" if kind == "pick" else "")
                  for kind in ("pick", "other") for n in range(1, 4))
    searches = tuple(SearchLine(f"Search {n}", n, f"https://digest.example.org/searches/search-{n}/")
                     for n in (1, 2))
    return Digest("2025-10-08", "Paper Digest, 8 October 2025: 12 new papers", items, 12, PAGE, 3, searches)


@pytest.mark.parametrize("form", [TEXT, MARKDOWN, HTML])
def test_with_picks_the_searches_go_first_then_the_other_papers_then_the_picks(form: str) -> None:
    case = with_picks()
    whole = {item.url for item in case.items} | {line.url for line in case.searches} | {PAGE}
    full = fit(case, form, 100_000, 250).body
    assert full.index("For you") < full.index("pick-3") < full.index("Also new") < full.index("other-1")
    assert full.index("other-3") < full.index("Saved searches") < full.index("search-2") < full.index(PAGE)
    seen = []
    for limit in range(len(full), 0, -7):
        body = fit(case, form, limit, 250).body
        assert len(body) <= limit
        if not body:
            break  # not even the page's link fits
        assert set(urls_in(body)) <= whole and urls_in(body)[-1] == PAGE
        shown = [url.rstrip("/").rsplit("/", 1)[-1] for url in urls_in(body)[:-1]]
        seen.append(tuple(shown))
        if any(name.startswith("search") for name in shown):
            assert all(f"other-{n}" in shown for n in (1, 2, 3)), "every paper stays while a search line does"
        if any(name.startswith("other") for name in shown):
            assert all(f"pick-{n}" in shown for n in (1, 2, 3)), "every pick stays while another paper does"
        assert ("Why: " in body) == ("pick-1" in shown), "a pick keeps its reasons, even without its summary"
    assert ("search-1", "search-2") in [shown[-2:] for shown in seen] and ("pick-1",) in seen and () in seen


def test_picks_and_searches_escape_scraped_text() -> None:
    hostile = "<b>x</b> *y* [z](javascript:q)"
    case = Digest("2025-10-08", "T", (Item("Title", "https://d.example/papers/p/", 3, "", hostile),), 1, PAGE, 1,
                  (SearchLine(hostile, 1, "https://d.example/searches/s/"),))
    html = fit(case, HTML, 5000, 250).body
    assert "<b>x</b>" not in html and html.count("&lt;b&gt;x&lt;/b&gt;") == 2
    markdown = fit(case, MARKDOWN, 5000, 250).body
    assert markdown.count(r"\<b\>x\</b\> \*y\* \[z\](javascript:q)") == 2
