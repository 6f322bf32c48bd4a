"""YAML loading that remembers the line of every key, so errors can name it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from digest.errors import ConfigError

KeyPath = tuple[str | int, ...]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class YamlDocument:
    """Plain Python data plus the 1-based line where each key path starts."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: KeyPath) -> int | None:
        """The line of `key_path`, or of its nearest ancestor that has one."""
        while key_path:
            if key_path in self.lines:
                return self.lines[key_path]
            key_path = key_path[:-1]
        return self.lines.get((), None)

    def error(self, key_path: KeyPath, message: str) -> ConfigError:
        name = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in key_path).lstrip(".")
        prefix = f"'{name}': " if name else ""
        return ConfigError(prefix + message, self.path, self.line_of(key_path))


def load_yaml_text(text: str, path: Path) -> YamlDocument:
    """The document `text` holds; a `ConfigError` with the line for invalid YAML, or nesting too deep to read."""
    document = YamlDocument(path=path, data=None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            document.data = {}
            return document
        document.lines[()] = node.start_mark.line + 1
        document.data = _convert(node, (), document)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"invalid YAML: {problem}", path, line) from None
    except RecursionError:
        raise ConfigError("nested too deep to read (settings are a few levels deep)", path) from None
    return document


def load_yaml_file(path: Path) -> YamlDocument:
    return load_yaml_text(read_settings_text(path), path)


def read_settings_text(path: Path) -> str:
    """A settings file's text, or a ConfigError that says what is wrong with the file."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start}); save it as UTF-8", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", path) from None


def _convert(node: yaml.Node, key_path: KeyPath, document: YamlDocument) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError("a key must be plain text", document.path, key_node.start_mark.line + 1)
            key = _scalar(key_node)
            child = (*key_path, str(key))
            document.lines[child] = key_node.start_mark.line + 1
            if key in result:
                raise ConfigError(f"'{key}' is given twice; keep one", document.path, key_node.start_mark.line + 1)
            result[key] = _convert(value_node, child, document)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*key_path, index)
            document.lines[child] = item.start_mark.line + 1
            items.append(_convert(item, child, document))
        return items
    value = _scalar(node)
    if isinstance(value, str) and _LONE_SURROGATE.search(value):
        raise ConfigError("a \\uD800-\\uDFFF escape is half of a character, which no page can show; write the "
                          "character itself", document.path, node.start_mark.line + 1)
    return value


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
