"""A preview's folder equals a cold build's after any sequence of edits (hypothesis picks the edits).

Every cache a preview keeps between builds (snapshots, catalog, topics, cards, pages, emails, search,
related papers, templates, written files) is held to one promise: after each edit the served folder is,
file for file, what `digest build` makes from the same sources in an empty folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from digest.commands.build import BuildState, build_site
from digest.project import Project
from tests.helpers import REPO, make_project, tree

WORDS = ("federated", "diffusion", "agents", "reasoning", "robot", "speech", "quantized", "retrieval", "privacy",
         "transformer", "benchmark", "alignment", "video", "graph", "protein", "tokens")


def paper_item(number: int, words: list[str], upvotes: int) -> dict[str, Any]:
    title = " ".join(word.capitalize() for word in words[:4]) + f" Study {number}"
    return {"paper": {"id": f"2510.{number:05d}", "title": title, "upvotes": upvotes,
                      "summary": f"We study {' and '.join(words)} at scale. Paper {number} shows results. " * 4,
                      "authors": [{"name": f"Author {number % 5}"}, {"name": "Common Author"}],
                      "ai_summary": f"A study of {words[0]}." if number % 2 else "",
                      **({"organization": ORGS[number % 4]} if number % 4 < len(ORGS) else {})}}


# Organizations a paper may name (the API's object); a site whose threshold is 2 papers gets pages for some.
ORGS = ({"name": "Qwen", "fullname": "Qwen"}, {"name": "zju", "fullname": "Zhejiang University"},
        {"name": "ZhejiangUniversity", "fullname": "zhejiang  university"})



word_lists = st.lists(st.sampled_from(WORDS), min_size=2, max_size=5)


class PreviewMatchesColdBuild(RuleBasedStateMachine):
    """Edits a small site the way a curator does, rebuilding with one BuildState after each edit."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(self.tmp.mktemp("preview"))  # type: ignore[attr-defined]
        self.state = BuildState()
        self.next_number = 1

    @initialize(first=st.lists(word_lists, min_size=3, max_size=6), second=st.lists(word_lists, min_size=1,
                                                                                     max_size=4))
    def start(self, first: list[list[str]], second: list[list[str]]) -> None:
        self.project = make_project(self.root / "site-project", {
            "2025-10-08.json": self.day(first), "2025-10-09.json": self.day(second)})
        site_yaml = self.project.content / "site.yaml"
        site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "organization_min_papers: 2\n", encoding="utf-8")
        (self.project.templates / "partials").mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "templates" / "paper.html", self.project.templates / "paper.html")
        self.rebuild()

    def day(self, papers: list[list[str]]) -> str:
        items = []
        for words in papers:
            items.append(paper_item(self.next_number, words, (self.next_number * 7) % 50))
            self.next_number += 1
        return json.dumps(items, indent=2)

    def snapshot(self, name: str) -> Path:
        return self.project.snapshots / name

    def edit_items(self, name: str, change: Any) -> None:
        path = self.snapshot(name)
        items = json.loads(path.read_text(encoding="utf-8"))
        change(items)
        path.write_text(json.dumps(items, indent=2), encoding="utf-8")

    def rebuild(self) -> None:
        build_site(self.project, state=self.state)

    @rule(words=word_lists, day=st.sampled_from(["2025-10-08.json", "2025-10-09.json"]))
    def add_a_paper(self, words: list[str], day: str) -> None:
        number = self.next_number
        self.next_number += 1
        self.edit_items(day, lambda items: items.append(paper_item(number, words, number % 40)))
        self.rebuild()

    @rule(day=st.sampled_from(["2025-10-08.json", "2025-10-09.json"]), which=st.integers(0, 10))
    def remove_a_paper(self, day: str, which: int) -> None:
        self.edit_items(day, lambda items: items.pop(which % len(items)) if len(items) > 1 else None)
        self.rebuild()

    @rule(which=st.integers(0, 10), words=word_lists)
    def edit_an_abstract(self, which: int, words: list[str]) -> None:
        def change(items: list[dict[str, Any]]) -> None:
            items[which % len(items)]["paper"]["summary"] = f"Now about {' '.join(words)}, at length. " * 6
        self.edit_items("2025-10-08.json", change)
        self.rebuild()

    @rule(which=st.integers(0, 10), words=word_lists)
    def edit_a_title(self, which: int, words: list[str]) -> None:
        def change(items: list[dict[str, Any]]) -> None:
            items[which % len(items)]["paper"]["title"] = " ".join(words).title() + " Revisited"
        self.edit_items("2025-10-09.json", change)
        self.rebuild()

    @rule(which=st.integers(0, 10), upvotes=st.integers(0, 500))
    def new_upvotes(self, which: int, upvotes: int) -> None:
        def change(items: list[dict[str, Any]]) -> None:
            items[which % len(items)]["paper"]["upvotes"] = upvotes
        self.edit_items("2025-10-09.json", change)
        self.rebuild()

    @rule(which=st.integers(0, 10), org=st.sampled_from([None, *ORGS]))
    def change_an_organization(self, which: int, org: dict[str, str] | None) -> None:
        """A paper names another organization, or none: one may cross the threshold, or fall under it."""
        def change(items: list[dict[str, Any]]) -> None:
            items[which % len(items)]["paper"]["organization"] = org
        self.edit_items("2025-10-09.json", change)
        self.rebuild()

    @rule(word=st.sampled_from(WORDS))
    def edit_the_taxonomy(self, word: str) -> None:
        path = self.project.content / "topics.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("phrases:", f"phrases:\n      - {word}", 1), encoding="utf-8")
        self.rebuild()

    @rule(text=st.sampled_from(["<p>Read carefully.</p>", "<p>Cite us.</p>", ""]))
    def edit_a_template(self, text: str) -> None:
        path = self.project.templates / "paper.html"
        source = (REPO / "templates" / "paper.html").read_text(encoding="utf-8")
        path.write_text(source.replace("</article>", text + "</article>"), encoding="utf-8")
        self.rebuild()

    @rule(length=st.sampled_from([120, 220, 300]), description=st.sampled_from(["Papers.", "Daily papers."]))
    def edit_a_setting(self, length: int, description: str) -> None:
        path = self.project.content / "site.yaml"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if not line.startswith(("snippet_length:", "description:"))]
        path.write_text("\n".join([*lines, f"snippet_length: {length}", f"description: {description}", ""]),
                        encoding="utf-8")
        self.rebuild()

    @rule(words=word_lists)
    def edit_a_page(self, words: list[str]) -> None:
        path = self.project.pages / "about.md"
        path.write_text(f"---\ntitle: About\n---\n\nThis site follows {', '.join(words)}.\n", encoding="utf-8")
        self.rebuild()

    @rule(keywords=st.lists(st.sampled_from(WORDS), max_size=3, unique=True), mute=st.sampled_from(["", "video"]),
          follow=st.booleans(), remove=st.booleans())
    def edit_the_interests(self, keywords: list[str], mute: str, follow: bool, remove: bool) -> None:
        """content/interests.yaml written, changed or removed: the For-you blocks, page, feeds and emails follow."""
        path = self.project.content / "interests.yaml"
        if remove:
            path.unlink(missing_ok=True)
        else:
            path.write_text(f"keywords: [{', '.join(keywords)}]\nauthors: [{'Common Author' if follow else ''}]\n"
                            f"mute: [{mute}]\n", encoding="utf-8")
        self.rebuild()

    @rule(searches=st.lists(word_lists, min_size=0, max_size=2))
    def edit_the_saved_searches(self, searches: list[list[str]]) -> None:
        """interests.yaml's saved searches changed, emptied or gone: their pages, feeds and emails follow."""
        path = self.project.content / "interests.yaml"
        if not searches:
            path.unlink(missing_ok=True)
        else:
            entries = [f"  - name: Search {number} {words[0]}\n    query: +{words[0]} {' '.join(words[1:])}\n"
                       for number, words in enumerate(searches)]
            path.write_text("searches:\n" + "".join(entries), encoding="utf-8")
        self.rebuild()

    @rule(papers=st.lists(word_lists, min_size=0, max_size=3))
    def add_a_day(self, papers: list[list[str]]) -> None:
        days = sorted(self.project.snapshots.iterdir())
        newest = days[-1].name[:10]
        following = f"2025-10-{int(newest[8:]) + 1:02d}.json"
        self.snapshot(following).write_text(self.day(papers) if papers else "[]", encoding="utf-8")
        self.rebuild()

    @invariant()
    def the_served_folder_equals_a_cold_build(self) -> None:
        if not hasattr(self, "project"):
            return
        cold_root = self.root / "cold"
        shutil.rmtree(cold_root, ignore_errors=True)
        shutil.copytree(self.project.content, cold_root / "content")
        shutil.copytree(self.project.templates, cold_root / "templates")
        cold = Project.at(cold_root)
        build_site(cold)
        served, fresh = tree(self.project.output), tree(cold.output)
        assert sorted(served.keys() ^ fresh.keys()) == [], "files only one of the two folders has"
        assert [name for name in served if served[name] != fresh[name]] == [], "files whose bytes differ"


@pytest.mark.slow
def test_a_preview_equals_a_cold_build_after_any_edits(tmp_path_factory: pytest.TempPathFactory) -> None:
    machine = type("Machine", (PreviewMatchesColdBuild,), {"tmp": tmp_path_factory})
    machine.TestCase.settings = settings(max_examples=8, stateful_step_count=6, deadline=None, derandomize=True,
                                         suppress_health_check=list(HealthCheck))
    machine.TestCase().runTest()
