"""`digest topics`: how the taxonomy files the papers, and what the papers left under Other talk about.

A curator's report, not part of the build: each topic's share of the papers, warnings for topics that are
too big or too small, and the words and two-word phrases most typical of the papers under Other that no
topic's phrases find yet, each with an example title: what to add to content/topics.yaml.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from digest.catalog import Catalog
from digest.commands.options import add_source_option
from digest.commands.sources import read_sources
from digest.inputs.topics import load_taxonomy
from digest.project import Project
from digest.taxonomy import OTHER_SLUG, Taxonomy, Topic
from digest.text import folded_words

Say = Callable[[str], None]

MAX_TOPIC_SHARE = 0.25
MIN_TOPIC_SHARE = 0.01
MAX_OTHER_SHARE = 0.02  # the bundled taxonomy leaves under 1 % of the feed there
TOP_TERMS = 30
TITLE_WIDTH = 64

# Function words and the boilerplate of any abstract. The ranking below would put most of them low anyway, but
# dropping them also keeps them out of two-word phrases ("of the", "we propose").
_STOP_WORDS = """
a about above across after again against all almost along also although among an and another any are around as
at be because been before being below between both but by can could did do does doing done down during each
either et etc even ever every few for from further had has have having he her here hers him his how however i
if in into is it its itself just many may might more most much must my neither no nor not now of off often on
once one only onto or other others our ours out over own per rather same several she should since so some such
than that the their theirs them themselves then there these they this those though through thus to too toward
towards under until up upon us use used uses using very via was we well were what when where whether which while
who whom whose why will with within without would yet you your al eg ie vs
paper papers propose proposes proposed present presents introduce introduces introduced show shows shown
demonstrate demonstrates novel new approach approaches method methods work works result results existing study
studies investigate investigates explore explores examine examines suggest suggests reveal reveals provide
provides enable enables achieve achieves based various different significant significantly furthermore moreover
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


class HasText(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def abstract(self) -> str: ...


@dataclass(frozen=True)
class TopicShare:
    topic: Topic
    papers: int
    share: float


@dataclass(frozen=True)
class Term:
    """A word or two-word phrase typical of the papers under Other."""

    text: str  # its commonest form ('agents' and 'agent' are one term)
    in_other: int  # papers under Other that contain it
    elsewhere: int  # papers under some topic that contain it
    score: float
    example: str  # a title under Other with the term, one that has it in the title if any


@dataclass(frozen=True)
class TopicsReport:
    papers: int
    filed: int  # papers under at least one real topic
    shares: tuple[TopicShare, ...]  # largest first, Other last
    warnings: tuple[str, ...]
    terms: tuple[Term, ...]


def topics_report(catalog: Catalog, taxonomy: Taxonomy, top: int = TOP_TERMS) -> TopicsReport:
    papers = list(catalog.papers.values())
    total = len(papers)
    shares = []
    for topic in catalog.topics:
        count = len(catalog.papers_by_topic.get(topic.slug, ()))
        shares.append(TopicShare(topic, count, count / total if total else 0.0))
    shares.sort(key=lambda item: (item.topic.slug == OTHER_SLUG, -item.papers, item.topic.name))
    other = [paper for paper in papers if paper.topics == (OTHER_SLUG,)]
    rest = [paper for paper in papers if paper.topics != (OTHER_SLUG,)]
    terms = distinctive_terms(other, rest, lambda term: any(taxonomy.phrase_counts(term)), top)
    return TopicsReport(total, len(rest), tuple(shares), tuple(_warnings(shares)), tuple(terms))


def _warnings(shares: Iterable[TopicShare]) -> list[str]:
    warnings = []
    for item in shares:
        label, share = f"{item.topic.name} ({item.topic.slug})", _percent(item.share)
        if item.topic.slug == OTHER_SLUG:
            if item.share > MAX_OTHER_SHARE:
                warnings.append(f"{label} holds {share} of the papers, more than {_limit(MAX_OTHER_SHARE)}: "
                                "add phrases or topics for the words below")
        elif item.share > MAX_TOPIC_SHARE:
            warnings.append(f"{label} holds {share} of the papers, more than {_limit(MAX_TOPIC_SHARE)}: "
                            "split it, or drop its most general phrases")
        elif item.share < MIN_TOPIC_SHARE:
            warnings.append(f"{label} holds {share} of the papers, less than {_limit(MIN_TOPIC_SHARE)}: "
                            "add phrases, or merge it into a related topic")
    return warnings


def paper_terms(title: str, abstract: str) -> tuple[set[str], set[str]]:
    """The words and two-word phrases of a paper, without stop words: (those in the title, all of them)."""
    title_terms = _terms(folded_words(title))
    return title_terms, title_terms | _terms(folded_words(abstract))


def _terms(words: Sequence[str]) -> set[str]:
    kept = [word if len(word) > 1 and word not in STOP_WORDS and not word.isdigit() else "" for word in words]
    terms = {word for word in kept if word}
    terms.update(f"{first} {second}" for first, second in itertools.pairwise(kept) if first and second)
    return terms


def _key(term: str) -> str:
    """One key for the singular and plural of a term: 'agents' and 'agent' count together."""
    return " ".join(word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word
                    for word in term.split())


def distinctive_terms(other: Sequence[HasText], rest: Sequence[HasText], covered: Callable[[str], bool],
                      top: int = TOP_TERMS) -> list[Term]:
    """The terms most typical of `other` against `rest`, by the z-score of their log odds ratio.

    A term counts once per paper. The z-score (the log odds ratio over its standard error, with 0.5 added to
    every cell) ranks a term found in many papers under Other and few elsewhere above one found in two papers
    only, and above one common everywhere. Terms in fewer than 2 papers under Other (or 1 % of them, if more),
    and terms `covered` says some topic already finds, are left out.
    """
    in_other: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    examples: dict[str, tuple[bool, str]] = {}
    for paper in other:
        title_terms, terms = paper_terms(paper.title, paper.abstract)
        seen: set[str] = set()
        for term in sorted(terms):
            key = _key(term)
            forms.setdefault(key, Counter())[term] += 1
            in_title = term in title_terms
            # The first paper (in catalog order) with the term wins, unless a later one has it in its title.
            if key not in examples or (in_title and not examples[key][0]):
                examples[key] = (in_title, paper.title)
            seen.add(key)
        in_other.update(seen)
    least = max(2, math.ceil(len(other) / 100))
    candidates = {key for key, count in in_other.items() if count >= least}
    elsewhere: Counter[str] = Counter()
    for paper in rest:
        elsewhere.update(candidates.intersection({_key(term) for term in paper_terms(paper.title, paper.abstract)[1]}))
    scored = sorted(((_z_score(in_other[key], len(other), elsewhere[key], len(rest)), key) for key in candidates),
                    key=lambda item: (-item[0], item[1]))
    result: list[Term] = []
    for score, key in scored:
        if len(result) >= top or score <= 0:
            break
        text = min(forms[key], key=lambda form: (-forms[key][form], form))
        if not covered(text):
            result.append(Term(text, in_other[key], elsewhere[key], score, examples[key][1]))
    return result


def _z_score(a: int, n_a: int, b: int, n_b: int) -> float:
    cells = (a + 0.5, n_a - a + 0.5, b + 0.5, n_b - b + 0.5)
    log_odds = math.log(cells[0] * cells[3] / (cells[1] * cells[2]))
    return log_odds / math.sqrt(sum(1 / cell for cell in cells))


def format_report(report: TopicsReport) -> list[str]:
    """The report as plain text lines for a terminal."""
    other = report.papers - report.filed
    lines = [f"{report.papers:,} papers: {report.filed:,} ({_percent(_ratio(report.filed, report.papers))}) under "
             f"a topic, {other:,} ({_percent(_ratio(other, report.papers))}) under Other.",
             "A paper can have several topics, so the topics' shares add up to more than 100 %.", ""]
    width = max((len(item.topic.name) for item in report.shares), default=5)
    lines.append(f"{'share':>7}  {'papers':>6}  {'topic':<{width}}  slug")
    lines.extend(f"{_percent(item.share):>7}  {item.papers:>6,}  {item.topic.name:<{width}}  {item.topic.slug}"
                 for item in report.shares)
    if report.warnings:
        lines.append("")
        lines.extend(f"warning: {warning}" for warning in report.warnings)
    lines.append("")
    if not report.terms:
        lines.append("No words stand out in the papers under Other." if other else "No papers are under Other.")
        return lines
    lines.append(f"Words and phrases typical of the {other:,} papers under Other that no topic's phrases find yet")
    lines.append("(papers under Other / under a topic that contain it, and an example title):")
    lines.append("")
    width = max(len(term.text) for term in report.terms)
    lines.extend(f"  {term.text:<{width}}  {term.in_other:>5,} / {term.elsewhere:<6,}  "
                 f"{_shorten(term.example, TITLE_WIDTH)}" for term in report.terms)
    return lines


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def _limit(share: float) -> str:
    return f"{100 * share:g} %"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def run_topics(project: Project, say: Say, top: int = TOP_TERMS) -> None:
    """`digest topics`: read the project's snapshots and taxonomy, and print the report."""
    sources = read_sources(project)
    for warning in sources.warnings:
        say(f"warning: {warning}")
    for line in format_report(topics_report(sources.catalog, load_taxonomy(project.content), top)):
        say(line)


def add_topics_command(commands: argparse._SubParsersAction) -> None:
    topics = commands.add_parser("topics", help="show how the taxonomy files the papers, and what Other holds",
                                 description=(
        "Print each topic's share of the papers, with a warning for topics over 25 %% or under 1 %% and for "
        "Other over 2 %%, then the words and two-word phrases most typical of the papers under Other that no "
        "topic's phrases find yet, each with an example title: what to add to content/topics.yaml."))
    add_source_option(topics)
    topics.add_argument("--top", type=_positive, default=TOP_TERMS, metavar="N",
                        help=f"how many words and phrases to list for Other (default: {TOP_TERMS})")
    topics.set_defaults(run=_run)


def _positive(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got '{value}'")
    return number


def _run(args: argparse.Namespace) -> int:
    run_topics(Project.at(args.source), print, args.top)
    return 0
