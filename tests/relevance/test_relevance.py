"""Scores and reasons: keywords as topic phrases, followed authors and organizations, likeness to the library,
mutes, the threshold; the same inputs give the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.commands.sources import Sources, read_sources
from digest.errors import ConfigError
from digest.relevance import Relevance, relevance
from tests.helpers import HOSTILE_INTEREST, INTEREST_DAYS, SIMPLEST_INTERESTS, make_interest_project


def scored(tmp_path: Path, interests: str, library: str | None = None) -> tuple[Sources, Relevance]:
    sources = read_sources(make_interest_project(tmp_path, interests, library))
    assert sources.interests is not None
    return sources, relevance(sources.catalog, sources.interests, sources.config.organization_min_papers)


def picked_titles(sources: Sources, found: Relevance) -> dict[str, list[str]]:
    """Each picked title with its reasons in words, most relevant first."""
    everything = [slug for day in sources.catalog.days for slug in day.new]
    return {sources.catalog.papers[pick.slug].title: [reason.text for reason in pick.reasons]
            for pick in found.picks(everything)}


def test_the_simplest_file_picks_by_keyword_author_and_organization_and_mutes_jailbreaks(tmp_path: Path) -> None:
    sources, found = scored(tmp_path, SIMPLEST_INTERESTS)
    picks = picked_titles(sources, found)
    assert picks["Acceptance Rate of Draft Models in Speculative Decoding"] == [
        "by Tri Dao (followed)", "mentions speculative decoding"]
    assert picks["Tiled Attention Kernels"] == ["by Tri Dao (followed)"]
    assert picks["A Qwen Report on Tool Use"] == ["from Qwen (followed)"]
    assert picks["Sparse Mixture of Experts Routing at Scale"] == ["mentions mixture of experts"]
    assert "Jailbreaking Speculative Decoding" not in picks  # it mentions speculative decoding, but is muted
    assert "Diffusion Models for Image Editing" not in picks
    assert next(iter(picks)) == "Acceptance Rate of Draft Models in Speculative Decoding"  # two reasons: first


def test_weights_and_the_threshold_decide_what_is_shown(tmp_path: Path) -> None:
    sources, found = scored(tmp_path, "keywords:\n  - speculative decoding: 3\n  - mixture of experts\n"
                                      "authors: [Tri Dao]\nthreshold: 2\n")
    picks = picked_titles(sources, found)
    assert "Sparse Mixture of Experts Routing at Scale" not in picks  # 1 < 2
    assert "Tiled Attention Kernels" not in picks
    assert next(iter(picks)) == "Acceptance Rate of Draft Models in Speculative Decoding"  # 3 + 1
    slug = next(slug for slug, paper in sources.catalog.papers.items() if paper.title.startswith("Acceptance"))
    assert found.scores[slug].score == 4.0


@pytest.mark.parametrize("library", ["library.bib", "library.ris", "library.json"])
def test_a_library_makes_papers_like_its_entries_with_the_terms_they_share(tmp_path: Path, library: str) -> None:
    sources, found = scored(tmp_path, f"library: {library}\nthreshold: 0.5\n", library)
    picks = picked_titles(sources, found)
    reasons = picks["Learned Draft Models for Speculative Decoding"]
    assert len(reasons) == 1
    assert reasons[0].startswith("like Fast Inference from Transformers via Speculative Decoding in your library "
                                 "(shared: ")
    assert "speculative decoding" in reasons[0] and "draft model" in reasons[0]
    assert "Robot Manipulation from Videos" not in picks and "Diffusion Models for Image Editing" not in picks


def test_a_named_paper_seeds_the_profile_and_is_never_like_itself(tmp_path: Path) -> None:
    sources, found = scored(tmp_path, "papers: [arXiv:2510.00001v2]\nthreshold: 0.5\n")
    picks = picked_titles(sources, found)
    assert "Learned Draft Models for Speculative Decoding" not in picks  # the seed itself
    assert any(reason.startswith("like Learned Draft Models for Speculative Decoding one of your papers (shared: ")
               for reasons in picks.values() for reason in reasons)


def test_mutes_by_author_and_topic_and_a_topic_that_does_not_exist(tmp_path: Path) -> None:
    sources, found = scored(tmp_path, "keywords: [speculative decoding]\nmute:\n  - author: Gus Hale\n"
                                      "  - topic: Robotics\n")
    titles = {sources.catalog.papers[slug].title for slug in found.muted}
    assert "Acceptance Rate of Draft Models in Speculative Decoding" in titles
    assert "Robot Manipulation from Videos" in titles
    assert "Acceptance Rate of Draft Models in Speculative Decoding" not in picked_titles(sources, found)
    with pytest.raises(ConfigError) as caught:
        scored(tmp_path / "other", "mute:\n  - jailbreak\n  - topic: Knitting\n")
    assert caught.value.line == 3 and "Knitting" in str(caught.value)


def test_reasons_keep_scraped_names_as_they_are_written(tmp_path: Path) -> None:
    sources, found = scored(tmp_path, f"organizations: ['{HOSTILE_INTEREST.replace(chr(39), chr(39) * 2)}']\n")
    assert list(picked_titles(sources, found).values()) == [[f"from {HOSTILE_INTEREST} (followed)"]]


def test_the_same_inputs_give_the_same_scores_reasons_and_order(tmp_path: Path) -> None:
    text = SIMPLEST_INTERESTS + "library: library.bib\n"
    one = scored(tmp_path / "one", text, "library.bib")[1]
    two = scored(tmp_path / "two", text, "library.bib")[1]
    assert one == two


def test_entries_that_matched_nothing_are_known(tmp_path: Path) -> None:
    _, found = scored(tmp_path, "keywords: [speculative decoding, knitting]\nauthors: [Nobody Atall]\n")
    idle = {(match.key, match.text, match.line) for match in found.matches if not match.slugs}
    assert idle == {("keywords", "knitting", 1), ("authors", "Nobody Atall", 2)}
    assert INTEREST_DAYS
