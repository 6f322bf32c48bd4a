"""Related papers (digest/related/): what the bundled papers list, reasons that hold, determinism, limits."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from digest.catalog import Catalog, Paper
from digest.commands.build import BuildState, build_site
from digest.commands.sources import read_sources
from digest.output.search.words import index_term, split_words, word_runs
from digest.project import Project
from digest.related import MAX_RELATED, Related, RelatedCache, related_papers
from digest.related.terms import texts_of
from tests.helpers import NARROW, REPO, WIDE, axe_violations, describe, make_project


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return read_sources(Project.at(REPO, tmp_path_factory.mktemp("unused"))).catalog


@pytest.fixture(scope="module")
def related(catalog: Catalog) -> dict[str, tuple[Related, ...]]:
    return related_papers(catalog.papers.values(), catalog.topics)


def slug_of(catalog: Catalog, title_start: str) -> str:
    (slug,) = [slug for slug, paper in catalog.papers.items() if paper.title.startswith(title_start)]
    return slug


def listed(related: dict[str, tuple[Related, ...]], slug: str) -> list[str]:
    return [entry.slug for entry in related[slug]]


# --- quality on the bundled papers --------------------------------------------------------------------------------


def test_each_federated_learning_paper_lists_at_least_two_of_the_other_three(
        catalog: Catalog, related: dict[str, tuple[Related, ...]]) -> None:
    federated = [slug for slug, paper in catalog.papers.items() if "Federated" in paper.title]
    assert len(federated) == 4
    for slug in federated:
        others = set(federated) - {slug}
        assert len(others & set(listed(related, slug))) >= 2, (slug, related[slug])


# Pairs picked by reading the bundled papers: each first paper should list the second.
PAIRS = [
    # two model-merging methods (task arithmetic, merging coefficients)
    ("AdaMerging: Adaptive Model Merging", "Parameter Competition Balancing for Model Merging"),
    ("Parameter Competition Balancing for Model Merging", "Merging Models with Fisher-Weighted Averaging"),
    # mixture-of-experts routing and its load-balancing loss
    ("AdaMoE: Token-Adaptive Routing", "Demons in the Detail: On Implementing Load Balancing Loss"),
    # continual test-time adaptation under domain shift, both with a mean teacher
    ("Robust Mean Teacher for Continual and Gradual Test-Time Adaptation", "Parameter-Selective Continual Test-Time"),
    # few-shot / class-incremental learning baselines
    ("A Bag of Tricks for Few-Shot Class-Incremental Learning", "First Session Adaptation"),
    # learning rate schedules
    ("When, Why and How Much? Adaptive Learning Rate Scheduling", "Beyond Cosine Decay"),
    # curriculum learning
    ("Cyclical Curriculum Learning", "EfficientTrain: Exploring Generalized Curriculum Learning"),
    # data augmentation that respects invariances
    ("Automatic Data Augmentation via Invariance-Constrained Learning", "When to Learn What: Model-Adaptive Data"),
    # harmful fine-tuning and refusal training of LLMs
    ("Antidote: Post-fine-tuning Safety Alignment", "Does Refusal Training in LLMs Generalize"),
]


@pytest.mark.parametrize(("paper", "expected"), PAIRS)
def test_papers_on_the_same_problem_list_each_other(catalog: Catalog, related: dict[str, tuple[Related, ...]],
                                                    paper: str, expected: str) -> None:
    assert slug_of(catalog, expected) in listed(related, slug_of(catalog, paper)), related[slug_of(catalog, paper)]


def test_most_papers_get_some_and_lists_are_short(related: dict[str, tuple[Related, ...]]) -> None:
    with_some = sum(1 for found in related.values() if found)
    assert with_some >= 0.6 * len(related)
    assert all(len(found) <= MAX_RELATED for found in related.values())
    assert all(slug not in listed(related, slug) for slug in related)
    assert all(len(set(listed(related, slug))) == len(related[slug]) for slug in related)


# --- reasons ------------------------------------------------------------------------------------------------------


def stems(text: str) -> set[str]:
    """Every stem of a text, with prefixed words also joined ("pre-training" -> "pretraining")."""
    found = {index_term(word) for word in split_words(text)}
    found |= {index_term(token.replace("-", "")) for run in word_runs(text) for token in run.split() if "-" in token}
    return {stem for stem in found if stem}


def reason_parts(reason: str) -> dict[str, list[str]]:
    parts = {}
    for part in reason.split(" · "):
        label, _, values = part.partition(": ")
        parts[label.lower().rstrip("s")] = values.split("; " if label.lower().startswith("same topic") else ", ")
    return parts


def test_reasons_name_what_both_papers_really_share(catalog: Catalog, related: dict[str, tuple[Related, ...]]) -> None:
    names = {topic.slug: topic.name for topic in catalog.topics}
    checked = 0
    for slug, found in related.items():
        paper = catalog.papers[slug]
        for entry in found:
            other = catalog.papers[entry.slug]
            assert entry.reason and "\n" not in entry.reason
            parts = reason_parts(entry.reason)
            assert set(parts) <= {"shared author", "same topic", "shared term"}, entry.reason
            for topic in parts.get("same topic", []):
                assert topic in {names[s] for s in paper.topics} & {names[s] for s in other.topics}
            for term in parts.get("shared term", []):
                words = {index_term(word) for word in split_words(term)} - {None}
                compound = {index_term(term.replace("-", ""))}  # "pre-training" is also "pretraining"
                both = stems(f"{paper.title} {paper.abstract}") & stems(f"{other.title} {other.abstract}")
                assert (words and words <= both) or compound <= both, (term, paper.title, other.title)
                checked += 1
    assert checked > 100


def test_a_reason_names_the_topic_and_shared_terms_of_federated_papers(
        catalog: Catalog, related: dict[str, tuple[Related, ...]]) -> None:
    slug = slug_of(catalog, "Anarchic Federated Learning")
    reasons = {entry.slug: entry.reason for entry in related[slug]}
    reason = reasons[slug_of(catalog, "When Do Curricula Work in Federated Learning?")]
    assert reason.startswith("Same topic: Safety, Security and Privacy · Shared terms: ")
    assert "federated learning" in reason


def paper(slug: str, title: str, abstract: str, *, authors: tuple[str, ...] = (), topics: tuple[str, ...] = ("other",),
          ) -> Paper:
    return Paper(slug=slug, title=title, abstract=abstract, links=(), code_url=None, topics=topics,
                 appearances=(date(2025, 10, 8),), authors=authors)


def test_shared_authors_come_first_in_the_reason(catalog: Catalog) -> None:
    base = list(catalog.papers.values())
    ours = [
        paper("a", "Sparse Gossip Averaging for Decentralized Training",
              "We study gossip averaging over sparse graphs for decentralized training of neural networks.",
              authors=("Ada Lovelace", "Alan Turing", "Grace Hopper")),
        paper("b", "Gossip Protocols for Decentralized Optimization",
              "Gossip averaging lets workers of decentralized optimization agree without a server.",
              authors=("Grace  Hopper", "Edsger Dijkstra", "Alan Turing")),
    ]
    found = related_papers([*base, *ours], catalog.topics)
    (first, *_) = found["a"]
    assert first.slug == "b"
    assert first.reason.startswith("Shared authors: Alan Turing, Grace Hopper · ")
    assert "gossip averaging" in first.reason or "gossip" in first.reason
    assert found["b"][0].reason.startswith("Shared authors: Grace  Hopper, Alan Turing · ")


def test_a_paper_sharing_no_terms_gets_no_related_papers(catalog: Catalog) -> None:
    bread = paper("sourdough", "Sourdough Starters: Wild Yeast Fermentation Kinetics at Home",
                  "We bake bread with wild yeast and lactobacilli, timing the rise of rye and spelt doughs in a "
                  "warm kitchen; hydration and flour choice set the crumb.")
    found = related_papers([*catalog.papers.values(), bread], catalog.topics)
    assert found["sourdough"] == ()
    assert all("sourdough" not in listed(found, slug) for slug in found)


# Papers about nothing the others mention: a corpus where a word in a few papers is rare.
FILLER = [paper(f"z{number}", f"Filler {word}", f"{word} {word} text about {word}.")
          for number, word in enumerate(["apples", "rivers", "stones", "clouds", "lamps", "boats"])]


def test_weak_likeness_is_not_called_related() -> None:
    """Two papers sharing one common word among many others are not related."""
    papers = [
        paper("x", "Graph Coloring with Quantum Annealers",
              "Annealers color sparse graphs; we benchmark qubit embeddings and chromatic numbers on hardware."),
        paper("y", "Protein Folding Landscapes",
              "Folding funnels, chaperones and misfolded intermediates shape the landscape; we benchmark kinetics."),
        *FILLER,
    ]
    found = related_papers(papers)
    assert found["x"] == () and found["y"] == ()


# --- determinism and edge cases -----------------------------------------------------------------------------------


def test_the_same_papers_in_any_order_give_the_same_lists(catalog: Catalog,
                                                          related: dict[str, tuple[Related, ...]]) -> None:
    shuffled = list(catalog.papers.values())
    random.Random(7).shuffle(shuffled)
    assert related_papers(shuffled, catalog.topics) == related
    assert related_papers(catalog.papers.values(), catalog.topics) == related


def test_a_vocabulary_kept_from_earlier_builds_gives_the_lists_of_a_fresh_count(
        catalog: Catalog, related: dict[str, tuple[Related, ...]]) -> None:
    """A preview numbers words in the order its session met them and keeps the words of papers since removed:
    neither may change a list or a reason."""
    cache = RelatedCache()
    papers = sorted(catalog.papers.values(), key=lambda paper: paper.slug)
    cache.tokenize(papers[-3:])  # the session meets the last papers' words first
    vocabulary = cache.tokenize(papers)
    assert set(vocabulary.texts) == {text for paper in papers for text in texts_of(paper)}
    assert related_papers(papers, catalog.topics, vocabulary) == related
    cache.tokenize(papers[1:])  # the first paper removed: its words stay in the session's vocabulary
    assert set(vocabulary.texts) == {text for paper in papers[1:] for text in texts_of(paper)}
    fresh = related_papers(papers[1:], catalog.topics)
    assert related_papers(papers[1:], catalog.topics, vocabulary) == fresh
    vocabulary.texts[papers[1].abstract] = vocabulary.texts[papers[2].abstract]
    assert related_papers(papers[1:], catalog.topics, vocabulary) != fresh, "the kept words are what is counted"


def test_a_removed_papers_spelling_does_not_linger_in_a_session() -> None:
    """A capitalised term is shown in lower case only while some paper writes it so."""
    text = "Client Drift slows Federated Averaging; Client Drift Correction with control variates fixes Client Drift."
    twins = [paper(slug, "Client Drift Correction for Federated Averaging", text) for slug in ("a", "b")]
    lower = paper("c", "A Note on Optimisers", "We note that client drift and drift in general are studied.")
    fresh = related_papers([*twins, *FILLER])
    assert "Client Drift" in fresh["a"][0].reason
    cache = RelatedCache()
    cache.tokenize([*twins, lower, *FILLER])
    assert "client drift" in related_papers([*twins, lower, *FILLER], (), cache.vocabulary)["a"][0].reason
    assert related_papers([*twins, *FILLER], (), cache.tokenize([*twins, *FILLER])) == fresh


def test_ties_go_to_the_smaller_slug() -> None:
    text = "Client drift under non-IID data slows federated averaging; we correct client drift with control variates."
    twins = [paper(slug, "Federated Averaging with Drift Correction", text) for slug in ("d", "b", "c", "a")]
    found = related_papers([*twins, *FILLER])
    assert listed(found, "a") == ["b", "c", "d"]
    assert listed(found, "d") == ["a", "b", "c"]
    reason = found["a"][0].reason
    assert reason.startswith("Shared terms: ") and "client drift" in reason


def test_no_papers_or_one_paper() -> None:
    assert related_papers([]) == {}
    assert related_papers([paper("only", "A Lone Paper", "Nothing to compare with.")]) == {"only": ()}


def test_topic_names_come_from_the_taxonomy_and_other_is_never_shared(
        related: dict[str, tuple[Related, ...]]) -> None:
    assert not any("Same topic: Other" in entry.reason or re.search(r"Same topics?:.*\bOther\b", entry.reason)
                   for found in related.values() for entry in found)
    assert not any("topic " in entry.reason or "\x01" in entry.reason for found in related.values() for entry in found)


# --- the paper page -----------------------------------------------------------------------------------------------

ANARCHIC = "papers/anarchic-federated-learning/index.html"


def related_section(html: str) -> list[tuple[str, str, str]]:
    """(href, title, reason) of each entry under the page's "Related papers" heading."""
    match = re.search(r'<h2 id="related">Related papers</h2>\s*<ul class="compact-list related">(.*?)</ul>', html, re.S)
    if match is None:
        return []
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a><span class="compact-meta">([^<]+)</span></li>', match[1])


def test_the_paper_page_lists_related_papers_with_working_links(site_dir: Path) -> None:
    page = site_dir / ANARCHIC
    entries = related_section(page.read_text(encoding="utf-8"))
    assert len(entries) == 3
    titles = []
    for href, title, reason in entries:
        target = (page.parent / href).resolve() / "index.html"
        assert target.is_file(), href
        assert f"<h1>{title}</h1>" in target.read_text(encoding="utf-8")
        assert reason.startswith("Same topic: ") and "Shared terms: federated learning" in reason
        titles.append(title)
    assert "When Do Curricula Work in Federated Learning?" in titles


def test_a_paper_with_no_related_papers_has_no_section(site_dir: Path, catalog: Catalog,
                                                       related: dict[str, tuple[Related, ...]]) -> None:
    lonely = sorted(slug for slug, found in related.items() if not found)
    assert lonely
    html = (site_dir / "papers" / lonely[0] / "index.html").read_text(encoding="utf-8")
    assert 'id="related"' not in html and "Related papers" not in html
    sections = [related_section((site_dir / "papers" / slug / "index.html").read_text(encoding="utf-8"))
                for slug in catalog.papers]
    assert sum(len(found) for found in sections) == sum(len(found) for found in related.values())


def test_a_new_paper_renders_again_only_the_pages_whose_related_list_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    state = BuildState()
    first = build_site(project, state=state)
    before = dict(state.related.lists or {})
    pages = {path.relative_to(project.output).as_posix(): path.stat().st_ino
             for path in project.output.glob("papers/*/index.html")}
    newest = project.snapshots / "2025-10-08.txt"
    newest.write_text(newest.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + NEW_FEDERATED, encoding="utf-8")
    again = build_site(project, state=state)
    after = state.related.lists or {}
    # The new paper joins the federated papers' lists; a few others change a reason's third term or their order,
    # as every weight moves a little with one more paper.
    changed_lists = {slug for slug in before if before[slug] != after[slug]}
    assert changed_lists and len(changed_lists) <= 15
    rewritten = {path.parent.name for path in project.output.glob("papers/*/index.html")
                 if pages.get(path.relative_to(project.output).as_posix()) != path.stat().st_ino}
    new_slug = "client-drift-correction-for-federated-learning-on-non-iid-clients"
    assert rewritten == changed_lists | {new_slug}
    catalog = state.sources.catalog.last[2] if state.sources.catalog.last else None
    assert catalog is not None
    assert any(item.slug == new_slug for item in after[slug_of(catalog, "Anarchic Federated Learning")])
    assert again.rendered < 0.3 * first.pages


NEW_FEDERATED = (
    "Client Drift Correction for Federated Learning on Non-IID Clients\n\n"
    "Federated learning with heterogeneous clients suffers from client drift when data are non-IID; we correct "
    "the local updates of each client with control variates and prove convergence under partial participation.\n"
)


@pytest.mark.browser
def test_axe_on_a_paper_page_with_related_papers(browser: Any, site_server: str) -> None:
    context = browser.new_context(viewport=WIDE)
    tab = context.new_page()
    try:
        for scheme in ("light", "dark"):
            tab.emulate_media(color_scheme=scheme)
            assert tab.goto(site_server + ANARCHIC.removesuffix("index.html")).ok
            assert tab.locator("#related + ul.related li a").count() == 3
            violations = axe_violations(tab)
            assert not violations, f"{scheme}:\n{describe(violations)}"
        tab.set_viewport_size(NARROW)
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
    finally:
        context.close()
