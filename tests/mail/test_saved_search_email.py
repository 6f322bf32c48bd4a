"""The email's saved-search sections: each saved search with new papers that day, a line a paper, in HTML and
text; hostile names escaped; and a day too big for one email cut by whole papers, never in the middle of one."""

from __future__ import annotations

import json
import re
from pathlib import Path

from digest.commands.sources import read_sources
from digest.mail.compose import MAX_HTML_BYTES, compose_email, day_edition, email_renderer
from digest.plan.searches import saved_search_matches
from tests.helpers import HOSTILE_SEARCH, SEARCH_DAYS, interests_yaml, make_project, search_snapshots

BASE_URL = "https://paper-digest.netlify.app/"


def email_for(root: Path, snapshots: dict[str, str], interests: str, day: str) -> tuple[str, str]:
    project = make_project(root, snapshots)
    (project.content / "interests.yaml").write_text(interests, encoding="utf-8")
    sources = read_sources(project)
    catalog, config = sources.catalog, sources.config
    edition = day_edition(next(one for one in catalog.days if one.date.isoformat() == day))
    digest = compose_email(catalog, config, email_renderer(project, config), edition,
                           searches=saved_search_matches(catalog, config, sources.searches))
    return digest.html, digest.text


def test_each_saved_search_with_new_papers_that_day_has_a_section(tmp_path: Path) -> None:
    # SEARCH_DAYS[0] brings papers 0, 5 and 10: "Test-Time Scaling for Reasoning Models", "Speculative Sampling at
    # Scale", "Routing Tokens Without Experts".
    html, text = email_for(tmp_path, search_snapshots(), interests_yaml(), SEARCH_DAYS[0])
    sections = re.findall(r'<h3 class="topic"[^>]*>(.*?)</h3>', html)
    assert sections == ["Test-time scaling", "Speculative decoding, no surveys", "MoE routing", "Tri Dao", "Misspelt"]
    assert html.count(">Test-Time Scaling for Reasoning Models</a>") == 3  # in its topic, and in two searches
    assert f'href="{BASE_URL}searches/test-time-scaling/"' in html
    assert "SAVED SEARCHES\n--------------" in text
    assert f'Every paper matching "+speculative -survey":\n{BASE_URL}searches/speculative-decoding-no-surveys/' in text
    assert "Distill anything" not in text  # no new paper of it that day: no section


def test_no_saved_search_leaves_the_email_as_it_was(tmp_path: Path) -> None:
    with_none = email_for(tmp_path / "a", search_snapshots(), "keywords: [x]\n", SEARCH_DAYS[0])
    assert "Saved searches" not in with_none[0] and "SAVED SEARCHES" not in with_none[1]
    project = make_project(tmp_path / "b", search_snapshots())
    sources = read_sources(project)
    edition = day_edition(sources.catalog.days[0])
    plain = compose_email(sources.catalog, sources.config, email_renderer(project, sources.config), edition)
    assert (plain.html, plain.text) == with_none


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    snapshots = search_snapshots()
    interests = interests_yaml(((HOSTILE_SEARCH, "<i>scaling</i>"),))  # "i" is a stop word
    html, text = email_for(tmp_path, snapshots, interests, SEARCH_DAYS[0])
    assert "<script>" not in html and "<i>scaling" not in html and "&lt;i&gt;scaling&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(&#34;search&#34;)&lt;/script&gt; &amp; &#39;Alerts&#39; / R&amp;D" in html
    assert HOSTILE_SEARCH in text  # plain text is not HTML


def test_a_day_too_big_for_one_email_cuts_the_lists_never_a_paper(tmp_path: Path) -> None:
    long = "We study learning systems at scale with many careful experiments. " * 12
    items = [{"paper": {"id": f"2510.{30000 + n}", "title": f"Scaling Study Number {n} " + "of Many Words " * 8,
                        "summary": long, "upvotes": n, "authors": [{"name": f"Author {n}"}]}} for n in range(200)]
    interests = interests_yaml(tuple((f"Search {n}", "scaling") for n in range(12)))
    html, _ = email_for(tmp_path, {"2025-10-13.json": json.dumps(items)}, interests, "2025-10-13")
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES
    sections = re.findall(r'<h3 class="topic"[^>]*>Search \d+</h3>\s*<ul class="returning"[^>]*>(.*?)</ul>', html,
                          re.S)
    assert len(sections) == 12
    for section in sections:  # every line a whole title, linked
        lines = re.findall(r'<a class="link"[^>]*>(.*?)</a>', section)
        assert lines and all(re.fullmatch(r"Scaling Study Number \d+ (of Many Words ){7}of Many Words", line)
                             for line in lines)
    assert re.search(r"And \d+ more new\. ", html)
