"""Link finding, slugs and title normalisation on real quirks of the feed."""

from __future__ import annotations

from digest.text import code_link, find_links, first_sentences, normalize_title, slugify, snippet, split_links


def test_trailing_sentence_punctuation_is_not_part_of_a_url() -> None:
    text = "Code is at https://github.com/lvyilin/AdaB2N. More at (https://example.org/a_(b)), end."
    assert find_links(text) == ["https://github.com/lvyilin/AdaB2N", "https://example.org/a_(b)"]


def test_only_http_and_https_become_links() -> None:
    pieces = split_links("javascript:alert(1) data:text/html,x ftp://x.org/y https://ok.org/")
    assert [url for _, url in pieces if url] == ["https://ok.org/"]
    assert "".join(text for text, _ in pieces) == "javascript:alert(1) data:text/html,x ftp://x.org/y https://ok.org/"


def test_a_quote_ends_a_url() -> None:
    assert find_links('see https://example.org/a"onmouseover="alert(1) now') == ["https://example.org/a"]


def test_code_links_are_recognised_only_on_code_hosts() -> None:
    assert code_link(["https://huangtiansheng.github.io/Antidote_gh_page/"]) is None
    assert code_link(["https://hf-mirror.492719920.workers.dev/YiDuo1999/Llama-3-Physician-8B-Instruct"]) is None
    assert code_link(["https://github.com/IBM"]) is None  # an organisation, not a repository
    assert code_link(["https://x.org", "https://github.com/IBM/regression-transformer"]) == (
        "https://github.com/IBM/regression-transformer")
    assert code_link(["https://huggingface.co/spaces/a/b"]) == "https://huggingface.co/spaces/a/b"
    assert code_link(["https://gitlab.com/group/project"]) == "https://gitlab.com/group/project"


def test_titles_merge_across_case_punctuation_and_spacing() -> None:
    assert normalize_title("Alt-MoE:A  Scalable Framework") == normalize_title("alt moe: a scalable framework")
    assert normalize_title("Skill-it! A Data-Driven") != normalize_title("Skill it A Data Driven Skills")


def test_slugs_are_ascii_lowercase_hyphenated_and_short() -> None:
    assert slugify("Café Über: Ünïcode — Title") == "cafe-uber-unicode-title"
    long = slugify("word " * 40)
    assert len(long) <= 80 and not long.endswith("-") and long.startswith("word-word")
    assert slugify("日本語") == ""
    assert slugify("../../etc/passwd") == "etc-passwd"


def test_snippets_cut_at_a_word_and_sentences_split_on_periods() -> None:
    assert snippet("one two three four", 9) == "one two…"
    assert snippet("short", 100) == "short"
    text = "First sentence here. Second one, e.g. with an abbreviation. Third sentence."
    assert first_sentences(text, 1) == "First sentence here."
    assert first_sentences(text, 3) == text
