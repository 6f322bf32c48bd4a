"""The one place that decides where every page lives.

Paths here are site-relative URL paths without a leading slash: '' is the
home page and 'papers/x/' a paper. Pages, feeds, the sitemap, search and the
email all ask this module, so a URL scheme change happens in one place.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from digest.memo import PureMemo

HOME = ""
ARCHIVE = "archive/"
TOPICS = "topics/"
ORGS = "orgs/"  # the organizations with a page of their own
SEARCH = "search/"
SEARCHES = "searches/"  # the saved searches of content/interests.yaml
NEW_FOR_YOU = "new-for-you/"  # each topic's and organization's papers of the newest week (for-you.js reads them)
SAVED = "saved/"  # the reader's starred papers, filled in the browser (reader.js)
STATS = "stats/"  # papers per day, topics growing and shrinking, papers with code
NOT_FOUND = "404.html"
FEED = "feed.xml"
JSON_FEED = "feed.json"
CODE_FEED = "feeds/code.xml"  # papers with a code link
CODE_JSON_FEED = "feeds/code.json"
DIGEST_FEED = "feeds/daily-digest.xml"  # each day's email as an entry
DIGEST_JSON_FEED = "feeds/daily-digest.json"
FEEDS = "feeds/"  # the page that lists every feed
FOR_YOU = "for-you/"  # the curator's picks of the last days (content/interests.yaml)
FOR_YOU_FEED = "for-you/feed.xml"
FOR_YOU_JSON_FEED = "for-you/feed.json"
OPML = "feeds.opml"  # every feed, for subscribing to all at once
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SEARCH_MANIFEST = "search/manifest.json"  # the only search file whose name does not change with its content
ASSETS = "assets/"

# Top-level names a Markdown page may not take.
RESERVED = frozenset({"papers", "topics", "orgs", "searches", "snapshots", "weeks", "months", "archive", "search",
                      "stats", "for-you", "assets", "page", "404", "feeds", "export", "feed.xml", "feed.json",
                      "feeds.opml", "sitemap.xml", "robots.txt", "saved", "new-for-you"})


def paper(slug: str) -> str:
    return f"papers/{slug}/"


def topic(slug: str, page: int = 1) -> str:
    return _paged(f"topics/{slug}/", page)


def topic_feed(slug: str) -> str:
    return f"topics/{slug}/feed.xml"


def topic_json_feed(slug: str) -> str:
    return f"topics/{slug}/feed.json"


def org(slug: str, page: int = 1) -> str:
    """An organization's papers: 'orgs/qwen/'."""
    return _paged(f"orgs/{slug}/", page)


def new_for_you_topic(slug: str) -> str:
    """A topic's papers of the newest week; for-you.js makes the same path from a followed topic's slug."""
    return f"{NEW_FOR_YOU}topics/{slug}.json"


def new_for_you_org(slug: str) -> str:
    return f"{NEW_FOR_YOU}orgs/{slug}.json"


def new_for_you_authors(index: int) -> str:
    """One of the files of the newest week's authors (plan/reader.py's author_file says which)."""
    return f"{NEW_FOR_YOU}authors/{index}.json"


def org_feed(slug: str) -> str:
    return f"orgs/{slug}/feed.xml"


def org_json_feed(slug: str) -> str:
    return f"orgs/{slug}/feed.json"


def saved_search(slug: str, page: int = 1) -> str:
    """A saved search's papers: 'searches/test-time-scaling/'."""
    return _paged(f"searches/{slug}/", page)


def saved_search_feed(slug: str) -> str:
    return f"searches/{slug}/feed.xml"


def saved_search_json_feed(slug: str) -> str:
    return f"searches/{slug}/feed.json"


def search_for(query: str) -> str:
    """The search page with `query` filled in and run (search.js reads ?q=)."""
    return SEARCH + "?q=" + quote(query, safe="")


def snapshot(day: date) -> str:
    return f"snapshots/{day.isoformat()}/"


def snapshot_email(day: date) -> str:
    return f"snapshots/{day.isoformat()}/email.html"


def week(key: str) -> str:
    """An ISO week's page: 'weeks/2024-W47/'."""
    return f"weeks/{key}/"


def month(key: str) -> str:
    """A month's page: 'months/2024-11/'."""
    return f"months/{key}/"


def archive(page: int = 1) -> str:
    return _paged(ARCHIVE, page)


def markdown_page(slug: str) -> str:
    return f"{slug}/"


def export(folder: str, page: str, extension: str) -> str:
    """A list page's papers as a reference file: 'export/bibtex/topics/agents/page/2.bib' for the page
    'topics/agents/page/2/' ('home' for the home page). One folder per format, so a host sets each one's
    content type by folder (netlify.toml)."""
    return f"export/{folder}/{page.strip('/') or 'home'}{extension}"


def asset(name: str) -> str:
    return ASSETS + name


def _paged(first: str, page: int) -> str:
    return first if page == 1 else f"{first}page/{page}/"


def is_page(path: str) -> bool:
    """True for a page's path ('', 'topics/'), false for a file's ('404.html', 'export/ris/home.ris')."""
    return path == "" or path.endswith("/")


def output_file(path: str) -> str:
    """The file that serves a URL path: pretty URLs end in '/' and map to index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def absolute(base_url: str, path: str) -> str:
    """An absolute URL for feeds, the sitemap, canonical links and email."""
    return _ABSOLUTE[base_url, path]


# The sitemap, feeds and emails ask for the same URLs many times a build.
_ABSOLUTE = PureMemo(lambda key: key[0] + quote(key[1], safe="/#?=&.-_~%"))


# Pages about a paper elsewhere. The id is quoted, so whatever a snapshot holds stays inside the path.
def arxiv_abstract(arxiv_id: str) -> str:
    return "https://arxiv.org/abs/" + quote(arxiv_id, safe="./")


def arxiv_pdf(arxiv_id: str) -> str:
    return "https://arxiv.org/pdf/" + quote(arxiv_id, safe="./")


def hugging_face_paper(arxiv_id: str) -> str:
    return "https://huggingface.co/papers/" + quote(arxiv_id, safe="./")
