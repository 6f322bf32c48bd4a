"""Benchmark the site build on a deterministic synthetic corpus.

For each size N (distinct papers) this writes a project folder of snapshot
files shaped like the real feed, then measures, each in a fresh child
process so peak memory belongs to that size alone:

* a full build (seconds, peak RSS, pages per second, files written,
  search files raw and gzipped);
* the incremental path the preview server uses: a first build with a
  `BuildState`, then a rebuild with nothing changed, one after appending a
  paper to the newest snapshot and one after editing an abstract in an old
  snapshot;
* the preview round trip: `digest serve` in its own process and a page open
  in Chromium, from saving the newest snapshot with one more paper to the
  page showing it (debounce, the open page written first, live reload), and
  to the whole site rebuilt, three times, each from an idle server.

The real corpus in ../shared/corpus/hf-daily-papers is built too when it is there
(full build only; `--no-real` skips it).

Run `python bench/bench.py` (or `make bench`); `--sizes 1000,20000`, `--json`,
`--keep DIR` and `--profile N` (cProfile of one full build) are optional.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import pstats
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REAL_CORPUS = REPO.parent / "shared" / "corpus" / "hf-daily-papers"
SEED = 20251008
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PREVIEW_ROUNDS = 3
PAPERS_PER_DAY = 80
RETURNING_SHARE = 0.6
RETURN_WINDOW_DAYS = 10
FIRST_DAY = date(2023, 1, 2)
HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
          "byAK and the research community\n\n")

# Vocabulary. Each topic's words come from content/topics.yaml so the classifier files many papers.
TOPIC_WORDS: dict[str, list[str]] = {
    "continual": ["continual learning", "catastrophic forgetting", "class incremental learning", "experience replay",
                  "lifelong adaptation", "the stability plasticity trade-off"],
    "llm": ["large language models", "instruction tuning", "in-context learning", "chain-of-thought reasoning",
            "pretrained language models", "LLM agents", "GPT-style decoders"],
    "data": ["data augmentation", "curriculum learning", "data mixing", "data selection", "dataset distillation",
             "domain weights for data mixtures"],
    "robust": ["adversarial robustness", "certified defences", "adversarial attacks", "input perturbations",
               "noise robust training"],
    "efficient": ["distributed training", "pipeline parallelism", "GPU memory", "quantization", "low-rank adapters",
                  "structured pruning", "communication overhead", "large batch training", "training throughput"],
    "theory": ["convergence guarantees", "learning rate schedules", "stochastic gradient descent",
               "sample complexity", "provable generalization", "lower bounds"],
    "federated": ["federated learning", "heterogeneous clients", "client drift", "federated averaging"],
    "moe": ["mixture of experts", "expert routing", "model merging", "weight averaging", "sparse experts"],
    "transfer": ["domain adaptation", "test-time adaptation", "parameter-efficient fine-tuning", "transfer learning",
                 "distribution shifts", "domain generalization"],
    "vision": ["vision transformers", "multimodal models", "video understanding", "image segmentation",
               "visual question answering", "convolutional networks"],
    "rl": ["reinforcement learning", "reward models", "policy optimization", "imitation learning", "RLHF",
           "offline reinforcement learning"],
    "safety": ["safety alignment", "jailbreak attacks", "harmful content", "refusal behaviour",
               "human preferences"],
    "science": ["protein design", "molecular property prediction", "clinical notes", "medical imaging",
                "biological sequences", "chemical reactions"],
    "generative": ["diffusion models", "consistency models", "generative modeling", "image generation",
                   "sampling efficiency"],
    "representation": ["representation learning", "contrastive learning", "self-supervised pretraining",
                       "embeddings", "active learning"],
    "language": ["multilingual models", "cross-lingual transfer", "speech recognition", "machine translation",
                 "code switching", "low-resource languages"],
}
TOPIC_KEYS = sorted(TOPIC_WORDS)
TASKS = ["long-context reasoning", "open-domain question answering", "mathematical reasoning", "code generation",
         "text-to-image synthesis", "robot manipulation", "retrieval-augmented generation", "summarization",
         "time-series forecasting", "graph learning", "tabular prediction", "3D scene understanding",
         "document understanding", "dialogue systems", "recommendation", "anomaly detection"]
ADJECTIVES = ["scalable", "efficient", "robust", "adaptive", "unified", "lightweight", "principled", "simple",
              "hierarchical", "sparse", "dynamic", "modular", "data-efficient", "interpretable", "stable"]
NOUNS = ["framework", "method", "architecture", "training recipe", "benchmark", "objective", "algorithm",
         "pipeline", "toolkit", "model family"]
GERUNDS = ["Scaling", "Rethinking", "Improving", "Understanding", "Accelerating", "Aligning", "Distilling",
           "Revisiting", "Benchmarking", "Unifying", "Compressing", "Steering"]
SYLLABLES = ["ra", "ve", "lo", "mi", "qu", "zen", "tor", "fla", "nex", "sol", "dia", "kor", "ly", "pha", "gri",
             "mo", "ste", "vu", "xan", "bel", "cri", "do", "fin", "har"]
METRICS = ["accuracy", "F1", "win rate", "pass@1", "BLEU", "perplexity", "mean reward", "exact match"]
ORGS = ["openlab", "ml-group", "deep-research", "ai-institute", "nlp-lab", "vision-team", "uni-ml", "foundation"]

SENTENCES = [
    "{T1} has emerged as {a_adj} paradigm for {task}, yet {t2} remains challenging in practice.",
    "Existing approaches to {task} rely heavily on {t1}, which limits their ability to generalize to new settings.",
    "In this work, we propose {name}, {a_adj} {noun} that combines {t1} with {t2}.",
    "Our key insight is that {t2} can be reformulated as a form of {t1}, enabling {adj} optimization at scale.",
    "We evaluate {name} on {n} benchmarks spanning {task}, {task2} and {t2}.",
    "Experiments show that {name} improves {metric} by {pct}% over strong baselines while reducing cost by {x}x.",
    "We further provide a theoretical analysis showing that {t1} converges under mild assumptions.",
    "Ablation studies confirm that each component of {name} is critical, especially the treatment of {t2}.",
    "Surprisingly, we find that {t1} interacts with {t2} in ways that prior work has overlooked.",
    "Compared with {t2}, our approach requires {x}x fewer GPU hours and no additional labelled data.",
    "We release a new dataset of {k}K examples for {task} to support future research on {t1}.",
    "Our analysis reveals that scaling {t1} beyond {k}B parameters yields diminishing returns for {task2}.",
    "Finally, we discuss limitations of {name} and directions for combining it with {t2}.",
    "These results suggest that {t1} is a promising direction for {adj} {task2}.",
]


class Corpus:
    """A seeded generator of papers and the snapshot files that feature them."""

    def __init__(self, papers: int, seed: int = SEED) -> None:
        self.target = papers
        self.rng = random.Random(seed)
        self.seen_titles: set[str] = set()

    def paper(self) -> tuple[str, str]:
        """One new paper: a unique title and a 150-250 word abstract, sometimes ending in a code URL."""
        name = self._name()
        topics = self.rng.sample(TOPIC_KEYS, 2)
        title = self._title(name, topics)
        return title, self._abstract(name, topics)

    def _name(self) -> str:
        syllables = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        name = syllables.capitalize()
        return name + (f"-{self.rng.randint(2, 9)}" if self.rng.random() < 0.2 else "")

    def _title(self, name: str, topics: list[str]) -> str:
        while True:
            t1, t2 = (self.rng.choice(TOPIC_WORDS[key]) for key in topics)
            form = self.rng.randrange(4)
            if form == 0:
                title = f"{name}: {self.rng.choice(GERUNDS)} {_cap(t1)} for {_cap(self.rng.choice(TASKS))}"
            elif form == 1:
                title = f"{_cap(self.rng.choice(ADJECTIVES))} {_cap(t1)} via {_cap(t2)}"
            elif form == 2:
                title = f"Towards {_cap(self.rng.choice(ADJECTIVES))} {_cap(self.rng.choice(TASKS))} with {_cap(t1)}"
            else:
                title = f"{name}: A {_cap(self.rng.choice(ADJECTIVES))} {_cap(self.rng.choice(NOUNS))} for {_cap(t2)}"
            key = " ".join(title.lower().replace(":", " ").replace("-", " ").split())
            if key not in self.seen_titles:
                self.seen_titles.add(key)
                return title
            name = self._name()

    def _abstract(self, name: str, topics: list[str]) -> str:
        target = self.rng.randint(150, 250)
        sentences: list[str] = []
        words = 0
        order = self.rng.sample(SENTENCES, len(SENTENCES))
        while words < target:
            sentence = self._fill(order[len(sentences) % len(order)], name, topics)
            sentences.append(sentence)
            words += len(sentence.split())
        if self.rng.random() < 0.3:
            repo = f"{self.rng.choice(ORGS)}/{name.lower()}"
            sentences.append(f"Code is available at https://github.com/{repo}.")
        return " ".join(sentences)

    def _fill(self, template: str, name: str, topics: list[str]) -> str:
        rng = self.rng
        t1 = rng.choice(TOPIC_WORDS[topics[0]])
        t2 = rng.choice(TOPIC_WORDS[topics[rng.random() < 0.7]])
        task, task2 = rng.sample(TASKS, 2)
        adjective = rng.choice(ADJECTIVES)
        return template.format(
            T1=_cap_first(t1), t1=t1, t2=t2, task=task, task2=task2, name=name, adj=adjective,
            a_adj=("an " if adjective[0] in "aeiou" else "a ") + adjective,
            noun=rng.choice(NOUNS), n=rng.randint(3, 12), metric=rng.choice(METRICS), pct=f"{rng.uniform(1, 30):.1f}",
            x=rng.randint(2, 9), k=rng.randint(10, 900),
        )

    def days(self) -> Iterator[tuple[date, list[tuple[str, str]]]]:
        """Snapshot days until `target` distinct papers have appeared; ~60% of a day's papers return."""
        made = 0
        history: list[list[tuple[str, str]]] = []
        day = FIRST_DAY
        while made < self.target:
            size = self.rng.randint(PAPERS_PER_DAY - 10, PAPERS_PER_DAY + 10)
            pool = [paper for earlier in history[-RETURN_WINDOW_DAYS:] for paper in earlier]
            returning = self.rng.sample(pool, min(len(pool), round(size * RETURNING_SHARE)))
            fresh = [self.paper() for _ in range(min(size - len(returning), self.target - made))]
            made += len(fresh)
            history.append(fresh)
            entries = returning + fresh
            self.rng.shuffle(entries)
            yield day, entries
            day += timedelta(days=1)


def _cap(text: str) -> str:
    """Title case that leaves acronyms (LLM, GPU) alone and capitalises each part of a hyphenated word."""
    return " ".join("-".join(part if part.isupper() else part.capitalize() for part in word.split("-"))
                    for word in text.split())


def _cap_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def snapshot_text(day: date, entries: list[tuple[str, str]]) -> str:
    body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in entries)
    return f"{HEADER}{day:%b} {day.day}\n\n{body}"


def empty_project(root: Path) -> Path:
    """The repository's settings, taxonomy, pages and templates in `root`, no snapshots; returns snapshots/."""
    content = root / "content"
    snapshots = content / "snapshots"
    snapshots.mkdir(parents=True)
    for name in ("site.yaml", "topics.yaml"):
        shutil.copy(REPO / "content" / name, content / name)
    shutil.copytree(REPO / "content" / "pages", content / "pages")
    # A copy of the templates, so edits to the shared working tree during a run cannot invalidate the render cache.
    shutil.copytree(REPO / "templates", root / "templates")
    return snapshots


def make_project(root: Path, papers: int) -> dict[str, int]:
    """Write a project folder for `papers` distinct papers; returns corpus statistics."""
    snapshots = empty_project(root)
    days = entries = 0
    for day, items in Corpus(papers).days():
        (snapshots / f"{day.isoformat()}.txt").write_text(snapshot_text(day, items), encoding="utf-8")
        days += 1
        entries += len(items)
    return {"papers": papers, "snapshot_files": days, "entries": entries}


# --- measurements, run in a child process -------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _worker_peak_mb() -> float:
    """The largest peak of the build's forked workers (each is its own process, with its own RSS)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _report(report: Any, seconds: float) -> dict[str, Any]:
    from digest.commands.progress import stage_times

    return {"seconds": round(seconds, 3), "pages": report.pages, "files": report.files, "written": report.written,
            "unchanged": report.unchanged, "rendered": report.rendered, "reused": report.reused,
            "papers": report.papers, "search_bytes": report.search_bytes, "stages": stage_times(report.stages)}


def child_full(root: Path) -> dict[str, Any]:
    """One cold full build into a fresh output folder, as `digest build` does it."""
    from digest.commands.build import build_site
    from digest.project import Project

    project = Project.at(root, root / "site-full")
    shutil.rmtree(project.output, ignore_errors=True)
    started, cpu = time.perf_counter(), time.process_time()
    report = build_site(project)
    result = _report(report, time.perf_counter() - started)
    result["cpu_seconds"] = round(time.process_time() - cpu, 3)  # steadier than wall time on a shared machine
    search = [path.read_bytes() for path in sorted((project.output / "search").rglob("*.json"))]
    # what a host serves: every shard, chunk and the manifest, gzipped one by one
    result["search_gzip_bytes"] = sum(len(gzip.compress(data, compresslevel=6, mtime=0)) for data in search)
    result.update(search_files=len(search), peak_mb=round(_peak_mb(), 1), worker_peak_mb=round(_worker_peak_mb(), 1))
    return result


def child_incremental(root: Path) -> dict[str, Any]:
    """The preview server's path: one BuildState across a first build and three rebuilds."""
    from digest.commands.build import BuildState, build_site
    from digest.project import Project

    project = Project.at(root, root / "site-incremental")
    shutil.rmtree(project.output, ignore_errors=True)
    state = BuildState()
    results: dict[str, Any] = {}

    def timed(label: str) -> None:
        started = time.perf_counter()
        report = build_site(project, state=state)
        results[label] = _report(report, time.perf_counter() - started)

    timed("first")
    timed("no_change")
    files = sorted(project.snapshots.glob("*.txt"))
    with files[-1].open("a", encoding="utf-8") as handle:
        title, abstract = Corpus(1, seed=SEED + 1).paper()
        handle.write(f"{title} (appended)\n\n{abstract}\n\n")
    timed("append_paper")
    _edit_abstract(files[len(files) // 2], files[len(files) // 2 + 1:])
    timed("edit_abstract")
    results["peak_mb"] = round(_peak_mb(), 1)
    return results


def child_preview(root: Path) -> dict[str, Any]:
    """`digest serve` and a browser on its home page: seconds from each save to the page showing the new paper,
    and to the server saying the whole site is rebuilt (the open page is written, and reloads, first)."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (root / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", str(port),
                               "--output", str(root / "site-serve")], cwd=root, stdout=log, stderr=subprocess.STDOUT)
    rounds: list[float] = []
    whole_site: list[float] = []
    try:
        _wait_until_serving(server, port)
        newest = sorted(root.joinpath("content", "snapshots").glob("*.txt"))[-1]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            for number in range(PREVIEW_ROUNDS):
                title, abstract = Corpus(1, seed=SEED + 100 + number).paper()
                title = f"{title} (saved in the preview, round {number + 1})"
                time.sleep(1.0)  # the page settled, the watcher idle
                started = time.perf_counter()
                with newest.open("a", encoding="utf-8") as handle:
                    handle.write(f"{title}\n\n{abstract}\n\n")
                page.wait_for_function("title => document.body.innerText.includes(title)", arg=title,
                                       timeout=120_000)
                rounds.append(round(time.perf_counter() - started, 3))
                _wait_for_line(root / "serve.log", "Rebuilt", number + 1)
                whole_site.append(round(time.perf_counter() - started, 3))
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)
        log.close()
    return {"rounds": rounds, "whole_site": whole_site}


def _wait_for_line(log: Path, start: str, count: int, timeout: float = 120) -> None:
    """Until `count` lines of the log start with `start` (the server prints one when a rebuild is written)."""
    deadline = time.monotonic() + timeout
    while sum(line.startswith(start) for line in log.read_text().splitlines()) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{log} has no {count} lines starting '{start}'")
        time.sleep(0.01)


def _wait_until_serving(server: subprocess.Popen[bytes], port: int, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"digest serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("digest serve did not start")


def _edit_abstract(path: Path, later: list[Path]) -> None:
    """Edit the abstract of a paper in `path` that no later snapshot repeats (the newest text wins)."""
    later_text = "".join(other.read_text(encoding="utf-8") for other in later)
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    first_title = HEADER.count("\n\n") + 1  # the header's blocks, then the date line
    for index in range(first_title, len(blocks) - 1, 2):
        if f"\n{blocks[index]}\n" not in later_text:
            blocks[index + 1] = blocks[index + 1].replace(" ", " (edited) ", 1)
            path.write_text("\n\n".join(blocks), encoding="utf-8")
            return
    raise RuntimeError(f"every paper in {path} returns later; nothing to edit")


def child_profile(root: Path, out: Path) -> None:
    from digest.commands.build import build_site
    from digest.project import Project

    project = Project.at(root, root / "site-profile")
    shutil.rmtree(project.output, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.runcall(build_site, project)
    profiler.dump_stats(out)
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def run_child(mode: str, root: Path) -> dict[str, Any]:
    completed = subprocess.run([sys.executable, __file__, "--child", mode, str(root)], check=True,
                               capture_output=True, text=True, cwd=REPO)
    return json.loads(completed.stdout)


# --- driver -------------------------------------------------------------------------------------------------


def make_real_project(root: Path) -> dict[str, int]:
    """A project whose snapshots are links to the real API responses in ../shared (never copied)."""
    snapshots = empty_project(root)
    files = sorted(REAL_CORPUS.glob("*.json"))
    for source in files:
        (snapshots / source.name).symlink_to(source)
    entries = sum(len(json.loads(source.read_bytes())) for source in files)
    return {"papers": 0, "snapshot_files": len(files), "entries": entries}


def bench_real(workdir: Path) -> dict[str, Any]:
    root = workdir / "real"
    shutil.rmtree(root, ignore_errors=True)
    corpus = make_real_project(root)
    full = run_child("full", root)
    corpus["papers"] = full["papers"]
    return {"corpus": corpus, "full": full}


def bench_size(papers: int, workdir: Path, incremental: bool) -> dict[str, Any]:
    root = workdir / f"n{papers}"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    corpus = make_project(root, papers)
    corpus["generate_seconds"] = round(time.perf_counter() - started, 2)
    result: dict[str, Any] = {"corpus": corpus, "full": run_child("full", root)}
    if incremental:
        result["incremental"] = run_child("incremental", root)
        result["preview"] = run_child("preview", root)
    return result


def print_table(results: dict[str, dict[str, Any]]) -> None:
    rows: list[tuple[str, ...]] = [("corpus", "papers", "days", "entries", "full s", "cpu s", "peak MB",
                                    "worker MB", "pages", "pages/s", "files", "search raw", "search gz", "raw/paper",
                                    "gz/paper")]
    for label, result in results.items():
        corpus, full = result["corpus"], result["full"]
        size = full["papers"]
        rows.append((label, f"{size:,}", str(corpus["snapshot_files"]), f"{corpus['entries']:,}",
                     f"{full['seconds']:.2f}", f"{full['cpu_seconds']:.2f}", f"{full['peak_mb']:.0f}",
                     f"{full.get('worker_peak_mb', 0):.0f}", f"{full['pages']:,}",
                     f"{full['pages'] / full['seconds']:,.0f}", f"{full['written']:,}",
                     _size(full["search_bytes"]), _size(full["search_gzip_bytes"]),
                     f"{full['search_bytes'] / size:,.0f} B", f"{full['search_gzip_bytes'] / size:,.0f} B"))
    _print_rows("Full build (fresh process, empty output folder)", rows)
    rows = [("corpus", "step", "seconds", "rendered", "reused", "written", "peak MB")]
    for label, result in results.items():
        incremental = result.get("incremental")
        if not incremental:
            continue
        for step in ("first", "no_change", "append_paper", "edit_abstract"):
            item = incremental[step]
            rows.append((label, step.replace("_", " "), f"{item['seconds']:.2f}", f"{item['rendered']:,}",
                         f"{item['reused']:,}", f"{item['written']:,}",
                         f"{incremental['peak_mb']:.0f}" if step == "first" else ""))
    if len(rows) > 1:
        _print_rows("Incremental rebuilds with a BuildState (preview server path)", rows)
    rows = [("corpus", "until", "median s", "slowest s", "rounds")]
    for label, result in results.items():
        for key, until in (("rounds", "page shows it"), ("whole_site", "site rebuilt")):
            rounds = result.get("preview", {}).get(key)
            if rounds:
                rows.append((label, until, f"{sorted(rounds)[len(rounds) // 2]:.2f}", f"{max(rounds):.2f}",
                             " ".join(f"{seconds:.2f}" for seconds in rounds)))
    if len(rows) > 1:
        _print_rows("Preview round trip: digest serve + Chromium, from saving a snapshot with one more paper to the "
                    "open page showing it (written first), and to the whole site rebuilt", rows)
    print("\nWhere the time went, stage by stage (the summary `digest build` prints on a terminal)")
    for label, result in results.items():
        print(f"  {label}, full build: {result['full']['stages']}")
        if result.get("incremental"):
            print(f"  {label}, preview, paper appended: {result['incremental']['append_paper']['stages']}")
    print("\nsearch raw / gz: every file under search/ (manifest, term and word shards, result chunks); a query "
          "loads a few of them: bench/search_bench.py measures what a reader's browser fetches.")


def _print_rows(title: str, rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    print(f"\n{title}")
    for number, row in enumerate(rows):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def _size(count: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated paper counts (default: 1000,10000)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--no-incremental", action="store_true", help="measure full builds only")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the corpora in DIR and keep them")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one full build of N papers and exit")
    parser.add_argument("--no-real", action="store_true", help=f"skip the real corpus ({REAL_CORPUS})")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="digest-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile:
            if not (workdir / "profile").exists():
                make_project(workdir / "profile", args.profile)
            child_profile(workdir / "profile", workdir / "build.prof")
            return 0
        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
        results = {}
        for size in sizes:
            if not args.json:
                print(f"building {size:,} papers…", file=sys.stderr, flush=True)
            results[f"synthetic {size:,}"] = bench_size(size, workdir, not args.no_incremental)
        if not args.no_real and REAL_CORPUS.is_dir():
            if not args.json:
                print(f"building the real corpus ({REAL_CORPUS})…", file=sys.stderr, flush=True)
            results["real (hf-daily-papers)"] = bench_real(workdir)
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            print_table(results)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _child(argv: list[str]) -> int:
    mode, root = argv[0], Path(argv[1])
    children = {"full": child_full, "incremental": child_incremental, "preview": child_preview}
    result = children[mode](root)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
