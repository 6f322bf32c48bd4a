"""The one place paper-digest uses private APIs of its dependencies: a faster `{{ value }}` in templates.

Jinja's autoescape writes every value through `markupsafe.escape`, which wraps the escaped text in a
`Markup` that Jinja then joins away; a 10,000-paper site writes about 1.4 million values. Compiled with
`OutputCodeGenerator`, templates call `escape_output`, which gives the same text without the wrapper,
through markupsafe's C `_escape_inner`. Both are private, so they are used only with the exact versions
they were tested with (`TESTED`), and pyproject.toml bounds the range; with any other version `enabled()`
is False and templates compile with stock Jinja, writing the same bytes (tests/output/test_render.py compares
the two). The gain, measured, is in bench/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.nodes
import markupsafe

TESTED = {"jinja2": ("3.1.6",), "markupsafe": ("3.0.2", "3.0.3", "3.0.4")}

_escape_text: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)


def enabled() -> bool:
    """True where the installed Jinja and MarkupSafe are versions this module was tested with."""
    return (all(_version(name) in versions for name, versions in TESTED.items()) and _escape_text is not None
            and hasattr(jinja2.compiler.CodeGenerator, "_output_child_pre"))


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def escape_output(value: Any) -> str:
    """What `{{ value }}` writes in an autoescaped template: markupsafe's escaped text, not wrapped in `Markup`
    (Jinja only ever joins what a template writes, and marks macro and block text safe itself)."""
    assert _escape_text is not None  # enabled() checked it
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return _escape_text(str(value))


class OutputCodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with `escape_output` for what an autoescaped `{{ ... }}` writes."""

    def visit_Template(self, node: jinja2.nodes.Template, frame: jinja2.compiler.Frame | None = None) -> None:
        self.writeline(f"from {__name__} import escape_output")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile:
            self.write("(escape_output if context.eval_ctx.autoescape else str)(")
        elif frame.eval_ctx.autoescape:
            self.write("escape_output(")
        else:
            self.write("str(")
        if finalize.src is not None:
            self.write(finalize.src)
