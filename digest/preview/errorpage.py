"""The page every HTML request gets while the latest build is failing.

It names files relative to the project folder, never by absolute path: the
page is for the site, not a map of the machine (the terminal shows the full
error). Every piece of it is escaped, so markup in a message or in the faulty
line is shown, never run.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

from digest.errors import DigestError
from digest.preview.session import BuildStatus
from digest.project import Project
from digest.theme import CHECKOUT_ROOT, default_theme_dir

TRACEBACK_FILE = re.compile(r'File "([^"]+)"')
STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
         "h1{color:#a40000}.where{font-family:monospace;font-weight:bold}"
         "pre{background:#f6f6f6;border-left:4px solid #a40000;padding:.75rem;overflow:auto}"
         "mark{background:#ffd6d6}")


def error_page(status: BuildStatus, project: Project) -> bytes:
    """An HTML page naming the file and line of the build error, with the lines around it."""
    error = status.error
    where, excerpt = "", ""
    if isinstance(error, DigestError):
        message = _relative_text(error.message, project)
        if error.path is not None:
            where = _display_path(error.path, project) + (f", line {error.line}" if error.line else "")
            excerpt = _excerpt(error.path, error.line)
    else:
        message = _relative_text(f"{type(error).__name__}: {error} (a bug in paper-digest; please report it)", project)
        excerpt = html.escape(_relative_text(status.details, project))
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        f"<title>Build failed · digest serve</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        "<h1>The build failed</h1>\n",
        f"<p class=\"where\">{html.escape(where)}</p>\n" if where else "",
        f"<p class=\"message\">{html.escape(message)}</p>\n",
        f"<pre>{excerpt}</pre>\n" if excerpt else "",
        "<p>Fix it and save: this page reloads by itself when the next build succeeds. ",
        f"The last good site is still in <code>{html.escape(_display_path(project.output, project))}</code>.</p>\n",
        "</body>\n</html>\n",
    ]
    return "".join(parts).encode("utf-8")


def _display_path(path: Path, project: Project) -> str:
    """`path` relative to the project folder (a file of the default theme by its name there)."""
    absolute, root = Path(os.path.abspath(path)), Path(os.path.abspath(project.root))
    if absolute.is_relative_to(root):
        return absolute.relative_to(root).as_posix()
    theme = Path(os.path.abspath(default_theme_dir()))
    if absolute.is_relative_to(theme):
        return f"{absolute.relative_to(theme).as_posix()} (default theme)"
    return os.path.relpath(absolute, root)


def _source_path(path: Path, project: Project) -> str:
    """A traceback's file: a project's file relative to it, Python's by its module path ("jinja2/runtime.py")."""
    absolute = Path(os.path.abspath(path))
    homes = [Path(os.path.abspath(entry)) for entry in (*sys.path, CHECKOUT_ROOT) if entry]
    home = max((home for home in homes if absolute.is_relative_to(home)), key=lambda h: len(h.parts), default=None)
    if home is None or absolute.is_relative_to(project.root):
        return _display_path(path, project)
    return absolute.relative_to(home).as_posix()


def _relative_text(text: str, project: Project) -> str:
    """`text` (a message, a traceback) with its traceback files and the project's folders named relatively."""
    text = TRACEBACK_FILE.sub(lambda match: f'File "{_source_path(Path(match[1]), project)}"', text)
    for folder in sorted({project.output, project.root}, key=lambda folder: -len(str(folder))):
        shown = _display_path(folder, project).replace("\\", "\\\\")  # a template for re.sub
        text = re.sub(re.escape(str(folder)) + r"(?![\w.-])", shown, text)
    return text


def _excerpt(path: Path, line: int | None, around: int = 2) -> str:
    """The lines around `line`, numbered and escaped, the faulty one marked."""
    if not line:
        return ""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    rows = []
    for number in range(max(1, line - around), min(len(lines), line + around) + 1):
        text = f"{number:>5} | {html.escape(lines[number - 1])}"
        rows.append(f"<mark>{text}</mark>" if number == line else text)
    return "\n".join(rows)
