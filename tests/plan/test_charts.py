"""Chart geometry (digest/plan/charts.py): periods, bar heights, labels; and how the site draws a chart."""

from __future__ import annotations

from datetime import date

import pytest

from digest.plan.charts import (
    GAP,
    SLOT,
    VIEW_HEIGHT,
    Series,
    bar_chart,
    buckets,
    count_series,
    nice_top,
    number,
    papers_chart,
    unit_for,
)


def heights(chart) -> list[float]:  # type: ignore[no-untyped-def]
    return [float(bar.height) for bar in chart.bars]


def test_months_with_no_papers_are_bars_of_height_zero() -> None:
    days = [date(2025, 1, 5), date(2025, 1, 9), date(2025, 4, 2)]
    series = count_series(days, date(2025, 1, 2), date(2025, 4, 30))
    assert series.unit == "month"
    assert [bucket.name for bucket in series.buckets] == ["January 2025, from the 2nd", "February 2025",
                                                          "March 2025", "April 2025"]
    assert series.values == (2, 0, 0, 1)
    chart = papers_chart(days, date(2025, 1, 2), date(2025, 4, 30), id="c", subject="Agents")
    assert len(chart.bars) == 4 and heights(chart)[1:3] == [0, 0]
    assert [row.value for row in chart.rows] == ["2", "0", "0", "1"]
    assert chart.summary == "3 papers, the most in January 2025, from the 2nd (2); 2 of 4 months without any."


def test_heights_are_in_proportion_to_the_counts_against_a_round_top() -> None:
    series = Series("month", buckets(date(2025, 1, 1), date(2025, 3, 31), "month"), (10.0, 25.0, 47.0))
    chart = bar_chart(series, id="c", title="t", summary="s")
    assert chart.top == "50 papers"  # the smallest round number at or above 47
    assert heights(chart) == [20, 50, 94]
    assert [float(bar.y) + float(bar.height) for bar in chart.bars] == [VIEW_HEIGHT] * 3  # all stand on the base
    assert [float(bar.x) for bar in chart.bars] == [GAP / 2, SLOT + GAP / 2, 2 * SLOT + GAP / 2]
    assert chart.width == 3 * SLOT and chart.bars[2].label == "March 2025: 47 papers"
    assert chart.path == "M1 100V80h8V100ZM11 100V50h8V100ZM21 100V6h8V100Z"  # the same bars, as a sparkline draws them


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (7, 8), (13, 15), (47, 50), (61, 80), (116, 120),
                                            (999, 1000), (0.3, 0.3), (64.2, 80)])
def test_the_top_line_is_a_round_number_at_or_above_the_largest_value(value: float, top: float) -> None:
    assert nice_top(value) == pytest.approx(top)


def test_a_short_history_is_charted_by_week_with_every_week_present() -> None:
    start, end = date(2025, 3, 5), date(2025, 4, 2)  # a Wednesday to a Wednesday, four weeks apart
    assert unit_for(start, end) == "week" and unit_for(date(2025, 1, 1), date(2025, 6, 1)) == "month"
    series = count_series([start, start, date(2025, 3, 20), end], start, end)
    assert [bucket.start for bucket in series.buckets] == [date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17),
                                                          date(2025, 3, 24), date(2025, 3, 31)]  # Mondays
    assert series.values == (2, 0, 1, 0, 1)
    assert series.buckets[0].name == "week of 3 March 2025, from the 5th"
    assert series.buckets[-1].name == "week of 31 March 2025, to the 2nd"


def test_one_day_of_history_is_one_bar() -> None:
    day = date(2025, 10, 8)
    chart = papers_chart([day, day], day, day, id="c", subject="Agents")
    assert chart.unit == "week" and len(chart.bars) == 1 and heights(chart) == [VIEW_HEIGHT]
    assert chart.summary == "2 papers, the most in week of 6 October 2025, from the 8th, to the 8th (2)."


def test_a_topic_without_papers_has_an_empty_chart_that_says_so() -> None:
    chart = papers_chart([], date(2025, 1, 1), date(2025, 4, 30), id="c", subject="Speech")
    assert heights(chart) == [0, 0, 0, 0] and chart.top == "1 paper"
    assert chart.summary == "No papers from January 2025 to April 2025."


def test_missing_values_have_no_bar_and_say_why() -> None:
    series = Series("week", buckets(date(2025, 3, 3), date(2025, 3, 16), "week"), (4.0, None))
    chart = bar_chart(series, id="c", title="t", summary="s", cell=lambda v: "no snapshot" if v is None else "x")
    assert heights(chart) == [100, 0] and chart.rows[1].value == "no snapshot"


def test_the_same_series_gives_the_same_chart_written_the_same_way() -> None:
    days = [date(2025, 1, day) for day in range(1, 32, 3)] + [date(2025, 2, 3)] * 7
    first = papers_chart(days, date(2025, 1, 1), date(2025, 5, 1), id="c", subject="x")
    assert first == papers_chart(list(reversed(days)), date(2025, 1, 1), date(2025, 5, 1), id="c", subject="x")
    assert [bar.height for bar in first.bars] == ["91.67", "58.33", "0", "0", "0"]  # 11/12, 7/12 of the height
    assert number(1 / 3) == "0.33" and number(2.0) == "2" and number(-0.001) == "0"


def test_the_topic_page_draws_its_chart_in_svg_with_text_beside_it(site_dir) -> None:  # type: ignore[no-untyped-def]
    """Bundled content: two snapshot days seven months apart, so eight months, six of them empty."""
    html = (site_dir / "topics" / "agents" / "index.html").read_text(encoding="utf-8")
    assert '<svg class="chart-bars" viewBox="0 0 80 100" preserveAspectRatio="none" role="img"' in html
    assert '<title id="topic-chart-title">Agents: papers per month</title>' in html
    assert "<td>April 2025</td><td>0</td>" in html  # the empty months are in the table
    assert "6 of 8 months without any" in html.split("<figcaption>")[1].split("</figcaption>")[0]
    later = [page for page in site_dir.glob("topics/*/page/*/index.html") if "chart-bars" in page.read_text("utf-8")]
    assert not later, f"only a topic's first page has the chart: {later}"


def test_the_topics_index_has_a_sparkline_per_topic_with_its_own_ids(site_dir) -> None:  # type: ignore[no-untyped-def]
    html = (site_dir / "topics" / "index.html").read_text(encoding="utf-8")
    ids = [part.split('"')[0] for part in html.split(' id="')[1:]]
    assert len(ids) == len(set(ids)), "an id repeats on the topics index"
    assert html.count('<svg class="sparkline"') == html.count('<li><div class="topic-row">') >= 27
    assert 'id="spark-agents-title"' in html and "../stats/" in html
