"""Plain helpers shared by test modules (functions and constants, no tests, no fixtures: those are in conftest.py).

Test modules import from here, never from one another.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse, urlsplit

import pytest

from digest.catalog import Catalog, build_catalog
from digest.inputs.sources import find_snapshot_files, read_snapshot
from digest.inputs.topics import load_taxonomy
from digest.project import Project

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def node_or_fail() -> str:
    """Node.js and the npm packages the tests use, or a failure saying how to get them."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install Node.js, then run `make test` (npm ci installs lunr)")
    if not (REPO / "node_modules" / "lunr" / "lunr.js").is_file():
        pytest.fail("node_modules/lunr missing: run `make test`, which runs npm ci")
    return node


def stored_documents(site_dir: Path) -> list[list[object]]:
    """Every search result record of a built site, by paper number, read through the manifest."""
    manifest = json.loads((site_dir / "search" / "manifest.json").read_text(encoding="utf-8"))
    return [doc for name in manifest["chunks"]
            for doc in json.loads((site_dir / "search" / name).read_text(encoding="utf-8"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_project(root: Path, snapshots: dict[str, str | bytes] | None = None, *, with_seeds: bool = False,
                 site_yaml: str | None = None, topics: bool = True) -> Project:
    """A project folder under `root` with the bundled settings, topics and pages, and the given snapshots."""
    content = root / "content"
    (content / "snapshots").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "content" / "site.yaml", content / "site.yaml")
    if site_yaml is not None:
        (content / "site.yaml").write_text(site_yaml, encoding="utf-8")
    if topics:
        shutil.copy(REPO / "content" / "topics.yaml", content / "topics.yaml")
    shutil.copytree(REPO / "content" / "pages", content / "pages", dirs_exist_ok=True)
    if with_seeds:
        for seed in sorted((REPO / "content" / "snapshots").glob("*.txt")):
            shutil.copy(seed, content / "snapshots" / seed.name)
    for name, text in (snapshots or {}).items():
        target = content / "snapshots" / name
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return Project.at(root)


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file server that logs nothing (subclass it to add headers)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


NETLIFY = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))


def netlify_headers(path: str) -> dict[str, str]:
    """The headers netlify.toml gives a URL path ('*' is Netlify's splat)."""
    return {name: value for rule in NETLIFY["headers"] if fnmatch.fnmatchcase(path, rule["for"])
            for name, value in rule["values"].items()}


class NetlifyLikeHandler(QuietHandler):
    """Serves a site with the headers netlify.toml gives each path, its Content-Type in place of the guessed one."""

    def guess_type(self, path: Any) -> str:
        return netlify_headers(self.path.split("?")[0]).get("Content-Type") or SimpleHTTPRequestHandler.guess_type(
            self, path)

    def end_headers(self) -> None:
        for name, value in netlify_headers(self.path.split("?")[0]).items():
            if name != "Content-Type":
                self.send_header(name, value)
        super().end_headers()


@contextmanager
def serve_folder(folder: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """`folder` served over HTTP on 127.0.0.1 while the block runs; gives the base URL ending in '/'."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()



# --- Whole trees, the bundled catalog (tests/test_catalog.py, tests/plan/, tests/inputs/test_topics.py) ----------

def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


SEED_DAY = date(2026, 11, 22)


def seed_catalog() -> Catalog:
    """The bundled seeds merged into a catalog with the bundled topics."""
    snapshots = [read_snapshot(path, SEED_DAY) for path in find_snapshot_files(REPO / "content" / "snapshots")]
    return build_catalog(snapshots, load_taxonomy(REPO / "content"))


# --- Search through the real lunr.js (tests/search_query.js) -----------------------------------------------------

QUERY_SCRIPT = TESTS / "search_query.js"


def query(site: Path, *queries: str, whole: Path | None = None) -> dict[str, dict[str, Any]]:
    """Each query's answer from search_query.js (results, files loaded, and with `whole` the whole index's)."""
    command = [node_or_fail(), str(QUERY_SCRIPT), str(site), *(["--whole", str(whole)] if whole else []), "--stdin"]
    result = subprocess.run(command, input=json.dumps(list(queries)), capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, f"search_query.js failed: {result.stderr}"
    return {answer["query"]: answer for answer in json.loads(result.stdout)}


# --- The Nu HTML Checker and axe-core (tests/site/test_site_checks.py and the pages checked the same way) ---------

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
NARROW = {"width": 360, "height": 740}
WIDE = {"width": 1280, "height": 900}

def require_vnu() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail("java not found: run `make test`, which installs a Java runtime for the Nu HTML Checker")
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} missing: run `make test` (npm ci installs vnu-jar)")
    return java



def assert_accessible_light_dark_and_narrow(browser: Any, url: str) -> None:
    """axe finds nothing on the page in light and dark, it fits a 360 px screen, and no script error is raised."""
    context = browser.new_context(viewport=WIDE)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for scheme in ("light", "dark"):
            tab.emulate_media(color_scheme=scheme)
            assert tab.goto(url).ok, url
            violations = axe_violations(tab)
            assert not violations, f"{url} ({scheme}):\n{describe(violations)}"
        tab.set_viewport_size(NARROW)
        width = tab.evaluate("() => document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{url}: {width}px wide at 360px"
        assert not errors, errors
    finally:
        context.close()


def axe_violations(tab: Any) -> list[dict[str, Any]]:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} missing: run `make test` (npm ci installs axe-core)")
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        tab.add_script_tag(path=str(AXE_JS))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return tab.evaluate("(options) => axe.run(document, options).then(r => r.violations)", options)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")[:200]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                     f"— {len(violation['nodes'])} nodes, e.g. {targets}; {summary}")
    return "\n".join(lines)


# --- A recording HTTP server for notification destinations (tests/commands/test_notify.py, test_fetch_stale.py) ---

@dataclass(frozen=True)
class Recorded:
    """One request a `Recorder` received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode("utf-8")).items()}


@dataclass
class Recorder:
    """Answers every request with the next scripted status for its path (200 when unscripted) and records it."""

    port: int = 0
    script: dict[str, list[int]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, scheme: str, rest: str = "", userinfo: str = "") -> str:
        """An Apprise URL for this server: `scheme://[userinfo@]127.0.0.1:PORT/rest`."""
        return f"{scheme}://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}/{rest}"

    def answer(self, path: str, *statuses: int) -> None:
        """Answer requests to `path` with `statuses` in turn, the last one repeated."""
        self.script[path] = list(statuses)

    def status_for(self, request: Recorded) -> int:
        with self.lock:
            self.requests.append(request)
            statuses = self.script.get(urlsplit(request.path).path) or [200]
            return statuses.pop(0) if len(statuses) > 1 else statuses[0]

    def to(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if urlsplit(request.path).path == path]


class _RecordingHandler(BaseHTTPRequestHandler):
    server: Any

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = Recorded(self.command, self.path, dict(self.headers), self.rfile.read(length))
        status = self.server.recorder.status_for(request)
        body = b'{"id": 1}' if status < 300 else b'{"error": "scripted failure"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_GET = _record

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """A `Recorder` listening on 127.0.0.1 while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.daemon_threads = True
    server.recorder = Recorder(port=server.server_address[1])  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        yield server.recorder  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


# --- A recorded Daily Papers API on a real socket (tests/commands/test_fetch.py, test_fetch_stale.py) -------------

@dataclass(frozen=True)
class Canned:
    """One recorded answer."""

    body: bytes = b"[]"
    status: int = 200
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before the status line: longer than the client's timeout means a timeout
    claimed_length: int | None = None  # a Content-Length larger than the body: the connection drops early
    header_drip: float = 0.0  # seconds between header lines, after the status line
    drip: float = 0.0  # seconds between the body's bytes


@dataclass
class FakeApi:
    """Answers GET /api/daily_papers?date=D&p=N (or other paths) from a script; unscripted requests get a 404."""

    script: dict[tuple[str, int], list[Canned]] = field(default_factory=dict)
    paths: dict[str, list[Canned]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/daily_papers"

    def answer(self, day: str, *replies: Canned, page: int = 0) -> None:
        """Serve `replies` in turn for that page; the last one is repeated."""
        self.script[(day, page)] = list(replies)

    def answer_at(self, path: str, *replies: Canned) -> None:
        """Serve `replies` in turn for any request to `path`, whatever its query, such as a redirect's target."""
        self.paths[path] = list(replies)

    def next_reply(self, path: str, headers: dict[str, str]) -> Canned:
        query = parse_qs(urlsplit(path).query)
        key = (query.get("date", [""])[0], int(query.get("p", ["0"])[0]))
        with self.lock:
            self.requests.append({"path": path, "query": query, "headers": headers})
            replies = self.paths.get(urlsplit(path).path) or self.script.get(key)
            if not replies:
                return Canned(b'{"error":"not scripted"}', status=404)
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def dates_asked(self) -> list[str]:
        return [request["query"]["date"][0] for request in self.requests]


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client gave up on a slow answer: expected, not worth a traceback


class ApiHandler(BaseHTTPRequestHandler):
    server: ApiServer

    def do_GET(self) -> None:
        reply = self.server.fake.next_reply(self.path, dict(self.headers))
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        if reply.header_drip:
            self.flush_headers()
            for n in range(50):
                time.sleep(reply.header_drip)
                self.wfile.write(f"X-Slow-{n}: yes\r\n".encode())
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(reply.claimed_length or len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if not reply.drip:
            self.wfile.write(reply.body)
        for byte in reply.body if reply.drip else b"":
            self.wfile.write(bytes([byte]))
            time.sleep(reply.drip)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_api() -> Iterator[FakeApi]:
    """A `FakeApi` listening on 127.0.0.1 while the block runs."""
    fake = FakeApi()
    server = ApiServer(("127.0.0.1", 0), ApiHandler)
    server.fake = fake
    fake.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


# --- Organizations: snapshots whose papers name them, hostile names included ----------------------------------

HOSTILE_ORG = "<script>alert(\"org\")</script> & 'Lab' / R&D"
LONG_ORG = "Institute " + "of Very Long Names " * 14 + "X" * 120  # 400 characters, a 120-letter word among them
ORG_DAYS = ("2025-10-06", "2025-10-07", "2025-10-08", "2025-10-09", "2025-10-10", "2025-10-13")
# (name as shown, Hugging Face handle, papers): one line per spelling; the default threshold is 5 papers.
ORG_SPELLINGS = (
    ("Qwen", "Qwen", 5), ("qwen  ", "Qwen", 1),  # 6 papers: one spelled otherwise, same handle
    ("Zhejiang University", "zju", 3), ("Zhejiang University", "ZhejiangUniversity", 2),  # one name, two handles
    ("NJU-LINK Lab", "NJU-LINK", 4), ("Large-scale Intelligence Lab, Nanjing University", "NJU-LINK", 1),
    (HOSTILE_ORG, "hostile", 5),
    ("C++ Lab", "cpp-lab", 5), ("C Lab", "c-lab", 5),  # both slug to 'c-lab'
    ("深度求索", "deepseek-zh", 5),  # no Latin letters to slug
    (LONG_ORG, "long", 5),
    ("Small Lab", "small-lab", 4),  # under the threshold: no page
)


def org_snapshots() -> dict[str, str]:
    """Six days of API JSON whose papers name the organizations of ORG_SPELLINGS, spread over the days so each
    organization has papers first seen on several of them, plus two papers that name none."""
    days: dict[str, list[dict[str, Any]]] = {day: [] for day in ORG_DAYS}
    number = 0
    for name, handle, count in ORG_SPELLINGS:
        for _ in range(count):
            number += 1
            days[ORG_DAYS[number % len(ORG_DAYS)]].append(org_item(number, {"name": handle, "fullname": name}))
    for extra in (number + 1, number + 2):
        days[ORG_DAYS[-1]].append(org_item(extra, None))
    return {f"{day}.json": json.dumps(items, ensure_ascii=False, indent=1) for day, items in days.items()}


def org_item(number: int, organization: dict[str, str] | None) -> dict[str, Any]:
    """One API item, paper `number`, naming `organization` (the API's object: handle and shown name)."""
    paper: dict[str, Any] = {
        "id": f"2510.{number:05d}", "title": f"Organization Study {number} of Federated Diffusion Agents",
        "summary": f"We study federated diffusion agents, case {number}. " * 3, "upvotes": (number * 7) % 60,
        "authors": [{"name": f"Author {number}"}, {"name": "Shared Author"}]}
    if organization is not None:
        paper["organization"] = organization
    return {"paper": paper}


# --- Reference files (plan/references.py): what a list page exports, read back by real parsers -----------------

@dataclass(frozen=True)
class Reference:
    """One paper as a reference file or a paper page's meta tags say it, in the same words for comparing."""

    title: str
    authors: tuple[str, ...]  # "Hal Daumé III", as the page shows the name
    year: int | None
    month: int | None
    arxiv_id: str | None
    doi: str | None
    url: str


class _Links(HTMLParser):
    """A page's export links (in `p.exports`), the paper pages it links, and its meta tags and canonical URL."""

    def __init__(self) -> None:
        super().__init__()
        self.exports: list[dict[str, str]] = []
        self.hrefs: list[str] = []
        self.meta: list[tuple[str, str]] = []
        self.canonical = ""
        self._in_exports = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "p" and "exports" in values.get("class", "").split():
            self._in_exports = True
        elif tag == "a" and self._in_exports:
            self.exports.append(values)
        elif tag == "a":
            self.hrefs.append(values.get("href", ""))
        elif tag == "meta" and "name" in values:
            self.meta.append((values["name"], values.get("content", "")))
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_exports = False


def read_links(site: Path, page: str) -> _Links:
    links = _Links()
    links.feed((site / page).read_text(encoding="utf-8"))
    return links


def papers_shown(site: Path, page: str) -> set[str]:
    """The paper pages ('papers/x/index.html') a page links to."""
    base = "http://site/" + page
    found = set()
    for href in read_links(site, page).hrefs:
        path = urlparse(urljoin(base, href)).path.lstrip("/")
        if re.fullmatch(r"papers/[^/]+/(index\.html)?", path):
            found.add(path.removesuffix("index.html") + "index.html")
    return found


def reference_from_page(site: Path, paper_page: str) -> Reference:
    """What a paper page's Highwire tags say of the paper: what every file it is exported in must say too."""
    links = read_links(site, paper_page)
    meta = dict(links.meta)
    day = meta.get("citation_publication_date", "")
    return Reference(meta["citation_title"], tuple(value for name, value in links.meta if name == "citation_author"),
                     int(day[:4]) if day else None, int(day[5:7]) if day else None, meta.get("citation_arxiv_id"),
                     meta.get("citation_doi"), meta.get("citation_public_url", links.canonical))


def export_files(site: Path, page: str) -> dict[str, tuple[str, str, str]]:
    """A list page's export links by label: (text of the file, download name, media type)."""
    files = {}
    for link in read_links(site, page).exports:
        path = urlparse(urljoin("http://site/" + page, link["href"])).path.lstrip("/")
        files[link.get("title") or _label(link)] = ((site / path).read_text(encoding="utf-8"), link["download"],
                                                    link["type"])
    return files


def _label(link: dict[str, str]) -> str:
    return {".bib": "BibTeX", ".ris": "RIS", ".json": "CSL-JSON"}[Path(link["download"]).suffix]


def latex_to_text(value: str) -> str:
    """A field's LaTeX as the text it prints (pylatexenc, told the text commands it leaves out by default)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category("text-symbols", prepend=True, macros=[
        MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"), MacroTextSpec("textasciitilde", "~")])
    return LatexNodes2Text(latex_context=context, math_mode="verbatim").latex_to_text(value)


def bibtex_references(text: str) -> list[Reference]:
    """A BibTeX file read by bibtexparser (v2), names split as BibTeX splits them, LaTeX turned back into text."""
    import bibtexparser
    from bibtexparser import middlewares

    library = bibtexparser.parse_string(text, append_middleware=[middlewares.SeparateCoAuthors(),
                                                                  middlewares.SplitNameParts()])
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)), f"repeated keys: {keys}"
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

    def name(parts: Any) -> str:  # "{The Soofi-Team}" (one last name) prints without its braces
        return latex_to_text(" ".join([*parts.first, *parts.von, *parts.last, *parts.jr]))

    return [Reference(latex_to_text(entry["title"]), tuple(map(name, entry.fields_dict["author"].value))
                      if "author" in entry else (), int(entry["year"]) if "year" in entry else None,
                      months.index(entry["month"]) + 1 if "month" in entry else None,
                      _field(entry, "eprint"), _field(entry, "doi"),
                      entry["url"]) for entry in library.entries]


def _field(entry: Any, name: str) -> str | None:
    field = entry.fields_dict.get(name)
    return None if field is None else str(field.value)


def ris_references(text: str) -> list[Reference]:
    """A RIS file read by rispy; "Family, Given" names back in the page's order."""
    import rispy

    def name(value: str) -> str:
        family, comma, given = value.partition(", ")
        return f"{given} {family}" if comma else value

    return [Reference(record["title"], tuple(map(name, record.get("authors", ()))),
                      int(record["year"]) if "year" in record else None,
                      int(record["date"].split("/")[1]) if "date" in record else None,
                      record["accession_number"].removeprefix("arXiv:") if "accession_number" in record else None,
                      record.get("doi"), record["urls"][0]) for record in rispy.loads(text)]


def csl_references(text: str) -> list[Reference]:
    """A CSL-JSON file, rendered by citeproc-py (every item must render) and read field by field."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(text)
    bibliography = CitationStylesBibliography(CitationStylesStyle("harvard-cite-them-right", validate=False),
                                              CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items) and all(rendered)

    def name(value: dict[str, str]) -> str:
        return value.get("literal") or " ".join(part for part in (value.get("given"), value["family"]) if part)

    def date_part(item: dict[str, Any], index: int) -> int | None:
        return item["issued"]["date-parts"][0][index] if "issued" in item else None

    return [Reference(item["title"], tuple(map(name, item.get("author", ()))), date_part(item, 0), date_part(item, 1),
                      item["number"].removeprefix("arXiv:") if "number" in item else None, item.get("DOI"),
                      item["URL"]) for item in items]


READERS = {"BibTeX": bibtex_references, "RIS": ris_references, "CSL-JSON": csl_references}


def assert_files_say_what_the_pages_say(site: Path, paper_pages: Iterable[str], files: Mapping[str, str],
                                        where: str) -> None:
    """Each of the three files (text by label) holds exactly the papers of `paper_pages`, each saying what its own
    page says (title, authors, year and month, arXiv id, DOI, URL), as real parsers read them."""
    expected = {reference_from_page(site, paper) for paper in paper_pages}
    assert sorted(files) == sorted(READERS), f"{where} makes {sorted(files)}"
    for label, text in files.items():
        found = READERS[label](text)
        assert len(found) == len(expected), f"{where}'s {label} has {len(found)} papers, the page {len(expected)}"
        assert set(found) == expected, f"{where}'s {label}: {set(found) ^ expected}"


def assert_page_exports_its_papers(site: Path, page: str) -> dict[str, str]:
    """Every paper a list page links to is in each of its three files, and nothing else is; gives each file's text
    by label. A new list page (an organization's, a saved search's) checks its files with this."""
    files = {label: text for label, (text, _, _) in export_files(site, page).items()}
    assert_files_say_what_the_pages_say(site, papers_shown(site, page), files, page)
    return files


# --- A site with interests (tests/inputs/test_interests.py, tests/relevance/, tests/site/test_for_you.py) --------

LIBRARY_FIXTURES = TESTS / "fixtures" / "library"  # the same two references as BibTeX, RIS and CSL-JSON
INTEREST_DAYS = ("2025-10-06", "2025-10-07", "2025-10-08")
HOSTILE_INTEREST = "<script>alert(\"why\")</script> & 'Lab'"
SIMPLEST_INTERESTS = """\
keywords: [speculative decoding, mixture of experts]
authors: [Tri Dao]
organizations: [Qwen]
mute: [jailbreak]
searches:
  - name: Test-time scaling
    query: +test-time +scaling
"""
_INTEREST_PAPERS = (  # (day, title, abstract, authors, organization)
    (0, "Learned Draft Models for Speculative Decoding",
     "Speculative decoding lets a small draft model propose tokens that the target model verifies. We train the "
     "draft model so the acceptance rate of drafted tokens rises, and the speedup with it.", ("Ana Lima",), None),
    (0, "Sparse Mixture of Experts Routing at Scale",
     "A mixture of experts routes each token to a few experts; we balance the routing load.", ("Ben Ode",), None),
    (0, "Tiled Attention Kernels", "Fast attention kernels that tile memory reads and writes on GPUs.",
     ("Tri Dao", "Cy Park"), None),
    (1, "Jailbreaking Speculative Decoding",
     "A jailbreak that attacks speculative decoding through its draft model.", ("Dee Ray",), None),
    (1, "A Qwen Report on Tool Use", "We report how a language model uses tools in long tasks.", ("Eve Sun",),
     {"name": "Qwen", "fullname": "Qwen"}),
    (1, f"{HOSTILE_INTEREST} Speculative Decoding Unleashed",
     "We make speculative decoding faster with a verified draft model.", ("Fay <b>Bold</b>",),
     {"name": "evil-lab", "fullname": HOSTILE_INTEREST}),
    (2, "Acceptance Rate of Draft Models in Speculative Decoding",
     "We measure how the acceptance rate of a draft model changes the speedup of speculative decoding.",
     ("Gus Hale", "Tri Dao"), None),
    (2, "Robot Manipulation from Videos", "A robot learns manipulation skills for grasping from human videos.",
     ("Hal Ives",), None),
    (2, "Diffusion Models for Image Editing", "We edit images with a text-guided diffusion model.", ("Ida Jo",), None),
    (2, "Federated Learning with Noisy Clients", "Clients with noisy labels in federated learning.", ("Jon Ku",), None),
)


def interest_snapshots() -> dict[str, str]:
    """Three days of API JSON: papers a group following speculative decoding, Tri Dao and Qwen would pick, one
    the simplest file mutes (jailbreak), one with a hostile title and organization, and papers of other topics."""
    days: dict[str, list[dict[str, Any]]] = {day: [] for day in INTEREST_DAYS}
    for number, (day, title, abstract, authors, organization) in enumerate(_INTEREST_PAPERS, 1):
        paper: dict[str, Any] = {"id": f"2510.{number:05d}", "title": title, "summary": abstract,
                                 "upvotes": 10 + number, "authors": [{"name": name} for name in authors]}
        if organization is not None:
            paper["organization"] = organization
        days[INTEREST_DAYS[day]].append({"paper": paper})
    return {f"{day}.json": json.dumps(items, ensure_ascii=False, indent=1) for day, items in days.items()}


def make_interest_project(root: Path, interests: str | None = SIMPLEST_INTERESTS,
                          library: str | None = None) -> Project:
    """`make_project` with `interest_snapshots` and `interests` as content/interests.yaml (None: no file), and
    the `library` fixture file (a name in LIBRARY_FIXTURES) copied beside it."""
    project = make_project(root, interest_snapshots())
    if interests is not None:
        (project.content / "interests.yaml").write_text(interests, encoding="utf-8")
    if library is not None:
        shutil.copy(LIBRARY_FIXTURES / library, project.content / library)
    return project


# --- Saved searches (tests/site/test_saved_searches.py and its browser test) ------------------------------------

SEARCH_DAYS = ("2025-10-13", "2025-10-14", "2025-10-15", "2025-10-16", "2025-10-17")
HOSTILE_SEARCH = "<script>alert(\"search\")</script> & 'Alerts' / R&D"
HOSTILE_QUERY = "<img src=x onerror=alert(1)> +scaling"
# (title, abstract, authors): written here, each saying only what a saved search must find or leave out.
SEARCH_PAPERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Test-Time Scaling for Reasoning Models", "Spending more compute at test time scales reasoning.",
     ("Tri Dao", "Ana Müller")),
    ("Scaling Test-Time Compute with Verifiers", "A verifier picks among sampled answers.", ("Kim Lee",)),
    ("Scaling Laws for Pretraining", "Loss falls as a power law in compute.", ("Ivo Petrov",)),
    ("A Survey of Speculative Decoding", "We survey speculative decoding methods.", ("Sara Lind",)),
    ("Speculative Decoding with Draft Trees", "A draft model proposes a tree the target verifies.",
     ("Jay Shah", "Tri Dao")),
    ("Speculative Sampling at Scale", "Drafts accepted in parallel speed up sampling.", ("Uma Patel",)),
    ("Knowledge Distillation for Small Models", "A teacher's logits train a student.", ("Omar Haddad",)),
    ("Distilled Reasoners", "Students distilled from a reasoner keep its chains.", ("Lan Dao",)),
    ("Distilling Diffusion into One Step", "Distillation makes sampling one step.", ("Ravi Iyer",)),
    ("Mixture of Experts Routing", "Tokens are routed among experts by a learned gate.", ("Wei Chen",)),
    ("Routing Tokens Without Experts", "A router skips layers for easy tokens.", ("Ada Of",)),
    ("Experts Everywhere", "A mixture of many small experts.", ("Kaiming He",)),
)
SAVED_SEARCHES = (
    ("Test-time scaling", "+test-time +scaling"),
    ("Speculative decoding, no surveys", "+speculative -survey"),
    ("Distillation in titles", "title:distillation"),
    ("Distill anything", "distill*"),
    ("MoE routing", "mixture of experts routing"),
    ("Tri Dao", "author:dao +author:tri"),
    ("Nothing yet", "zzyzxq"),
    ("Misspelt", "speculatve"),  # matches nothing as typed: the page shows close spellings, so must the saved one
    (HOSTILE_SEARCH, HOSTILE_QUERY),
)


def search_snapshots() -> dict[str, str]:
    """SEARCH_PAPERS as API JSON over SEARCH_DAYS: paper n on day n mod 5, so each search's papers span days."""
    days: dict[str, list[dict[str, Any]]] = {day: [] for day in SEARCH_DAYS}
    for number, (title, abstract, authors) in enumerate(SEARCH_PAPERS):
        day = SEARCH_DAYS[number % len(SEARCH_DAYS)]
        paper = {"id": f"2510.{20001 + number}", "title": title, "summary": abstract, "upvotes": 3 * number,
                 "authors": [{"name": name} for name in authors], "publishedAt": f"{day}T08:00:00.000Z"}
        days[day].append({"paper": paper})
    return {f"{day}.json": json.dumps(items, ensure_ascii=False, indent=1) for day, items in days.items()}


def interests_yaml(searches: tuple[tuple[str, str], ...] = SAVED_SEARCHES, head: str = "") -> str:
    """An interests.yaml of `searches` (name, query), each value quoted as JSON (valid YAML) so any text stays."""
    lines = [head, "searches:"]
    for name, query in searches:
        lines += [f"  - name: {json.dumps(name)}", f"    query: {json.dumps(query)}"]
    return "\n".join(lines) + "\n"
