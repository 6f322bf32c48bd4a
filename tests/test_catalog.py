"""Merging snapshots into papers: counts on the seeds, the newest text winning, stable slugs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.catalog import Catalog, build_catalog
from digest.inputs.snapshot import Snapshot, SnapshotEntry
from digest.inputs.sources import find_snapshot_files, read_snapshot
from digest.inputs.topics import Taxonomy, load_taxonomy
from digest.text import slugify

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 22)
EMPTY_TAXONOMY = load_taxonomy(Path("/nonexistent"))


def seed_catalog() -> Catalog:
    snapshots = [read_snapshot(path, TODAY) for path in find_snapshot_files(REPO / "content" / "snapshots")]
    return build_catalog(snapshots, load_taxonomy(REPO / "content"))


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
