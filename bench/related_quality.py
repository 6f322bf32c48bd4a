"""How many related papers each paper page lists, and a random sample of lists to judge by reading.

Reads a project's catalog (`digest.commands.build.read_sources`, as `digest build` does), calls
`related_papers` on it, and prints the share of papers listing fewer than 3 and none, the count of
each list length, and (`--sample N`) N random papers with their related papers and reasons, to be
read and judged by a person: a number can say a list is full, only reading says a link is useful.

Run `.venv/bin/python bench/related_quality.py /tmp/real --sample 20 --seed 20` (a project folder
holding site.yaml and snapshots/; `--save FILE` writes every list as JSON to compare two versions).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.commands.build import read_sources
from digest.project import Project
from digest.related import related_papers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project folder (site.yaml, snapshots/)")
    parser.add_argument("--sample", type=int, default=0, help="print this many random papers' lists")
    parser.add_argument("--seed", type=int, default=20, help="the sample's random seed (default: 20)")
    parser.add_argument("--save", type=Path, help="write every paper's list (slug, reason) as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as unused:
        catalog = read_sources(Project.at(args.project, Path(unused))).catalog
    lists = related_papers(catalog.papers.values(), catalog.topics)
    total = len(lists)
    lengths = Counter(len(found) for found in lists.values())
    fewer = sum(count for length, count in lengths.items() if length < 3)
    print(f"{total:,} papers; fewer than 3 related: {fewer:,} ({fewer / total:.1%}); "
          f"none: {lengths[0]:,} ({lengths[0] / total:.1%})")
    print("list lengths: " + ", ".join(f"{length}: {lengths[length]:,}" for length in sorted(lengths)))
    if args.save:
        args.save.write_text(json.dumps({slug: [list(item) for item in found] for slug, found in lists.items()},
                                        indent=1), encoding="utf-8")
    for slug in random.Random(args.seed).sample(sorted(lists), min(args.sample, total)):
        paper = catalog.papers[slug]
        print(f"\n# {paper.title}\n  topics: {', '.join(paper.topics)}; keywords: {', '.join(paper.keywords[:8])}")
        for item in lists[slug]:
            print(f"  - {catalog.papers[item.slug].title}\n      {item.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
