"""Whole builds: the pages a reader gets, determinism, atomicity and hostile input."""

from __future__ import annotations

import filecmp
import gc
import gzip
import os
import re
import shutil
from pathlib import Path

import pytest

from digest.commands.build import BuildReport, BuildState, InView, build_site
from digest.errors import DigestError
from digest.project import Project
from tests.helpers import FIXTURES, make_project, stored_documents, tree


def test_the_site_has_every_kind_of_page(built_site: tuple[Project, BuildReport]) -> None:
    project, report = built_site
    site = project.output
    assert len(list((site / "papers").glob("*/index.html"))) == 96
    assert sorted(p.name for p in (site / "snapshots").iterdir()) == ["2025-03-19", "2025-10-08"]
    for path in ["index.html", "archive/index.html", "topics/index.html", "search/index.html", "404.html",
                 "about/index.html", "feed.xml", "sitemap.xml", "robots.txt", "search/manifest.json",
                 "topics/fine-tuning/index.html",
                 "topics/fine-tuning/feed.xml"]:
        assert (site / path).is_file(), path
    search = [path for path in (site / "search").rglob("*.json")]
    assert report.search_bytes == sum(path.stat().st_size for path in search)
    assert report.search_bytes / report.papers < 4096
    assert sum(len(gzip.compress(path.read_bytes(), mtime=0)) for path in search) / report.papers < 1536


def test_home_page_lists_new_papers_before_returning_ones(site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text()
    assert "Papers of 8 October 2025" in home
    new_at, returning_at = home.index('id="new-heading"'), home.index('id="returning-heading"')
    assert home.count('class="paper-card"') == 17  # new papers in full
    returning = home[returning_at:home.index("</section>", returning_at)]
    assert returning.count("<li>") == 49 and 'class="compact-list"' in returning  # returning ones, a line each
    assert 'class="paper-card"' not in returning and 'class="paper-snippet"' not in returning
    assert new_at < home.index("Alt-MoE:A Scalable Framework") < returning_at  # first seen on Oct 8
    assert returning_at < home.index("Regression Transformer: Concurrent")  # seen on Mar 19 already


def test_paper_page_shows_abstract_links_topics_and_snapshots(site_dir: Path) -> None:
    page = (site_dir / "papers/regression-transformer-concurrent-sequence-regression-and-generation-for"
            / "index.html").read_text()
    assert '<a href="https://github.com/IBM/regression-transformer" rel="nofollow noopener">' in page
    assert 'class="code-link"' in page
    assert page.count('href="../../snapshots/') == 2
    assert 'href="../../topics/science-health/"' in page
    assert '<link rel="canonical" href="https://paper-digest.netlify.app/papers/regression-transformer' in page


def test_pagination_keeps_topic_pages_light(tmp_path: Path) -> None:
    site_yaml = (FIXTURES.parent.parent / "content" / "site.yaml").read_text().replace(
        "papers_per_page: 50", "papers_per_page: 10")
    project = make_project(tmp_path, with_seeds=True, site_yaml=site_yaml)
    build_site(project)
    topic = project.output / "topics" / "fine-tuning"
    pages = sorted(topic.glob("page/*/index.html"))
    first = (topic / "index.html").read_text()
    assert first.count('class="paper-card"') == 10
    assert pages and 'rel="next" href="../../topics/fine-tuning/page/2/"' in first
    last = pages[-1].read_text()
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path: Path) -> None:
    one = make_project(tmp_path / "one", with_seeds=True)
    two = make_project(tmp_path / "two", with_seeds=True)
    build_site(one)
    build_site(two)
    comparison = filecmp.dircmp(one.output, two.output)
    assert tree(one.output) == tree(two.output), comparison.report()


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    build_site(project)
    before = tree(project.output)
    shutil.copy(FIXTURES / "snapshots" / "missing-abstract.txt", project.snapshots / "2025-10-09.txt")
    (project.snapshots / "2025-10-09.txt").write_text(
        (FIXTURES / "snapshots" / "missing-abstract.txt").read_text().replace("Oct 8", "Oct 9"))
    with pytest.raises(DigestError, match="has no abstract"):
        build_site(project)
    assert tree(project.output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]


def test_a_build_gives_the_garbage_collector_back_as_it_found_it(tmp_path: Path) -> None:
    """A build pauses cyclic collection; the preview server, which lives on, must get it back, failed build or not."""
    project = make_project(tmp_path, with_seeds=True)
    assert gc.isenabled()
    build_site(project, state=BuildState())
    assert gc.isenabled()
    (project.snapshots / "2025-10-09.txt").write_text(
        (FIXTURES / "snapshots" / "missing-abstract.txt").read_text().replace("Oct 8", "Oct 9"))
    with pytest.raises(DigestError, match="has no abstract"):
        build_site(project)
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        (project.snapshots / "2025-10-09.txt").unlink()
        build_site(project)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_keep_going_skips_the_bad_file_with_a_warning(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True, snapshots={
        "2025-10-09.txt": (FIXTURES / "snapshots" / "latin1.txt").read_bytes().replace(b"Oct 8", b"Oct 9")})
    report = build_site(project, keep_going=True)
    assert report.papers == 96
    assert any("2025-10-09.txt:5" in warning and "UTF-8" in warning for warning in report.warnings)


def test_two_snapshots_for_one_date_is_an_error(tmp_path: Path) -> None:
    minimal = (FIXTURES / "snapshots" / "minimal.txt").read_text()
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": minimal, "2025-10-08-again.txt": minimal})
    with pytest.raises(DigestError, match="same date") as caught:
        build_site(project)
    assert "2025-10-08-again.txt" in str(caught.value) and "2025-10-08.txt" in str(caught.value)


def test_an_output_folder_that_holds_the_sources_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    with pytest.raises(DigestError, match="would replace the sources"):
        build_site(Project.at(tmp_path, tmp_path))
    assert (project.snapshots / "2025-10-08.txt").is_file()


def test_a_rebuild_with_nothing_changed_renders_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    state = BuildState()
    first = build_site(project, state=state)
    again = build_site(project, state=state)
    assert first.rendered == first.pages and again.rendered == 0
    assert again.written == 0 and again.unchanged == again.files


def test_saving_a_file_unchanged_costs_almost_nothing_and_a_real_edit_still_rebuilds(tmp_path: Path) -> None:
    """An editor's save with the same bytes gives the previous result without planning, rendering or writing."""
    project = make_project(tmp_path, with_seeds=True)
    state = BuildState()
    build_site(project, state=state)
    newest = project.snapshots / "2025-10-08.txt"
    os.utime(newest, ns=(newest.stat().st_atime_ns, newest.stat().st_mtime_ns + 5_000_000_000))
    again = build_site(project, state=state)
    assert (again.rendered, again.written, again.removed) == (0, 0, 0) and again.seconds < 0.3
    newest.write_text(newest.read_text(encoding="utf-8").replace("Regression Transformer", "Regression Transformers"),
                      encoding="utf-8")
    edited = build_site(project, state=state)
    assert edited.rendered > 0 and edited.written > 0
    fresh = make_project(tmp_path / "fresh", with_seeds=True)
    (fresh.snapshots / "2025-10-08.txt").write_bytes(newest.read_bytes())
    build_site(fresh)
    assert tree(project.output) == tree(fresh.output), "the preview's site equals a fresh full build's"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    project = make_project(root, snapshots={"2025-10-09.txt": (FIXTURES / "snapshots" / "hostile.txt").read_text()})
    build_site(project)
    return project.output


class TestHostileSnapshot:
    """Scraped text is data: it can neither run, break the markup nor escape site/."""

    @pytest.fixture
    def site(self, hostile_site: Path) -> Path:
        return hostile_site

    def test_nothing_escapes_the_output_folder(self, site: Path) -> None:
        for path in site.rglob("*"):
            assert site in path.resolve().parents
        assert not (site.parent / "etc").exists()
        slugs = sorted(p.name for p in (site / "papers").iterdir())
        assert slugs == ["normal-paper-about-federated-learning", "script-alert-title-script-quotes-too-etc-passwd"]

    def test_markup_in_titles_and_abstracts_is_escaped_everywhere(self, site: Path) -> None:
        for path in [*site.rglob("*.html"), *site.rglob("*.xml")]:
            text = path.read_text()
            assert "<script>alert" not in text, path
            assert "<img src=x" not in text, path
            assert 'href="javascript:' not in text and "href='javascript:" not in text, path
            assert 'onmouseover="alert' not in text, path
        page = (site / "papers/script-alert-title-script-quotes-too-etc-passwd/index.html").read_text()
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; &amp; &#34;Quotes&#34;" in page
        assert '<a href="https://example.org/a" rel="nofollow noopener">' in page
        assert "{{ 7*7 }}" in page  # template syntax in data is shown, never evaluated

    def test_urls_with_markup_are_escaped_inside_attributes(self, site: Path) -> None:
        page = (site / "papers/normal-paper-about-federated-learning/index.html").read_text()
        assert '<a href="http://example.org/path?x=1&amp;y=" rel="nofollow noopener">' in page
        assert "</a>&lt;2&gt;." in page  # '<' ends a URL; the rest is text

    def test_search_documents_are_valid_json_with_the_raw_text(self, site: Path) -> None:
        documents = stored_documents(site)
        assert any(doc[0].startswith('<script>alert("title")') for doc in documents)

    def test_feeds_stay_well_formed_xml(self, site: Path) -> None:
        from xml.etree import ElementTree

        for feed in site.rglob("*.xml"):
            ElementTree.parse(feed)  # raises on broken markup
        assert re.search(r"<title>&lt;script&gt;", (site / "feed.xml").read_text())


def test_topic_page_cards_do_not_repeat_that_topic(site_dir: Path) -> None:
    """Every paper on a topic's page has that topic; its tag says nothing there. Other topics stay."""
    other_tags = 0
    for page in site_dir.glob("topics/*/index.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="paper-list"' not in text:
            continue
        cards = text[text.index('class="paper-list"'):text.index("</ol>")]
        assert f'href="../../topics/{page.parent.name}/"' not in cards, page
        other_tags += cards.count('class="tag"')
    assert other_tags > 50
    snapshot = (site_dir / "snapshots" / "2025-10-08" / "index.html").read_text(encoding="utf-8")
    assert 'class="tag" href="../../topics/agents/"' in snapshot  # elsewhere cards keep every tag


def test_a_preview_session_after_edits_writes_exactly_what_a_full_build_writes(tmp_path: Path) -> None:
    """Every preview cache (snapshots, catalog, paper page plans, related papers from a worker, search terms,
    email plans and renders, written files) must give the bytes a fresh `digest build` gives."""
    project = make_project(tmp_path / "preview", with_seeds=True)
    state = BuildState()
    build_site(project, state=state)
    newest = project.snapshots / "2025-10-08.txt"
    text = newest.read_text(encoding="utf-8").replace("Cyclical Curriculum Learning\n\nArtificial",
                                                      "Cyclical Curriculum Learning\n\nEdited: artificial")
    newest.write_text(text.rstrip("\n") + "\n\nFederated Distillation for Sparse Mixtures of Experts\n\n"
                      "We distill federated clients into a sparse mixture of experts with differential privacy.\n",
                      encoding="utf-8")
    again = build_site(project, state=state)
    assert 0 < again.rendered < again.pages
    fresh = Project.at(project.root, tmp_path / "fresh")
    build_site(fresh)
    files = tree(project.output)
    assert files == tree(fresh.output)
    assert any(b"Edited: artificial" in data for data in files.values())
    assert "papers/federated-distillation-for-sparse-mixtures-of-experts/index.html" in files


def test_a_preview_writes_the_open_pages_first_and_then_what_a_full_build_writes(tmp_path: Path) -> None:
    """With the home page open, a rebuild after a new paper writes the home page, showing it, before the paper's
    own page exists; an open paper page waits for its related papers; the site then equals a fresh build's."""
    project = make_project(tmp_path / "preview", with_seeds=True)
    state = BuildState()
    told: list[frozenset[str]] = []
    build_site(project, state=state, in_view=InView(frozenset({"index.html"}), told.append))
    assert not told, "a session's first build writes through its staging folder: all of the site or none"
    before = tree(project.output)
    newest = project.snapshots / "2025-10-08.txt"
    newest.write_text(newest.read_text(encoding="utf-8").rstrip("\n") + "\n\nFederated Distillation for Sparse "
                      "Mixtures of Experts\n\nWe distill federated clients into a sparse mixture of experts.\n",
                      encoding="utf-8")
    new_page = project.output / "papers" / "federated-distillation-for-sparse-mixtures-of-experts" / "index.html"
    home_then: list[tuple[bool, bool]] = []

    def shown(files: frozenset[str]) -> None:
        told.append(files)
        if len(told) == 1:
            home_then.append((b"Federated Distillation" in (project.output / "index.html").read_bytes(),
                              new_page.exists()))

    open_paper = next(name for name in before if name.startswith("papers/"))
    again = build_site(project, state=state,
                       in_view=InView(frozenset({"index.html", "about/index.html", open_paper}), shown))
    assert told[0] == {"index.html"} and home_then == [(True, False)]
    assert not any(open_paper in files or "about/index.html" in files for files in told)
    after = tree(project.output)
    assert again.written == sum(1 for name, data in after.items() if before.get(name) != data)
    fresh = Project.at(project.root, tmp_path / "fresh")
    build_site(fresh)
    assert after == tree(fresh.output)


def test_a_preview_rebuild_after_new_upvotes_reuses_the_related_papers(tmp_path: Path) -> None:
    """Today's snapshot fetched again with new counts changes no paper's words: the related lists are kept (no
    task computes them: the build's summary has no "related papers" part) and the site equals a fresh full build's."""
    json_day = {"2025-10-09.json": (FIXTURES / "json" / "2025-10-09.json").read_bytes()}
    project = make_project(tmp_path / "preview", json_day, with_seeds=True)
    state = BuildState()
    first = build_site(project, state=state)
    assert state.related.lists and any(state.related.lists.values())
    assert "related papers" in _parts(first)
    snapshot = project.snapshots / "2025-10-09.json"
    snapshot.write_text(snapshot.read_text(encoding="utf-8").replace('"upvotes": 61', '"upvotes": 75'),
                        encoding="utf-8")
    again = build_site(project, state=state)
    assert again.written > 0 and "related papers" not in _parts(again), "only upvotes changed: the lists are reused"
    fresh = make_project(tmp_path / "fresh", {"2025-10-09.json": snapshot.read_bytes()}, with_seeds=True)
    build_site(fresh)
    assert tree(project.output) == tree(fresh.output)
    day_page = (project.output / "snapshots" / "2025-10-09" / "index.html").read_bytes()
    assert b'<span class="vote-count">75</span>' in day_page
    snapshot.write_text(snapshot.read_text(encoding="utf-8").replace("Federated Averaging Revisited",
                                                                      "Federated Averaging Revisited Again"),
                        encoding="utf-8")
    assert "related papers" in _parts(build_site(project, state=state))
    assert state.related.lists is not None and any(
        "federated-averaging-revisited-again" in slug for slug in state.related.lists), "a new title: computed again"


def _parts(report: BuildReport) -> set[str]:
    """The parts the build's stages ran, by name, as its summary lists them."""
    return {part.name for stage in report.stages for part in stage.parts}
