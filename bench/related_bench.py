"""Benchmark related papers (digest/related/) on bench.py's synthetic corpus and the real one.

For each size N this writes bench.py's project folder (same seed, same bytes), reads it into a catalog
with `digest.commands.build.read_sources`, then, each in a fresh child process:

* times `related_papers` over the catalog (best of `--repeat` runs, each with the stemmer's caches
  emptied as in a fresh build: wall and CPU seconds; numpy's matrix product may use both cores, so CPU
  can exceed wall);
* measures the memory it needs beyond the catalog: the peak of tracemalloc (numpy reports its arrays
  to it) during one more run;
* appends one paper to the newest snapshot and counts the papers whose related list changed (their
  pages are what a preview renders again for related papers).

The real corpus in ../shared/corpus/hf-daily-papers is measured too when it is there (`--no-real` skips it).

Run `.venv/bin/python bench/related_bench.py` (sizes 1000,10000 by default; `--sizes 1000,10000,20000`,
`--repeat 3`, `--json`, `--keep DIR`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import REAL_CORPUS, REPO, make_project, make_real_project  # bench/bench.py

NEW_PAPER = ("\nClient Drift Correction for Federated Learning on Non-IID Clients\n\n"
             "Federated learning with heterogeneous clients suffers from client drift when data are non-IID; we "
             "correct the local updates of each client with control variates and prove convergence.\n")


def child(root: Path, repeat: int) -> dict[str, Any]:
    from digest.commands.build import read_sources
    from digest.project import Project
    from digest.related import related_papers

    project = Project.at(root, root / "site")
    catalog = read_sources(project).catalog
    papers, topics = list(catalog.papers.values()), catalog.topics
    runs = []
    for _ in range(repeat):
        _cold_caches()
        started, cpu = time.perf_counter(), time.process_time()
        lists = related_papers(papers, topics)
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
    tracemalloc.start()
    related_papers(papers, topics)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    newest = max(project.snapshots.glob("*.*"))
    if newest.suffix == ".txt":  # append a paper, as the preview sees a save
        newest.write_text(newest.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_PAPER, encoding="utf-8")
        grown = read_sources(project).catalog
        after = related_papers(grown.papers.values(), grown.topics)
        changed = sum(1 for slug, found in lists.items() if after[slug] != found)
        joined = sum(1 for slug, found in after.items() if slug in lists and found != lists[slug]
                     and any(item.slug not in lists for item in found))
    else:
        changed = joined = None
    best = min(runs)
    return {
        "papers": len(papers),
        "seconds": round(best[0], 3),
        "cpu_seconds": round(best[1], 3),
        "peak_mb": round(peak / 2**20, 1),
        "with_related": sum(1 for found in lists.values() if found),
        "listed": sum(len(found) for found in lists.values()),
        "lists_changed_by_a_new_paper": changed,
        "of_which_list_the_new_paper": joined,
    }


def _cold_caches() -> None:
    """Forget stemmed words, as a fresh `digest build` process would not know them."""
    from digest.output.search import stemmer, words
    from digest.related.terms import word_term

    for cache in (word_term, words.index_term, *(value for value in vars(stemmer).values()
                                                   if hasattr(value, "cache_clear"))):
        cache.cache_clear()


def run_child(root: Path, repeat: int) -> dict[str, Any]:
    completed = subprocess.run([sys.executable, __file__, "--child", str(root), str(repeat)], check=True,
                               capture_output=True, text=True, cwd=REPO)
    return json.loads(completed.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated paper counts (default: 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size; the best counts (default: 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the corpora in DIR and keep them")
    parser.add_argument("--no-real", action="store_true", help=f"skip the real corpus ({REAL_CORPUS})")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), int(args.child[1]))))
        return 0
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="digest-related-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    try:
        corpora: list[tuple[str, Path]] = []
        for size in (int(size) for size in args.sizes.split(",") if size.strip()):
            root = workdir / f"n{size}"
            shutil.rmtree(root, ignore_errors=True)
            make_project(root, size)
            corpora.append((f"synthetic {size:,}", root))
        if not args.no_real and REAL_CORPUS.is_dir():
            root = workdir / "real"
            shutil.rmtree(root, ignore_errors=True)
            make_real_project(root)
            corpora.append(("real (hf-daily-papers)", root))
        for name, root in corpora:
            if not args.json:
                print(f"measuring {name}…", file=sys.stderr, flush=True)
            results[name] = run_child(root, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"Related papers ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end)")
    print(f"{'corpus':<24} {'papers':>7} {'wall s':>7} {'cpu s':>6} {'peak MB':>8} {'with any':>9} {'listed':>7}"
          f" {'lists changed by +1 paper':>26}")
    for name, row in results.items():
        changed = ("n/a" if row["lists_changed_by_a_new_paper"] is None else
                   f"{row['lists_changed_by_a_new_paper']} ({row['of_which_list_the_new_paper']} list it)")
        print(f"{name:<24} {row['papers']:>7,} {row['seconds']:>7.2f} {row['cpu_seconds']:>6.2f} {row['peak_mb']:>8.1f}"
              f" {row['with_related']:>9,} {row['listed']:>7,} {changed:>26}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
