"""Relevance: how much each paper matters to the site's curator (content/interests.yaml), and why, in words.

A paper scores the weight of each keyword it mentions (matched as topic phrases are: digest/taxonomy.py's
PhraseFinder), of each followed author among its authors (names compared as related papers compare them), of
its organization if followed (the organizations module's identity: any spelling its papers use), and its
likeness to the content profile (digest/relevance/profile.py), a similarity of `SIMILAR` counting 1. Papers
reaching the file's threshold are picked; muted ones (a phrase, an author or a topic) never are, and leave
the home page's and the email's new papers too. Deterministic: the same catalog and file give the same scores,
reasons and order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from digest.catalog import Catalog, Paper
from digest.errors import ConfigError
from digest.inputs.interests import Interest, Interests
from digest.organizations import Organizations, fold, organizations
from digest.related.terms import Vocabulary, author_key, texts_of
from digest.relevance.profile import Likeness, Seed, likenesses
from digest.taxonomy import PhraseFinder
from digest.text import folded_words

SIMILAR = 0.3  # a similarity to the profile worth one keyword (good real matches reach 0.3-0.5); a paper this
# like a seed is picked on that alone
SHARED_SHOWN = 3  # terms a "like ..." reason names


@dataclass(frozen=True)
class Reason:
    """One reason in words, its subject apart so a page can set it off: 'by' 'Tri Dao' '(followed)'."""

    lead: str
    subject: str
    tail: str = ""

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.lead, self.subject, self.tail) if part)


@dataclass(frozen=True)
class Pick:
    slug: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Match:
    """One entry of the file and the papers it matched: `digest interests` says which matched nothing."""

    key: str  # 'keywords', 'authors', 'organizations', 'papers', 'library', 'mute'
    text: str
    line: int | None
    slugs: frozenset[str]
    note: str = ""  # why it can match nothing: a listed paper the site does not have


@dataclass(frozen=True)
class Relevance:
    threshold: float
    scores: Mapping[str, Pick]  # every paper something in the file matched, muted ones too
    muted: frozenset[str]
    matches: tuple[Match, ...]

    def picks(self, slugs: Iterable[str]) -> tuple[Pick, ...]:
        """The papers of `slugs` at or above the threshold and not muted, most relevant first (then as given)."""
        found = [self.scores[slug] for slug in slugs
                 if slug in self.scores and slug not in self.muted and self.scores[slug].score >= self.threshold]
        return tuple(sorted(found, key=lambda pick: -pick.score))

    def unmuted(self, slugs: Sequence[str]) -> tuple[str, ...]:
        return tuple(slug for slug in slugs if slug not in self.muted)


def relevance(catalog: Catalog, interests: Interests, min_papers: int,
              cache: RelevanceCache | None = None) -> Relevance:
    """Score every paper of `catalog` for `interests`. A build asks once (commands/build.py) and hands the answer
    to the pages, the feeds and the emails; a preview's `cache` keeps it while the catalog and the file stay."""
    if cache is None:
        return _score(catalog, interests, organizations(catalog, min_papers), None)
    key = (interests, min_papers)
    if cache.last is None or cache.last[0] is not catalog or cache.last[1] != key:
        cache.last = (catalog, key, _score(catalog, interests, organizations(catalog, min_papers), cache.vocabulary))
    return cache.last[2]


@dataclass
class RelevanceCache:
    """A preview session's: the last answer (for the catalog itself: ids recur) and the titles and abstracts split
    into words, as RelatedCache.vocabulary keeps them (splitting is most of the profile's time, and a rebuild
    meets few new texts)."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    last: tuple[Catalog, tuple[Interests, int], Relevance] | None = None


def _score(catalog: Catalog, interests: Interests, orgs: Organizations, vocabulary: Vocabulary | None) -> Relevance:
    papers = list(catalog.papers.values())
    keyword_hits = list(zip(interests.keywords, _phrase_hits(papers, [entry.text for entry in interests.keywords]),
                            strict=True))
    author_hits = _author_hits(papers, interests.authors)
    org_hits = [(entry, _org_papers(entry, orgs)) for entry in interests.organizations]
    seeds = _seeds(catalog, interests)
    like = likenesses(papers, seeds, vocabulary)
    reasons: dict[str, list[tuple[float, Reason]]] = {}

    def add(slugs: Iterable[str], weight: float, reason: Callable[[Paper], Reason]) -> None:
        for slug in sorted(slugs):
            reasons.setdefault(slug, []).append((weight, reason(catalog.papers[slug])))

    for entry, slugs in author_hits:
        add(slugs, entry.weight, partial(_by_author, author_key(entry.text)))
    for entry, slugs in org_hits:
        add(slugs, entry.weight, lambda paper: Reason("from", orgs.by_name[fold(paper.organization or "")].name,
                                                      "(followed)"))
    for entry, slugs in keyword_hits:
        add(slugs, entry.weight, lambda paper, text=entry.text: Reason("mentions", text))
    for slug, likeness in sorted(like.items()):
        reasons.setdefault(slug, []).append((likeness.similarity / SIMILAR, _like(likeness)))
    scores = {slug: Pick(slug, round(sum(weight for weight, _ in found), 4), tuple(reason for _, reason in found))
              for slug, found in sorted(reasons.items())}
    muted, mute_matches = _muted(catalog, papers, interests)
    liked: dict[Seed, set[str]] = {}
    for slug, likeness in like.items():
        liked.setdefault(likeness.seed, set()).add(slug)
    named = {seed.slug: seed for seed in seeds if not seed.in_library}
    by_id = {paper.arxiv_id: paper.slug for paper in papers if paper.arxiv_id}
    matches = (*(Match("keywords", e.text, e.line, s) for e, s in keyword_hits),
               *(Match("authors", e.text, e.line, s) for e, s in author_hits),
               *(Match("organizations", e.text, e.line, s) for e, s in org_hits),
               *(Match("papers", e.text, e.line, frozenset(liked.get(named[by_id[e.text]], ())))
                 if by_id.get(e.text) in named else Match("papers", e.text, e.line, frozenset(),
                                                          "not on this site, so its text is unknown")
                 for e in interests.papers),
               *(Match("library", seed.title, interests.library_line, frozenset(liked.get(seed, ())))
                 for seed in seeds if seed.in_library),
               *mute_matches)
    return Relevance(interests.threshold, scores, muted, matches)


def _by_author(key: str, paper: Paper) -> Reason:
    """'by Tri Dao (followed)', the name as this paper writes it."""
    return Reason("by", next(name for name in paper.authors if author_key(name) == key), "(followed)")


def _phrase_hits(papers: Sequence[Paper], phrases: Sequence[str]) -> list[frozenset[str]]:
    """Each phrase's papers: those whose title, abstract or keywords have it, as a topic's phrase is found.

    The PhraseFinder reads only the papers whose folded text holds some phrase's first word (a substring test
    in C): a whole pass over every paper's words costs a second and a half at 8,000 papers."""
    if not phrases:
        return []
    finder = PhraseFinder([[phrase] for phrase in phrases])
    firsts = {(folded_words(phrase.rstrip("*")) or [""])[0] for phrase in phrases}
    found: list[set[str]] = [set() for _ in phrases]
    for paper in papers:
        texts = texts_of(paper)
        folded = " ".join(texts).lower()
        if folded.isascii() and not any(first in folded for first in firsts):
            continue
        for index, count in enumerate(finder.count(texts)):
            if count:
                found[index].add(paper.slug)
    return [frozenset(slugs) for slugs in found]


def _author_hits(papers: Sequence[Paper], entries: Sequence[Interest]) -> list[tuple[Interest, frozenset[str]]]:
    wanted = {author_key(entry.text): index for index, entry in enumerate(entries)}
    found: list[set[str]] = [set() for _ in entries]
    for paper in papers:
        for name in paper.authors:
            if (index := wanted.get(author_key(name))) is not None:
                found[index].add(paper.slug)
    return [(entry, frozenset(slugs)) for entry, slugs in zip(entries, found, strict=True)]


def _org_papers(entry: Interest, orgs: Organizations) -> frozenset[str]:
    """An organization followed by any name its papers give it: 'Qwen' follows the papers that say 'qwen' too."""
    org = orgs.by_name.get(fold(entry.text))
    return frozenset(org.papers) if org is not None else frozenset()


def _seeds(catalog: Catalog, interests: Interests) -> list[Seed]:
    """The profile's texts: the named papers the catalog has, then the library's entries (one per paper)."""
    by_id = {paper.arxiv_id: paper for paper in catalog.papers.values() if paper.arxiv_id}
    seeds = [Seed(by_id[entry.text].title, by_id[entry.text].abstract, by_id[entry.text].authors, entry.weight,
                  False, by_id[entry.text].slug) for entry in interests.papers if entry.text in by_id]
    taken = {seed.slug for seed in seeds}
    for item in interests.library:
        paper = by_id.get(item.arxiv_id) if item.arxiv_id else None
        if paper is not None and paper.slug in taken:
            continue
        taken.add(paper.slug if paper is not None else None)
        seeds.append(Seed(item.title, item.abstract, item.authors, 1.0, True, paper.slug if paper else None))
    return seeds


def _muted(catalog: Catalog, papers: Sequence[Paper], interests: Interests) -> tuple[frozenset[str], list[Match]]:
    """The papers a mute removes, and each mute's papers; a topic the taxonomy lacks is an error at its line."""
    mutes = interests.mute
    topics = {key: topic.slug for topic in catalog.topics for key in (topic.slug, fold(topic.name))}
    phrases = [mute for mute in mutes if mute.kind == "phrase"]
    hits = dict(zip(phrases, _phrase_hits(papers, [mute.text for mute in phrases]), strict=True))
    authors = [mute for mute in mutes if mute.kind == "author"]
    hits.update((mute, slugs) for mute, (_, slugs) in zip(authors, _author_hits(
        papers, [Interest(mute.text, 1.0, mute.line) for mute in authors]), strict=True))
    for mute in mutes:
        if mute.kind == "topic":
            slug = topics.get(mute.text) or topics.get(fold(mute.text))
            if slug is None:
                names = ", ".join(topic.name for topic in catalog.topics)
                raise ConfigError(f"'mute': no topic '{mute.text}' in topics.yaml; its topics: {names}",
                                  interests.path, mute.line)
            hits[mute] = frozenset(catalog.papers_by_topic.get(slug, ()))
    matches = [Match("mute", mute.text if mute.kind == "phrase" else f"{mute.kind}: {mute.text}", mute.line,
                     hits[mute]) for mute in mutes]
    return frozenset().union(*hits.values()), matches


def _like(likeness: Likeness) -> Reason:
    shared = f"shared: {', '.join(likeness.shared[:SHARED_SHOWN])}" if likeness.shared else ""
    where = "in your library" if likeness.seed.in_library else "one of your papers"
    return Reason("like", likeness.seed.title, f"{where} ({shared})" if shared else where)
