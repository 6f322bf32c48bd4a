"""site.yaml: defaults, validation, and errors that name the key and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.inputs.config import SiteConfig, describe_settings, load_site_config
from tests.helpers import REPO


def load(tmp_path: Path, text: str) -> SiteConfig:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return load_site_config(tmp_path)


def test_bundled_settings_load() -> None:
    config = load_site_config(REPO / "content")
    assert config.title == "Paper Digest"
    assert config.base_url.endswith("/")
    assert config.email.max_new == 40


def test_defaults_fill_what_is_not_given(tmp_path: Path) -> None:
    config = load(tmp_path, "title: T\nbase_url: https://example.org/sub\n")
    assert config.base_url == "https://example.org/sub/"
    assert (config.language, config.papers_per_page, config.smtp.port) == ("en", 50, 587)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("title: T\n", 1, "'base_url': required setting is missing"),
    ("title: T\nbase_url: ftp://x.org/\n", 2, "'base_url': must be an absolute http(s) URL"),
    ("title: T\nbase_url: https://x.org/\npapers_per_page: many\n", 3, "expected a whole number, got str 'many'"),
    ("title: T\nbase_url: https://x.org/\npapers_per_page: 0\n", 3, "must be between 5 and 1000"),
    ("title: T\nbase_url: https://x.org/\ntitel: oops\n", 3, "'titel': unknown setting"),
    ("title: T\nbase_url: https://x.org/\nsmtp:\n  security: tls\n", 4, "'smtp.security': must be one of"),
    ("title: T\nbase_url: https://x.org/\nlanguage: english language\n", 3, "language tag"),
    ("title: [a\n", 2, "invalid YAML"),
    ("title: T\ntitle: U\nbase_url: https://x.org/\n", 2, "'title' is given twice"),
    ("- a list\n", 1, "expected a mapping of settings"),
])
def test_bad_values_name_the_key_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert "site.yaml" in str(caught.value)


def test_missing_settings_file_says_what_to_create(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="create it with at least 'title' and 'base_url'"):
        load_site_config(tmp_path)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for key, _default, doc in describe_settings():
        assert doc, key
        assert f"`{key}`" in readme, f"README.md does not document the setting {key}"


def test_a_lone_surrogate_escape_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text('base_url: https://example.org/\ntitle: "Half \\ud800 a character"\n')
    with pytest.raises(ConfigError, match="half of a character") as caught:
        load_site_config(tmp_path)
    assert caught.value.line == 2


def test_yaml_nested_thousands_deep_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: " + "[" * 5_000 + "]" * 5_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deep") as caught:
        load_site_config(tmp_path)
    assert caught.value.path == tmp_path / "site.yaml"


@pytest.mark.parametrize("url, problem", [
    ("", "an empty URL"),
    ("json://host/a b", "spaces or control characters"),
    ("json://host/$TOKEN", "'$' starts a secret from the environment, written ${NAME}"),
    ("json://host/${TOKEN", "'$' starts a secret"),
    ("hooks.example.org/digest", "expected an Apprise URL such as 'json://host/path'"),
])
def test_a_notification_url_that_cannot_be_one_names_its_line(tmp_path: Path, url: str, problem: str) -> None:
    (tmp_path / "site.yaml").write_text(f"title: T\nbase_url: https://example.org/\nnotify:\n  to:\n"
                                        f"    - ok://fine\n    - '{url}'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(problem)) as caught:
        load_site_config(tmp_path)
    assert caught.value.line == 6 and "'notify.to[1]'" in caught.value.message


def test_notification_urls_keep_their_variables_unfilled(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nnotify:\n"
                                        "  to: ['${DIGEST_SLACK_URL}', 'json://u:${P}@h/x']\n", encoding="utf-8")
    assert load_site_config(tmp_path).notify.to == ("${DIGEST_SLACK_URL}", "json://u:${P}@h/x")
