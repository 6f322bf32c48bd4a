"""`digest email` as a subscriber and an operator meet it: real SMTP (aiosmtpd), real lint data, real Chromium."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from digest import urls
from digest.catalog import Catalog, Paper, SnapshotDay
from digest.cli import main
from digest.commands.build import BuildReport
from digest.commands.sources import read_sources
from digest.inputs.config import EmailSettings, SiteConfig
from digest.ledger import LEDGER_NAME, load_ledger
from digest.mail.compose import MAX_HTML_BYTES, compose_email, day_edition, email_renderer
from digest.mail.message import build_message, message_date
from digest.project import Project
from digest.taxonomy import Topic
from tests.helpers import REPO, free_port, make_project

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

BASE_URL = "https://paper-digest.netlify.app/"
NEWEST = "2025-10-08"
PASSWORD = "pw-Zq81-never-shown"
ALLOWED_LINT = (  # deliberate progressive enhancement: clients without support still get the inlined layout
    "`@media`", "`<body> element`", "prefers-color-scheme",
    "`role attribute`",  # role="presentation" on layout tables, for screen readers; clients that drop it lose nothing
)


# --- helpers ---------------------------------------------------------------------------------------------


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A plain SMTP server on 127.0.0.1 (no TLS, login as 'digest' with PASSWORD), wired in by DIGEST_SMTP_*.

    AUTH LOGIN is left out: smtplib sends it with an initial response aiosmtpd does not take, and would wait.
    """
    inbox = Inbox()
    port = free_port()  # aiosmtpd cannot take port 0

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        ok = auth_data.login == b"digest" and auth_data.password == PASSWORD.encode()
        return aiosmtpd_smtp.AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                                                auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none"}.items():
        monkeypatch.setenv(f"DIGEST_SMTP_{name}", value)
    monkeypatch.delenv("DIGEST_SMTP_USER", raising=False)
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
    yield inbox
    controller.stop()


@pytest.fixture
def sending_root(tmp_path: Path) -> str:
    """A copy of the bundled project for tests that send: a send records itself in the project's deliveries.tsv,
    which the shared (read-only) built project must not get."""
    return str(make_project(tmp_path / "project", with_seeds=True).root)


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`digest ARGS` in this process; (exit status, stdout + stderr)."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) with SMTP's CRLF line ends turned back into LF."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None, "both a text/plain and a text/html part"
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def links_and_tags(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def site_file_for(url: str, site: Path) -> Path:
    """The built file a base_url link opens (pretty URLs end in '/')."""
    path = url.removeprefix(BASE_URL).split("#")[0]
    return site / urls.output_file(path)


def snapshot_text(titles_and_abstracts: list[tuple[str, str]], day: str = "Oct 9") -> str:
    body = "\n\n".join(f"{title}\n\n{abstract}" for title, abstract in titles_and_abstracts)
    return f"Daily Papers\n\n{day}\n\n{body}\n"


@pytest.fixture(scope="module")
def bundled_email(built_site: tuple[Project, BuildReport], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`digest email` for the newest bundled day, written once for the read-only checks."""
    out = tmp_path_factory.mktemp("email")
    assert main(["email", "--source", str(built_site[0].root), "--out", str(out)]) == 0
    return out


# --- files and message -----------------------------------------------------------------------------------


UNSUBSCRIBE = "https://lists.example.org/unsubscribe/paper-digest"


def test_without_an_unsubscribe_url_there_are_no_unsubscribe_headers(bundled_email: Path) -> None:
    message = parse((bundled_email / f"digest-{NEWEST}.eml").read_bytes())
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert ">Unsubscribe</a>" not in (bundled_email / f"digest-{NEWEST}.html").read_text(encoding="utf-8")


def test_writes_three_files_with_a_complete_deterministic_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    site_yaml = (REPO / "content" / "site.yaml").read_text(encoding="utf-8").replace(
        "email:\n", f"email:\n  unsubscribe_url: {UNSUBSCRIBE}\n", 1)
    source = make_project(tmp_path / "project", with_seeds=True, site_yaml=site_yaml).root
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert main(["email", "--source", str(source), "--out", str(tmp_path / "first")]) == 0
    capsys.readouterr()
    status, output = run("email", NEWEST, "--source", str(source), "--out", str(tmp_path), capsys=capsys)
    assert status == 0 and "17 of 17 new papers" in output
    for suffix in ("html", "txt", "eml"):
        again = (tmp_path / f"digest-{NEWEST}.{suffix}").read_bytes()
        assert again == (tmp_path / "first" / f"digest-{NEWEST}.{suffix}").read_bytes(), f".{suffix} differs"

    message = parse((tmp_path / f"digest-{NEWEST}.eml").read_bytes())
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].startswith("Paper Digest, 8 October 2025: ")
    assert message["From"] == "Paper Digest <digest@example.org>" and message["To"] == "readers@example.org"
    assert message["Date"] == "Wed, 08 Oct 2025 00:00:00 +0000"
    assert re.fullmatch(r"<digest\.2025-10-08\.[0-9a-f]{12}@paper-digest\.netlify\.app>", message["Message-ID"])
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    assert html.rstrip("\n") == (tmp_path / f"digest-{NEWEST}.html").read_text(encoding="utf-8").rstrip("\n")
    assert text == (tmp_path / f"digest-{NEWEST}.txt").read_text(encoding="utf-8")
    assert "<" not in text, "the text part is written as text, not stripped HTML"
    assert f"Unsubscribe: {UNSUBSCRIBE}" in text
    assert ">Unsubscribe</a>" in html and ">View in browser</a>" in html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    assert main(["email", "--source", str(source), "--out", str(tmp_path)]) == 0
    pinned = parse((tmp_path / f"digest-{NEWEST}.eml").read_bytes())
    assert pinned["Date"] == "Thu, 09 Oct 2025 08:53:20 +0000"


def test_unknown_date_exits_2_naming_the_dates_there_are(built_site: tuple[Project, BuildReport], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run("email", "2025-10-09", "--source", str(built_site[0].root), "--out", str(tmp_path),
                         capsys=capsys)
    assert status == 2 and "no snapshot dated 2025-10-09" in output and NEWEST in output
    assert not list(tmp_path.iterdir())


# --- sending ---------------------------------------------------------------------------------------------


def test_sent_message_has_both_parts_and_links_into_the_built_site(
        sending_root: str, built_site: tuple[Project, BuildReport], site_dir: Path, tmp_path: Path, smtp_server: Inbox,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_USER", "digest")
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         capsys=capsys)
    assert status == 0, output
    assert PASSWORD not in output
    assert len(smtp_server.received) == 1
    mail_from, recipients, raw = smtp_server.received[0]
    assert mail_from == "digest@example.org" and recipients == ["readers@example.org"]
    message = parse(raw)
    assert message["Subject"].startswith("Paper Digest, 8 October 2025")
    text, html = parts(message)

    hrefs = links_and_tags(html).hrefs
    own = [href for href in hrefs if href.startswith(BASE_URL)]
    assert len(own) >= 17 + 20 + 3, "a link per new and returning paper, plus snapshot, site and browser copy"
    missing = sorted({href for href in own if not site_file_for(href, site_dir).is_file()})
    assert not missing, f"links to pages the built site does not have: {missing}"
    assert all(href.startswith("https://") for href in hrefs)
    text_urls = re.findall(r"https://\S+", text)
    assert {url for url in text_urls if url.startswith(BASE_URL)} <= set(own)
    browser_copy = f"{BASE_URL}snapshots/{NEWEST}/email.html"
    assert browser_copy in hrefs and browser_copy in text


def test_sent_message_is_dated_when_sent_and_the_written_eml_stays_reproducible(
        sending_root: str, tmp_path: Path, smtp_server: Inbox,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_USER", "digest")
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = datetime.now(tz=UTC).replace(microsecond=0)
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         capsys=capsys)
    after = datetime.now(tz=UTC)
    assert status == 0, output
    sent = parse(smtp_server.received[0][2])
    assert before <= parsedate_to_datetime(sent["Date"]) <= after, sent["Date"]
    written = parse((tmp_path / f"digest-{NEWEST}.eml").read_bytes())
    assert written["Date"] == "Wed, 08 Oct 2025 00:00:00 +0000"  # midnight UTC of the snapshot day
    assert written["Message-ID"] == sent["Message-ID"] and parts(written) == parts(sent)


def test_subject_names_the_first_paper_the_email_shows_in_80_characters(bundled_email: Path) -> None:
    message = parse((bundled_email / f"digest-{NEWEST}.eml").read_bytes())
    html = (bundled_email / f"digest-{NEWEST}.html").read_text(encoding="utf-8")
    first = re.search(r'<h3 class="title"[^>]*><a [^>]*>(.*?)</a>', html)
    assert first is not None
    first_title = unescape(first.group(1))
    subject = message["Subject"]
    assert len(subject) <= 80, subject
    assert subject.startswith("Paper Digest, 8 October 2025: ") and subject.endswith("… and 16 more"), subject
    lead = subject.removeprefix("Paper Digest, 8 October 2025: ").removesuffix("… and 16 more")
    assert first_title.startswith(lead) and not first_title[len(lead)].isalnum(), (lead, first_title)  # at a word
    preheader = re.search(r'<div class="preheader"[^>]*>(.*?)</div>', html)
    assert preheader is not None and unescape(preheader.group(1)).startswith(f"New today: {first_title} · ")


def test_a_short_title_is_named_whole_and_a_long_one_cut_at_a_word(tmp_path: Path) -> None:
    long_title = ("Scaling Laws for Sparsely Activated Mixture of Experts Language Models Trained on "
                  "Trillions of Tokens Across Many Domains")
    for title, expected in [("Short Paper", "Paper Digest, 9 October 2025: Short Paper"),
                            (long_title, "Paper Digest, 9 October 2025: Scaling Laws for Sparsely Activated "
                                         "Mixture…")]:  # not "Mixture of…"
        project = make_project(tmp_path / str(len(title)),
                               snapshots={"2025-10-09.txt": snapshot_text([(title, "An abstract.")])})
        catalog = read_sources(project).catalog
        config = read_sources(project).config
        digest = compose_email(catalog, config, email_renderer(project, config), day_edition(catalog.days[-1]))
        assert digest.content.subject == expected and len(expected) <= 80


def test_the_plain_text_part_wraps_at_72_without_breaking_hyphenated_words_or_links(tmp_path: Path) -> None:
    abstract = ("We study state-of-the-art retrieval-augmented generation for long-context question-answering "
                "in multi-agent settings with mixture-of-experts routers. Code is at "
                "https://github.com/some-org/a-very-long-repository-name-with-many-hyphens-in-it now.")
    project = make_project(tmp_path, snapshots={"2025-10-09.txt": snapshot_text([("Hyphen Paper", abstract)])})
    sources = read_sources(project)
    digest = compose_email(sources.catalog, sources.config, email_renderer(project, sources.config),
                           day_edition(sources.catalog.days[-1]))
    lines = digest.text.splitlines()
    words = [word for line in lines for word in line.split()]
    assert "https://github.com/some-org/a-very-long-repository-name-with-many-hyphens-in-it" in words
    assert {"state-of-the-art", "retrieval-augmented", "mixture-of-experts"} <= set(words)
    assert all(len(line) <= 72 + 2 for line in lines if "https://" not in line), "2 spaces of indent"


def test_build_publishes_the_same_email_under_the_snapshot_page(site_dir: Path, bundled_email: Path) -> None:
    published = site_dir / "snapshots" / NEWEST / "email.html"
    assert published.read_bytes() == (bundled_email / f"digest-{NEWEST}.html").read_bytes()
    snapshot_page = (site_dir / "snapshots" / NEWEST / "index.html").read_text(encoding="utf-8")
    assert f'href="../../snapshots/{NEWEST}/email.html"' in snapshot_page


def test_dry_run_and_to_override_say_who_would_get_it_and_send_nothing(
        sending_root: str, tmp_path: Path, smtp_server: Inbox,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_USER", "digest")
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         "--dry-run", "--to", "alice@example.net", "--to", "bob@example.net", capsys=capsys)
    assert status == 0
    assert "would send" in output and "alice@example.net, bob@example.net" in output and "digest@example.org" in output
    assert PASSWORD not in output and "DIGEST_SMTP_PASSWORD" in output
    assert smtp_server.received == []
    assert parse((tmp_path / f"digest-{NEWEST}.eml").read_bytes())["To"] == "alice@example.net, bob@example.net"

    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         "--to", "carol@example.net", capsys=capsys)
    assert status == 0 and smtp_server.received[0][1] == ["carol@example.net"]


def test_wrong_password_exits_2_without_showing_it(sending_root: str, tmp_path: Path,
                                                   smtp_server: Inbox, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_USER", "digest")
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD + "-wrong")
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         capsys=capsys)
    assert status == 2 and "refused the login for 'digest'" in output
    assert PASSWORD not in output and "Traceback" not in output
    assert smtp_server.received == []


@pytest.mark.parametrize(("security", "words"), [
    ("none", "connection refused"),  # nothing listens on the port
    ("starttls", "connection refused"),
])
def test_refused_connection_exits_2_with_a_clear_message(
        sending_root: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, security: str, words: str) -> None:
    port = free_port()
    monkeypatch.setenv("DIGEST_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DIGEST_SMTP_PORT", str(port))
    monkeypatch.setenv("DIGEST_SMTP_SECURITY", security)
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         capsys=capsys)
    assert status == 2
    assert output.startswith("Wrote") and f"error: cannot connect to SMTP server 127.0.0.1:{port}: {words}" in output
    assert "Traceback" not in output


def test_server_without_starttls_is_a_clear_error(sending_root: str, tmp_path: Path,
                                                  smtp_server: Inbox, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_SECURITY", "starttls")
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send",
                         capsys=capsys)
    assert status == 2 and "does not offer STARTTLS" in output
    assert smtp_server.received == []


def test_silent_server_times_out_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site_yaml = (REPO / "content" / "site.yaml").read_text(encoding="utf-8").replace(
        "  security: starttls", "  security: none\n  timeout: 1")
    project = make_project(tmp_path / "p", with_seeds=True, site_yaml=site_yaml)
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        monkeypatch.setenv("DIGEST_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DIGEST_SMTP_PORT", str(silent.getsockname()[1]))
        status, output = run("email", "--source", str(project.root), "--out", str(tmp_path / "out"), "--send",
                             capsys=capsys)
    assert status == 2 and "did not answer within 1 s" in output


def test_day_without_new_papers_sends_nothing_unless_asked(tmp_path: Path, smtp_server: Inbox,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    papers = [("Stable Paper One", "An abstract about things."), ("Stable Paper Two", "Another abstract here.")]
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": snapshot_text(papers, "Oct 8"),
                                                "2025-10-09.txt": snapshot_text(papers[::-1], "Oct 9")})
    out = str(tmp_path / "out")
    status, output = run("email", "--source", str(project.root), "--out", out, "--send", capsys=capsys)
    assert status == 0 and "no new papers, so nothing was sent" in output and "--send-empty" in output
    assert smtp_server.received == []

    status, output = run("email", "--source", str(project.root), "--out", out, "--send", "--send-empty",
                         capsys=capsys)
    assert status == 0 and len(smtp_server.received) == 1
    message = parse(smtp_server.received[0][2])
    assert message["Subject"] == "Paper Digest, 9 October 2025: no new papers"
    assert "Stable Paper One" in parts(message)[0]  # the returning list is still there


# --- what email clients get --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ranked_email(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An email from the API's data: a top block with upvotes and AI summaries, topic groups, a merged group."""
    root = tmp_path_factory.mktemp("ranked")
    papers = [(f"Federated Study {n}", "Federated learning across clients.", 10 + n, "One sentence." * (n % 2))
              for n in range(8)] + [("Protein Folding with Diffusion", "Protein structure prediction.", 1, "")]
    project = make_project(root, snapshots={f"{NEWEST}.json": api_day(papers)})
    assert main(["email", "--source", str(project.root), "--out", str(root / "out")]) == 0
    return root / "out"


@pytest.mark.parametrize("which", ["bundled_email", "ranked_email"])
def test_html_passes_email_client_support_lint(which: str, request: pytest.FixtureRequest) -> None:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "@jsx-email" / "doiuse-email").is_dir():
        pytest.fail("node and node_modules/@jsx-email/doiuse-email are needed: run `make test`")
    file = request.getfixturevalue(which) / f"digest-{NEWEST}.html"
    result = subprocess.run([node, str(REPO / "tests" / "email_lint.js"), str(file), "gmail.*", "outlook.*",
                             "apple-mail.*"], capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(result.stdout)
    unexpected = [error for error in report["errors"] if not error.startswith(ALLOWED_LINT)]
    assert not unexpected, "\n".join(unexpected)
    assert report["warnings"], "the linter ran over the CSS (it always has partial-support notes)"

    html = file.read_text(encoding="utf-8")
    assert not re.search(r"var\(\s*--|(?<![\w-])--[\w-]+\s*:", html), "CSS variables: no email client supports them"
    assert not re.search(r"<script|<link\b|@import|@font-face|<img\b", html, re.IGNORECASE)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1
    outside_media = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", styles[0]).strip()
    assert outside_media == "", f"rules left in <style> instead of inlined: {outside_media[:200]}"
    assert "prefers-color-scheme: dark" in styles[0]
    assert 'class="preheader"' in html and "max-width: 600px" in html
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 600])
@pytest.mark.parametrize("which", ["bundled_email", "ranked_email"])
def test_layout_has_no_horizontal_scrolling(browser: Any, which: str, width: int, request: pytest.FixtureRequest,
                                            ) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto((request.getfixturevalue(which) / f"digest-{NEWEST}.html").as_uri())
        sizes = page.evaluate("""() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
            container: document.querySelector('.container').getBoundingClientRect().width,
            preheader: document.querySelector('.preheader').getBoundingClientRect().height,
        })""")
    finally:
        page.close()
    assert sizes["scroll"] <= sizes["client"], f"scrolls sideways at {width}px: {sizes}"
    assert sizes["container"] <= 600 and sizes["preheader"] == 0


# --- hostile input and size ----------------------------------------------------------------------------------


def test_hostile_titles_and_abstracts_are_escaped_everywhere(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    title = "<script>alert('t')</script> \"Quoted\" & <b onmouseover=x>bold</b>"
    abstract = ("Read javascript:alert(1) and <img src=x onerror=alert(2)>. See \"><script>alert(3)</script>. "
                "Code at https://github.com/a/b\" onclick=\"alert(4).")
    evil_site = 'title: "Paper Digest\\r\\nBcc: victim@example.org"\n'
    site_yaml = re.sub(r"(?m)^title:.*\n", evil_site, (REPO / "content" / "site.yaml").read_text(encoding="utf-8"))
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": snapshot_text([(title, abstract)], "Oct 8")},
                           site_yaml=site_yaml)
    status, output = run("email", "--source", str(project.root), "--out", str(tmp_path / "out"), capsys=capsys)
    assert status == 0, output
    raw = (tmp_path / "out" / f"digest-{NEWEST}.eml").read_bytes()
    message = parse(raw)
    assert "Bcc" not in message and not re.search(rb"(?mi)^bcc:", raw), "no header injected through CR/LF"
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].startswith("Paper Digest Bcc: victim@example.org, 8 October 2025: <script>")

    text, html = parts(message)
    found = links_and_tags(html)
    assert not re.search(r"<script|<img|<b\b", html, re.IGNORECASE)
    escaped = ("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &#34;Quoted&#34; &amp; "
               "&lt;b onmouseover=x&gt;bold&lt;/b&gt;")
    assert escaped + "</a>" in html
    assert '"><script>' not in html and "&#34;&gt;&lt;script&gt;alert(3)" in html
    assert all(href.startswith("https://") for href in found.hrefs), found.hrefs
    assert not any(attrs.get("onclick") or attrs.get("onmouseover") or attrs.get("onerror") for _, attrs in found.tags)
    assert "https://github.com/a/b" in found.hrefs, "the code link is kept, cut before the quote"
    assert f"* {title}\n" in text, "the text part shows the title as it is, on one line"


def test_hostile_line_breaks_in_a_title_cannot_reach_the_headers() -> None:
    """Snapshots fold line breaks already; a catalog built any other way is still made safe."""
    evil = "Real title\r\nBcc: victim@example.org\r\n\r\n<html>"
    paper = Paper("evil", evil, "Abstract.", (), None, ("other",), (date(2025, 10, 8),))
    catalog = Catalog({"evil": paper}, (Topic("other", "Other", ""),),
                      (SnapshotDay(date(2025, 10, 8), Path("x.txt"), ("evil",), ()),), {"other": ("evil",)})
    config = SiteConfig(title="Digest", base_url=BASE_URL,
                        email=EmailSettings(sender="d@example.org", recipients=("r@example.org",)))
    project = Project.at(REPO)
    digest = compose_email(catalog, config, email_renderer(project, config), day_edition(catalog.days[0]))
    raw = build_message(digest, config, ["r@example.org"], message_date(date(2025, 10, 8), {})).as_bytes()
    message = parse(raw)
    assert sorted(message.keys()) == ["Content-Type", "Date", "From", "MIME-Version", "Message-ID", "Subject", "To"]
    assert message["Subject"] == "Digest, 8 October 2025: Real title Bcc: victim@example.org <html>"
    assert "* Real title Bcc: victim@example.org <html>\n" in parts(message)[0]


@pytest.mark.parametrize("max_new", [40, 500])
def test_150_new_papers_stay_under_gmail_clipping_and_link_the_full_snapshot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], max_new: int) -> None:
    sentence = "We study a long and detailed question about learning systems at scale, with many experiments. "
    papers = [(f"A Study of Scalable Learning Number {n}", sentence * 12 + f"Code: https://github.com/lab/p{n}.")
              for n in range(150)]
    site_yaml = (REPO / "content" / "site.yaml").read_text(encoding="utf-8").replace(
        "max_new: 40", f"max_new: {max_new}")
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": snapshot_text(papers, "Oct 8")},
                           site_yaml=site_yaml)
    status, output = run("email", "--source", str(project.root), "--out", str(tmp_path / "out"), capsys=capsys)
    assert status == 0
    html = (tmp_path / "out" / f"digest-{NEWEST}.html").read_text(encoding="utf-8")
    text = (tmp_path / "out" / f"digest-{NEWEST}.txt").read_text(encoding="utf-8")
    size = len(html.encode("utf-8"))
    print(f"max_new={max_new}: HTML {size} bytes")
    assert size < MAX_HTML_BYTES
    shown = html.count('class="title-link"')
    assert 10 <= shown <= min(max_new, 150)
    snapshot_url = f"{BASE_URL}snapshots/{NEWEST}/"
    assert f"{150 - shown} more new papers did not fit" in html and f'href="{snapshot_url}"' in html
    assert f"see all 150:\n{snapshot_url}" in text
    assert f"{shown} of 150 new papers shown" in output
    assert ("listed fewer than email.max_new" in output) == (max_new == 500)


# --- the weekly digest (`digest email --week`) ----------------------------------------------------------------


def test_week_digest_is_sent_with_the_weeks_papers_and_links_into_the_built_site(
        tmp_path: Path, smtp_server: Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    long = "We study a long and detailed question about learning systems at scale, with many experiments. " * 12
    monday = [(f"Monday Study Number {n}", long) for n in range(60)]
    thursday = [(f"Thursday Study Number {n}", long) for n in range(60)]
    project = make_project(tmp_path, snapshots={
        "2025-10-06.txt": snapshot_text(monday, "Oct 6"),
        "2025-10-09.txt": snapshot_text(monday[:5] + thursday, "Oct 9"),  # five come back: not new again
        "2025-10-13.txt": snapshot_text([("Next Week Paper", "Another week.")], "Oct 13")})
    status, output = run("build", "--source", str(project.root), capsys=capsys)
    assert status == 0, output
    status, output = run("email", "--source", str(project.root), "--out", str(tmp_path / "out"),
                         "--week", "2025-W41", "--send", capsys=capsys)
    assert status == 0, output
    assert "2025-W41: 40 of 120 new papers shown" in output  # email.max_new, as for a day
    files = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert files == ["digest-2025-W41.eml", "digest-2025-W41.html", "digest-2025-W41.txt"]
    message = parse(smtp_server.received[0][2])
    assert message["Subject"] == "Paper Digest, Week 41 of 2025: Monday Study Number 0 and 119 more"
    assert "<digest.2025-W41." in message["Message-ID"]
    text, html = parts(message)
    week_url = f"{BASE_URL}weeks/2025-W41/"
    assert "120 new papers this week (6–12 October 2025), from 2 snapshots." in text
    assert f"80 more new papers did not fit in this email; see all 120:\n{week_url}" in text
    assert "Next Week Paper" not in text and "RETURNING" not in text
    own = {href for href in links_and_tags(html).hrefs if href.startswith(BASE_URL)}
    assert week_url in own and len(own) >= 40
    missing = sorted(href for href in own if not site_file_for(href, project.output).is_file())
    assert not missing, f"links to pages the built site does not have: {missing}"
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES
    written = parse((tmp_path / "out" / "digest-2025-W41.eml").read_bytes())
    assert written["Date"] == "Thu, 09 Oct 2025 00:00:00 +0000"  # the week's last snapshot day


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2025-W02"], "no new papers in week 2025-W02; the newest weeks with papers are: 2025-W12, 2025-W41"),
    (["--week", "2025-W53"], "2025 has no week 53"),
    (["--week", "2025-41"], "expected a week as YYYY-Www"),
    (["2025-10-08", "--week", "2025-W41"], "not allowed with argument DATE"),
])
def test_a_week_that_is_not_there_exits_2_saying_why(built_site: tuple[Project, BuildReport], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str], args: list[str],
                                                     message: str) -> None:
    try:
        status, output = run("email", "--source", str(built_site[0].root), "--out", str(tmp_path), *args,
                             capsys=capsys)
    except SystemExit as exit:  # argparse rejects a malformed argument itself
        status, output = int(exit.code or 0), capsys.readouterr().err
    assert status == 2 and message in output, output
    assert "Traceback" not in output and not any(tmp_path.iterdir())


# --- what the email leads with ----------------------------------------------------------------------------------


def api_day(papers: list[tuple[str, str, int, str]]) -> bytes:
    """A JSON snapshot: (title, abstract, upvotes, AI summary) per paper, in the feed's order."""
    return json.dumps([{"paper": {"id": f"2510.{n:05d}", "title": title, "summary": abstract, "upvotes": votes,
                                  "ai_summary": summary, "authors": [{"name": "Ann Author"}]}}
                       for n, (title, abstract, votes, summary) in enumerate(papers, 1)]).encode()


def test_the_email_leads_with_the_days_most_upvoted_papers_then_topics_with_lone_ones_merged(
        tmp_path: Path, smtp_server: Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    papers = [
        ("Federated Averaging for Clients", "Federated learning across clients.", 12, ""),
        ("Client Drift in Federated Learning", "Federated learning with drift.", 4, ""),
        ("A Vision Transformer for Satellites", "Image classification.", 163, "A model reads satellite images."),
        ("Reward Models for Reasoning", "Reinforcement learning from human feedback.", 55, "Rewards guide reasoning."),
        ("Secure Aggregation for Federated Learning", "Federated learning with privacy.", 30, ""),
        ("Protein Folding with Diffusion", "Protein structure prediction.", 2, ""),
    ]
    project = make_project(tmp_path, snapshots={"2025-10-08.json": api_day(papers)})
    status, output = run("email", "--source", str(project.root), "--out", str(tmp_path / "out"), "--send",
                         capsys=capsys)
    assert status == 0, output
    text, html = parts(parse(smtp_server.received[0][2]))
    top = text.split("TOP TODAY")[1].split("\n\n\n")[0]
    assert [line[2:] for line in top.splitlines() if line.startswith("* ")] == [
        "A Vision Transformer for Satellites", "Reward Models for Reasoning",
        "Secure Aggregation for Federated Learning"]
    assert "Upvotes: 163" in top and "AI summary: A model reads satellite images." in top
    rest = text.split("TOP TODAY")[1].split("\n\n\n", 1)[1]
    headings = re.findall(r"\n([A-Z][A-Z ,-]+)\n-+\n", "\n" + rest)
    assert headings[-1] == "OTHER TOPICS" and len(headings) == len(set(headings))
    assert rest.index("Federated Averaging for Clients") < rest.index("Client Drift in Federated Learning")
    assert rest.index("Protein Folding with Diffusion") > rest.index("OTHER TOPICS")  # a topic of one paper
    assert html.index("A Vision Transformer for Satellites") < html.index("Federated Averaging for Clients")
    assert "163 upvotes" in html and "AI summary:" in html
    assert message_subject(smtp_server) == (
        "Paper Digest, 8 October 2025: A Vision Transformer for Satellites and 5 more")


def message_subject(inbox: Inbox) -> str:
    return str(parse(inbox.received[0][2])["Subject"]).strip()  # a folded Subject keeps the fold's space


# --- the delivery ledger ---------------------------------------------------------------------------------------


def test_a_sent_email_is_recorded_and_not_sent_twice_unless_forced(
        sending_root: str, tmp_path: Path, smtp_server: Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send", capsys=capsys)
    assert status == 0 and len(smtp_server.received) == 1, output
    ledger = load_ledger(Path(sending_root) / LEDGER_NAME)
    (delivery,) = ledger.deliveries
    sent = parse(smtp_server.received[0][2])
    assert (delivery.edition, delivery.destination) == (NEWEST, "email to readers@example.org")
    assert delivery.message_id == sent["Message-ID"]
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send", capsys=capsys)
    assert status == 0 and len(smtp_server.received) == 1
    assert f"{NEWEST} was sent to readers@example.org at {delivery.time}" in output and "--force" in output
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send", "--to",
                         "other@example.org", capsys=capsys)
    assert status == 0 and len(smtp_server.received) == 2, "other recipients have not had it"
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send", "--force",
                         capsys=capsys)
    assert status == 0 and len(smtp_server.received) == 3 and "again, as --force asked" in output
    notes = [d.note for d in load_ledger(Path(sending_root) / LEDGER_NAME).deliveries]
    assert notes == ["", "", "resent"]


def test_a_corrupt_ledger_stops_the_email_before_sending(
        sending_root: str, tmp_path: Path, smtp_server: Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = Path(sending_root) / LEDGER_NAME
    ledger.write_text("# ledger\n2025-10-08T21:00:00Z\t2025-10-08\n", encoding="utf-8")
    status, output = run("email", "--source", sending_root, "--out", str(tmp_path), "--send", capsys=capsys)
    assert status == 2 and not smtp_server.received
    assert f"{ledger}:2: expected 4 or 5 tab-separated fields" in output and "Traceback" not in output
