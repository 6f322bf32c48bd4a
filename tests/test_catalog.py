"""Merging snapshots into papers: counts on the seeds, the newest text winning, stable slugs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.catalog import build_catalog
from digest.inputs.snapshot import Snapshot, SnapshotEntry
from digest.inputs.topics import load_taxonomy
from digest.taxonomy import Taxonomy
from digest.text import slugify
from tests.helpers import seed_catalog

TODAY = date(2026, 11, 22)
EMPTY_TAXONOMY = load_taxonomy(Path("/nonexistent"))


def snapshot(day: date, *entries: tuple[str, str]) -> Snapshot:
    return Snapshot(Path(f"{day.isoformat()}.txt"), day,
                    tuple(SnapshotEntry(title, abstract, 3 + 4 * n) for n, (title, abstract) in enumerate(entries)))


def test_seed_counts() -> None:
    catalog = seed_catalog()
    assert len(catalog.papers) == 96
    march, october = catalog.days
    assert (march.date, march.count, len(march.new)) == (date(2025, 3, 19), 79, 79)
    assert (october.date, october.count) == (date(2025, 10, 8), 66)
    assert (len(october.new), len(october.returning)) == (17, 49)
    in_both = [p for p in catalog.papers.values() if p.appearances == (march.date, october.date)]
    assert len(in_both) == 49


def test_mirror_host_abstract_is_replaced_by_the_newest_text() -> None:
    paper = next(p for p in seed_catalog().papers.values() if "Physician" in p.abstract)
    assert paper.first_seen == date(2025, 3, 19) and paper.last_seen == date(2025, 10, 8)
    assert "hf-mirror" not in paper.abstract
    assert paper.code_url == "https://huggingface.co/YiDuo1999/Llama-3-Physician-8B-Instruct"


def test_code_links_lose_their_trailing_period() -> None:
    codes = {p.code_url for p in seed_catalog().papers.values() if p.code_url}
    assert "https://github.com/lvyilin/AdaB2N" in codes
    assert not any(url.endswith(".") for url in codes)


def test_no_code_link_is_guessed() -> None:
    catalog = seed_catalog()
    for paper in catalog.papers.values():
        if paper.code_url:
            assert paper.code_url in paper.abstract


def test_case_and_punctuation_do_not_split_a_paper_and_newest_text_wins() -> None:
    catalog = build_catalog([
        snapshot(date(2025, 1, 2), ("Alt-MoE: A Framework", "New abstract. Updated.")),
        snapshot(date(2025, 1, 1), ("alt moe:a framework", "Old abstract. First.")),
    ], EMPTY_TAXONOMY)
    (paper,) = catalog.papers.values()
    assert paper.abstract == "New abstract. Updated."
    assert paper.title == "Alt-MoE: A Framework"
    assert paper.slug == "alt-moe-a-framework"  # from the first-seen title: URLs are permanent
    assert paper.appearances == (date(2025, 1, 1), date(2025, 1, 2))
    assert [day.returning for day in catalog.days] == [(), (paper.slug,)]


def test_colliding_slugs_get_a_deterministic_suffix_and_keep_it_when_snapshots_arrive() -> None:
    first = snapshot(date(2025, 1, 1), ("Über Attention", "A. B."), ("Uber Attention", "C. D."))
    one = build_catalog([first], EMPTY_TAXONOMY)
    later = snapshot(date(2025, 1, 2), ("Ubër Attention", "E. F."), ("Uber Attention", "C. D."))
    two = build_catalog([first, later], EMPTY_TAXONOMY)
    slugs_one = sorted(one.papers)
    assert slugs_one[0] == "uber-attention" and slugs_one[1].startswith("uber-attention-")
    assert set(slugs_one) <= set(two.papers)
    assert len(set(two.papers)) == 3


def test_slugs_are_unique_and_short_on_the_seeds() -> None:
    catalog = seed_catalog()
    assert all(len(slug) <= 80 and slug == slugify(slug) for slug in catalog.papers)


def test_a_repeat_within_one_snapshot_is_kept_once_with_a_warning() -> None:
    catalog = build_catalog([snapshot(date(2025, 1, 1), ("Same", "A. B."), ("Same", "C. D."))], EMPTY_TAXONOMY)
    assert len(catalog.papers) == 1
    assert "appears twice" in catalog.warnings[0]


def test_topic_lists_are_newest_first() -> None:
    catalog = seed_catalog()
    for members in catalog.papers_by_topic.values():
        dates = [catalog.papers[slug].first_seen for slug in members]
        assert dates == sorted(dates, reverse=True)


def test_every_paper_has_a_topic_and_unmatched_ones_are_other() -> None:
    catalog = build_catalog([snapshot(date(2025, 1, 1), ("Paging with Predictions", "Caching. Pages."))],
                            Taxonomy(rules=(), other=EMPTY_TAXONOMY.other))
    assert next(iter(catalog.papers.values())).topics == ("other",)


def json_entry(title: str, arxiv: str | None, line: int = 2, **fields: object) -> SnapshotEntry:
    return SnapshotEntry(title, fields.pop("abstract", "Abstract. More."), line, arxiv_id=arxiv, **fields)  # type: ignore[arg-type]


def day_of(day: date, *entries: SnapshotEntry, suffix: str = ".json") -> Snapshot:
    return Snapshot(Path(f"{day.isoformat()}{suffix}"), day, tuple(entries))


def test_a_paper_is_its_arxiv_id_whatever_its_title_becomes() -> None:
    catalog = build_catalog([
        day_of(date(2025, 1, 1), json_entry("Old Title of the Paper", "2501.00001", upvotes=3, comments=1)),
        day_of(date(2025, 1, 2), json_entry("A New Title", "2501.00001", upvotes=40, comments=None)),
        day_of(date(2025, 1, 3), json_entry("Old Title of the Paper", "2501.00002")),  # same title, other paper
    ], EMPTY_TAXONOMY)
    assert len(catalog.papers) == 2
    paper = catalog.papers["old-title-of-the-paper"]  # the slug it got when first seen
    assert paper.title == "A New Title" and paper.arxiv_id == "2501.00001"
    assert paper.appearances == (date(2025, 1, 1), date(2025, 1, 2))
    assert (paper.upvotes, paper.comments, paper.counts_date) == (40, None, date(2025, 1, 2))
    other = next(p for p in catalog.papers.values() if p.arxiv_id == "2501.00002")
    assert other.slug.startswith("old-title-of-the-paper-") and other.first_seen == date(2025, 1, 3)


def test_a_text_paper_and_a_json_paper_with_the_same_title_are_one_paper() -> None:
    text_first = build_catalog([
        snapshot(date(2025, 1, 1), ("Alt-MoE: A Framework", "Text abstract. Short.")),
        day_of(date(2025, 1, 2), json_entry("alt moe: a framework", "2501.00003", authors=("Ann", "Bo"),
                                            published=date(2024, 12, 30), upvotes=7)),
        snapshot(date(2025, 1, 3), ("ALT-MOE: A FRAMEWORK", "Text again. Short.")),
    ], EMPTY_TAXONOMY)
    (paper,) = text_first.papers.values()
    assert paper.slug == "alt-moe-a-framework"
    assert paper.arxiv_id == "2501.00003" and paper.authors == ("Ann", "Bo")
    assert paper.published == date(2024, 12, 30)
    assert paper.appearances == (date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3))
    assert (paper.upvotes, paper.counts_date) == (7, date(2025, 1, 2))  # the newest snapshot that counted them
    assert paper.abstract == "Text again. Short."  # the newest text wins, as before
    json_first = build_catalog([
        day_of(date(2025, 1, 1), json_entry("Renamed Later", "2501.00004")),
        day_of(date(2025, 1, 2), json_entry("Renamed At Last", "2501.00004")),
        snapshot(date(2025, 1, 3), ("Renamed at last", "Scraped. Text.")),
        snapshot(date(2025, 1, 4), ("Renamed later", "Scraped. Text.")),
    ], EMPTY_TAXONOMY)
    (paper,) = json_first.papers.values()
    assert len(paper.appearances) == 4 and paper.arxiv_id == "2501.00004"


def test_a_title_already_taken_by_an_id_does_not_capture_another_id() -> None:
    catalog = build_catalog([
        snapshot(date(2025, 1, 1), ("Scaling Laws", "Text. Here.")),
        day_of(date(2025, 1, 2), json_entry("Scaling Laws", "2501.00005")),
        day_of(date(2025, 1, 3), json_entry("Scaling Laws", "2501.00006")),
    ], EMPTY_TAXONOMY)
    assert sorted(p.arxiv_id or "" for p in catalog.papers.values()) == ["2501.00005", "2501.00006"]


def test_the_feeds_title_spelling_also_merges_a_text_paper() -> None:
    catalog = build_catalog([
        snapshot(date(2025, 1, 1), ("$\\textit{Trans-LoRA}$: data-free", "Text. Here.")),
        day_of(date(2025, 1, 2), json_entry("Trans-LoRA: towards data-free", "2405.17258",
                                            alternate_titles=("$\\textit{Trans-LoRA}$: data-free",))),
    ], EMPTY_TAXONOMY)
    assert len(catalog.papers) == 1


def test_code_link_prefers_the_feeds_repository_with_its_stars() -> None:
    abstract = "Code: https://github.com/found/in-abstract. Done."
    catalog = build_catalog([
        day_of(date(2025, 1, 1), json_entry("With Repo", "2501.00007", abstract=abstract,
                                            github_repo="https://github.com/api/repo", github_stars=12)),
        day_of(date(2025, 1, 1), json_entry("Without Repo", "2501.00008", abstract=abstract, github_stars=99),
               suffix=".other.json"),
    ], EMPTY_TAXONOMY)
    with_repo, without = catalog.papers["with-repo"], catalog.papers["without-repo"]
    assert (with_repo.code_url, with_repo.code_stars) == ("https://github.com/api/repo", 12)
    assert (without.code_url, without.code_stars) == ("https://github.com/found/in-abstract", None)


def test_an_empty_snapshot_is_a_day_with_no_papers() -> None:
    catalog = build_catalog([day_of(date(2025, 1, 4)), snapshot(date(2025, 1, 3), ("One", "A. B."))],
                            EMPTY_TAXONOMY)
    assert [day.count for day in catalog.days] == [1, 0]
    assert len(catalog.papers) == 1


def test_a_day_orders_papers_by_its_own_upvotes_when_it_has_them() -> None:
    catalog = build_catalog([
        day_of(date(2025, 1, 1), json_entry("Few", "2501.00010", upvotes=2),
               json_entry("Many", "2501.00011", upvotes=9), json_entry("Uncounted", "2501.00012"),
               json_entry("Also Many", "2501.00013", upvotes=9)),
        snapshot(date(2025, 1, 2), ("Text B", "A. B."), ("Text A", "A. B.")),
    ], EMPTY_TAXONOMY)
    first, second = catalog.days
    assert first.by_upvotes(first.new) == ("many", "also-many", "few", "uncounted")
    assert second.by_upvotes(second.new) == second.new == ("text-b", "text-a")  # no counts: the feed's order
