"""`digest fetch`: download days of the Hugging Face Daily Papers feed into content/snapshots/DATE.json.

The API is a remote service that is sometimes slow, down, rate-limited or
answers with an HTML error page, so this module is careful in four ways:

- each request goes through `commands/download.py` (timeouts, retries with
  backoff, a deadline on a whole answer, redirects checked), and every page is
  checked with `digest.inputs.api_json` before anything is written;
- a day is saved only if the build's reader reads it and its items' dates say
  it is that day's list; the feed's freshness is judged after
  (`commands/freshness.py`);
- a snapshot is replaced atomically (temp file, fsync, rename), and never by a
  response with fewer papers unless `--force`: a failed or partial fetch
  leaves the previous good file as it was;
- the file is pretty-printed deterministically, so a re-fetch with the same
  data leaves it untouched and `git diff` shows only real changes.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path

from digest import clock
from digest.commands.download import (
    DEADLINE_PER_TIMEOUT,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    Retrying,
    Say,
    Sleep,
    get_with_retries,
)
from digest.commands.freshness import EXIT_STALE_FEED, Freshness, judge_feed
from digest.commands.options import add_source_option, iso_date
from digest.errors import ConfigError, DigestError, SnapshotError
from digest.inputs import json_snapshot
from digest.inputs.api_json import ApiItem, count_papers, dump_api_items, paper_id, parse_api_items, printable_excerpt
from digest.inputs.config import SITE_CONFIG_NAME, FetchSettings, SiteConfig, load_site_config
from digest.inputs.sources import is_source_name

DEFAULT_API = "https://huggingface.co/api/daily_papers"
API_VARIABLE = "DIGEST_API_URL"
PAGE_SIZE = 50  # the API's largest page; a busy day needs a second request
MAX_PAGES = 40  # 2,000 papers in one day: far beyond any real day, so the API is misbehaving



# ---------------------------------------------------------------------------------------------------------------
# Fetching one day


def resolve_api(api: str | None, environ: Mapping[str, str]) -> str:
    """The explicit `api`, else $DIGEST_API_URL, else the public API."""
    return check_api_url(api or environ.get(API_VARIABLE) or DEFAULT_API)


def check_api_url(api: str) -> str:
    try:
        parts = urllib.parse.urlsplit(api)
    except ValueError:  # such as an unclosed [ of an IPv6 address
        parts = urllib.parse.urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DigestError(f"the API must be an http:// or https:// URL, got '{printable_excerpt(api)}'")
    return api


def page_url(api: str, day: date, page: int) -> str:
    """`api` with date, limit and page added to any query it already has."""
    query = urllib.parse.urlencode({"date": day.isoformat(), "limit": PAGE_SIZE, "p": page})
    return f"{api}{'&' if urllib.parse.urlsplit(api).query else '?'}{query}"


def fetch_day(api: str, day: date, *, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
              sleep: Sleep = time.sleep, say: Say = print, deadline: float | None = None) -> list[ApiItem]:
    """Every item the API lists for `day`, page after page, each paper once, in the API's order.

    Each try must have its whole answer within `deadline` seconds (default:
    DEADLINE_PER_TIMEOUT x `timeout`). Raises `DigestError` naming the URL if
    the API stays unreachable or answers with anything but a list of papers.
    """
    check_api_url(api)
    retrying = Retrying(timeout=timeout, retries=retries, deadline=deadline or DEADLINE_PER_TIMEOUT * timeout)
    items: list[ApiItem] = []
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        url = page_url(api, day, page)
        page_items = fetch_page(url, retrying, sleep, say)
        new = _unseen(page_items, seen)
        items.extend(new)
        if len(page_items) < PAGE_SIZE:
            return items
        if not new:
            say(f"note: {url} repeated papers already fetched; the API seems to ignore paging, so stopping here")
            return items
    raise DigestError(f"{api} kept sending full pages for {day} ({MAX_PAGES} pages of {PAGE_SIZE}); stopped")


def _unseen(page_items: list[ApiItem], seen: set[str]) -> list[ApiItem]:
    """The items whose paper is not in `seen`, adding them to it (first occurrence wins)."""
    new = []
    for item in page_items:
        if paper_id(item) not in seen:
            seen.add(paper_id(item))
            new.append(item)
    return new


def fetch_page(url: str, retrying: Retrying, sleep: Sleep, say: Say) -> list[ApiItem]:
    """The checked items of one page."""
    reply = get_with_retries(url, retrying, sleep, say)
    try:
        return parse_api_items(reply.body, url)
    except SnapshotError as error:
        where = f"line {error.line}: " if error.line else ""
        raise DigestError(f"{url} did not answer with a list of papers: {where}{error.message} "
                          f"({reply.describe()})") from None


# ---------------------------------------------------------------------------------------------------------------
# Choosing the days, saving the snapshots

def run_fetch(snapshots_dir: Path, day: date | None, since: date | None, api: str | None, force: bool,
              today: date, say: Say = print, *, timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
              sleep: Sleep = time.sleep, environ: Mapping[str, str] | None = None,
              stale_after: int = FetchSettings().stale_weekdays, complain: Say | None = None,
              alert: Callable[[Freshness], object] | None = None) -> int:
    """Fetch `day` (default `today`), or with `since` every weekday up to today that has no snapshot yet.

    Returns the exit code: 0, also for days without papers and kept files; EXIT_STALE_FEED when no snapshot
    has brought a new paper for `stale_after` weekdays (after calling `alert`; see commands/freshness.py).
    Raises `DigestError` at the first day that fails; days saved before it stay.
    """
    api = resolve_api(api, os.environ if environ is None else environ)
    days = _days_to_fetch(snapshots_dir, day, since, today, say)
    _check_snapshots_dir(snapshots_dir)
    for wanted in days:
        _refuse_second_snapshot(snapshots_dir, wanted)
        items = fetch_day(api, wanted, timeout=timeout, retries=retries, sleep=sleep, say=say)
        save_day(snapshots_dir, wanted, items, force, say, today)
    freshness = judge_feed(snapshots_dir, day or today, stale_after, today)
    say(freshness.describe())
    if not freshness.stale:
        return 0
    (complain or say)(f"error: {freshness.alarm()}")
    if alert is not None:
        alert(freshness)
    return EXIT_STALE_FEED


def _days_to_fetch(snapshots_dir: Path, day: date | None, since: date | None, today: date, say: Say) -> list[date]:
    if day is not None and since is not None:
        raise DigestError("give either a DATE or --since, not both")
    if since is None:
        wanted = day or today
        if wanted > today:
            raise DigestError(f"{wanted} is after today ({today}, UTC); the feed has no papers for it yet")
        return [wanted]
    if since > today:
        raise DigestError(f"--since {since} is after today ({today}, UTC)")
    missing = [d for d in weekdays(since, today) if not snapshot_files_for(snapshots_dir, d)]
    say(f"{len(missing)} weekday(s) from {since} to {today} have no snapshot yet" if missing else
        f"every weekday from {since} to {today} has a snapshot already; nothing to fetch")
    return missing


def weekdays(first: date, last: date) -> Iterator[date]:
    """Monday to Friday from `first` to `last`, both included: the days the feed has papers."""
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() < 5:
            yield day


def snapshot_files_for(snapshots_dir: Path, day: date) -> list[Path]:
    """The files in `snapshots_dir` whose name starts with `day` (2025-10-08.txt, 2025-10-08.json, ...).

    Only source files count (`inputs.sources.is_source_name`: no editor leftovers). A text snapshot
    without the date in its name is not found: its date is inside.
    """
    if not snapshots_dir.is_dir():
        return []
    stem = day.isoformat()
    return sorted(path for path in snapshots_dir.iterdir()
                  if path.name.startswith(stem) and not path.name[len(stem):][:1].isdigit()
                  and is_source_name(path.name) and path.is_file())


def _refuse_second_snapshot(snapshots_dir: Path, day: date) -> None:
    others = [path for path in snapshot_files_for(snapshots_dir, day) if path.name != f"{day}.json"]
    if others:
        raise DigestError(f"a snapshot for {day} exists already and the site builder rejects two files for one "
                          "date; remove this one first if the API's version should replace it", others[0])


def _check_snapshots_dir(snapshots_dir: Path) -> None:
    if not snapshots_dir.parent.is_dir():
        raise DigestError("no content/ folder here; run in the project folder or give --source DIR",
                          snapshots_dir.parent)
    try:
        snapshots_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise DigestError(f"cannot create the snapshots folder: {exc.strerror}", snapshots_dir) from None


def save_day(snapshots_dir: Path, day: date, items: list[ApiItem], force: bool, say: Say, today: date) -> None:
    """Write DATE.json unless there are no papers, nothing changed, or it would lose papers without `force`.

    The answer must be `day`'s list and read exactly as `digest build` will read the file; if not, the
    saved file is left byte for byte as it was and a `DigestError` says why.
    """
    target = snapshots_dir / f"{day}.json"
    if not items:
        say(f"{day}: the API lists no papers (a weekend or holiday?); nothing written")
        return
    check_list_is_of_day(items, day, target)
    data = dump_api_items(items)
    check_builder_reads(data, target, today)
    new_count = count_papers(items)
    old_data = _read_existing(target)
    if old_data == data:
        say(f"{target}: unchanged, {new_count} papers")
        return
    old_count = _count_saved(old_data, target)
    if not force and (old_count is None or old_count > new_count):
        held = "is not a valid API snapshot" if old_count is None else f"has {old_count}"
        say(f"warning: {target}: the API now lists {new_count} papers and the file {held}; "
            "kept the file (use --force to replace it)")
        return
    write_atomically(target, data)
    change = "wrote" if old_data is None else f"updated (had {old_count} papers)"
    say(f"{target}: {change}, {new_count} papers")


def check_list_is_of_day(items: list[ApiItem], day: date, target: Path) -> None:
    """A `DigestError` unless the items were featured on `day`, by their own dates (not by how many they are).

    The API dates each paper's day in the feed (`paper.submittedOnDailyAt`; older answers lack it): most
    must be `day` and none later. Without those, no item's `publishedAt` may be after `day` (a day's slack
    for time zones). An upstream that ignores ``?date=`` and sends another day's list is caught here.
    """
    featured_days = sorted(when for item in items
                           if (when := json_snapshot.iso_day(item["paper"].get("submittedOnDailyAt"))) is not None)
    kept = f"{target} is unchanged"
    if featured_days:
        usual = max(set(featured_days), key=lambda when: (featured_days.count(when), when))
        if usual != day or featured_days[-1] > day:
            shown = featured_days[-1] if usual == day else usual
            raise DigestError(f"the API's answer for {day} is the list of another day: papers featured on "
                              f"{shown} (paper.submittedOnDailyAt); does the API ignore ?date=? {kept}")
        return
    published = [when for item in items if (when := json_snapshot.iso_day(item.get("publishedAt"))) is not None]
    if published and max(published) > day + timedelta(days=1):
        raise DigestError(f"the API's answer for {day} lists a paper featured on {max(published)}, after that day; "
                          f"does the API ignore ?date=? {kept}")


def check_builder_reads(data: bytes, target: Path, today: date) -> None:
    """A `DigestError` unless `data`, saved as `target`, is a snapshot the site builder reads."""
    try:
        json_snapshot.parse_snapshot(data, target, today)
    except SnapshotError as error:
        where = f" (line {error.line} of the file it would write)" if error.line else ""
        raise DigestError(f"the API's answer for {target.stem} is not a snapshot the site can read: "
                          f"{error.message}{where}; {target} is unchanged") from None


def _read_existing(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DigestError(f"cannot read the existing snapshot: {exc.strerror}", target) from None


def _count_saved(data: bytes | None, path: Path) -> int | None:
    """Papers in the saved file: 0 if there is none, None if it is not a valid API snapshot."""
    if data is None:
        return 0
    try:
        return count_papers(parse_api_items(data, path))
    except SnapshotError:
        return None


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` with `data` all at once: readers see the old file or the new one, never half of one."""
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temp.chmod(mode)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise DigestError(f"cannot write the snapshot: {exc.strerror or exc}", target) from None
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); skipped where directories cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------------------------------------------
# The command line


def add_fetch_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `digest fetch` on the main parser's subcommands."""
    fetch = subparsers.add_parser(
        "fetch", help="download a day of the Hugging Face Daily Papers feed into content/snapshots/",
        description=(
            "Save the papers the Hugging Face Daily Papers API lists for DATE as content/snapshots/DATE.json. "
            "A day without papers writes nothing; a file that would lose papers is kept unless --force; "
            "a failed download leaves existing files as they were."))
    which = fetch.add_mutually_exclusive_group()
    which.add_argument("date", nargs="?", type=iso_date, default=None, metavar="DATE",
                       help="day to fetch as YYYY-MM-DD (default: today, UTC, or the day of $SOURCE_DATE_EPOCH)")
    which.add_argument("--since", type=iso_date, default=None, metavar="DATE",
                       help="fetch every weekday from DATE to today that has no snapshot yet")
    fetch.add_argument("--api", default=None, metavar="URL",
                       help=f"daily-papers API to ask (default: ${API_VARIABLE}, else {DEFAULT_API}); redirects are "
                       "followed only over http(s) to this URL's host, never from https to http: to use "
                       "another host, give its URL here")
    fetch.add_argument("--force", action="store_true",
                       help="replace DATE.json even if the API now lists fewer papers than it holds")
    add_source_option(fetch)
    fetch.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"a try fails after this long without data, or when the whole answer takes longer "
                       f"than {DEADLINE_PER_TIMEOUT} times this; it is then retried (default: {DEFAULT_TIMEOUT:g}, "
                       f"so {DEADLINE_PER_TIMEOUT * DEFAULT_TIMEOUT:g} s for a whole answer)")
    fetch.set_defaults(run=run_fetch_command)
    return fetch


def run_fetch_command(args: argparse.Namespace) -> int:
    content = args.source / "content"
    config = _settings_for_fetch(content)
    stale_after = (config.fetch if config else FetchSettings()).stale_weekdays
    return run_fetch(content / "snapshots", args.date, args.since, args.api, args.force, clock.today(os.environ),
                     print, timeout=args.timeout, stale_after=stale_after,
                     complain=functools.partial(print, file=sys.stderr),
                     alert=functools.partial(alert_curator, config, os.environ))


def _settings_for_fetch(content: Path) -> SiteConfig | None:
    """site.yaml's settings if it reads; a fetch saves the day's papers even when a setting is wrong."""
    if not (content / SITE_CONFIG_NAME).is_file():
        return None
    try:
        return load_site_config(content)
    except ConfigError as error:
        print(f"warning: {error}; judging the feed by the default settings, with no alerts", file=sys.stderr)
        return None


def alert_curator(config: SiteConfig | None, environ: Mapping[str, str], freshness: Freshness,
                  sleep: Sleep = time.sleep, say: Say = print) -> None:
    """Tell notify.alerts (if set) that the feed is stale; a failed alert is said, the exit status stays 3."""
    from digest.commands.notify import send_alert  # Apprise is loaded only when there is something to say

    if config is not None:
        send_alert(config, f"{config.title}: the feed is stale", freshness.alarm(), say, environ, sleep)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got '{value}'")
    return seconds
