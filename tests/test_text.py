"""Link finding, slugs and title normalisation on real quirks of the feed."""

from __future__ import annotations

from digest.text import (
    arxiv_id,
    clean_paragraphs,
    clean_text,
    clean_url,
    code_link,
    find_links,
    first_sentences,
    normalize_title,
    slugify,
    snippet,
    split_links,
)


def test_trailing_sentence_punctuation_is_not_part_of_a_url() -> None:
    text = "Code is at https://github.com/lvyilin/AdaB2N. More at (https://example.org/a_(b)), end."
    assert find_links(text) == ("https://github.com/lvyilin/AdaB2N", "https://example.org/a_(b)")
    assert find_links(f"{text} Again: https://github.com/lvyilin/AdaB2N") == find_links(text), "each link once"


def test_only_http_and_https_become_links() -> None:
    pieces = split_links("javascript:alert(1) data:text/html,x ftp://x.org/y https://ok.org/")
    assert [url for _, url in pieces if url] == ["https://ok.org/"]
    assert "".join(text for text, _ in pieces) == "javascript:alert(1) data:text/html,x ftp://x.org/y https://ok.org/"


def test_a_quote_ends_a_url() -> None:
    assert find_links('see https://example.org/a"onmouseover="alert(1) now') == ("https://example.org/a",)


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


def test_bidi_controls_are_removed_so_text_shows_what_it_is() -> None:
    spoofed = "Safe \u202eTitle\u202c with \u2066isolate\u2069 \u202a\u202b\u202d\u2067\u2068"
    assert clean_text(spoofed) == "Safe Title with isolate"
    assert "\u202e" not in clean_paragraphs("Para one.\n  \u202eTwo.")


def test_hard_wrapped_abstracts_keep_paragraphs_and_join_lines() -> None:
    wrapped = ("We propose a\nmethod. It works.\n  A second paragraph,\nstill going.\n\n"
               "Third:\n  https://x.org/y\n  Code: z")
    assert clean_paragraphs(wrapped) == ("We propose a method. It works.\n\nA second paragraph, still going."
                                         "\n\nThird:\n\nhttps://x.org/y\n\nCode: z")
    # Some abstracts indent every line: an indented line after a word mid-sentence continues the paragraph.
    assert clean_paragraphs("reason more concisely by\n  distilling their own") == (
        "reason more concisely by distilling their own")
    assert clean_text("A Title Wrapped in\n  Two Lines") == "A Title Wrapped in Two Lines"


def test_urls_from_structured_data_lose_white_space_and_must_be_http() -> None:
    assert clean_url("https://github.com/sirano1004/\nMargin-Apative") == "https://github.com/sirano1004/Margin-Apative"
    assert clean_url(" https://sites.google.com/view/x ") == "https://sites.google.com/view/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x.org/a", "github.com/a/b", "", "https://"):
        assert clean_url(bad) is None, bad


def test_arxiv_ids_lose_their_version_and_other_strings_are_not_ids() -> None:
    assert arxiv_id("2405.14734v2") == arxiv_id("2405.14734") == "2405.14734"
    assert arxiv_id("hep-th/9901001v3") == "hep-th/9901001"
    for bad in ("", "x", "../../etc", "2405.14734v", "javascript:alert(1)", "2405.14734 2"):
        assert arxiv_id(bad) is None, bad


def test_folded_words_are_the_words_of_the_merge_key() -> None:
    """Classification splits text with `folded_words`, a fast way for ASCII; it must give the words of
    `normalize_title` for any text: punctuation, controls, underscores, ligatures, ß, dotted I, combining marks."""
    import random

    from digest.text import folded_words

    alphabet = "aZ9 _-.,;:!?()[]{}'\"\t\n\r\x00\x0b\x1f\x7f/\\|@#$%^&*+=<>~`" + "ﬁßİé\u0301\u00a0\u2028Ω½①ｆ"
    chance = random.Random(11)
    for _ in range(5000):
        ascii_only = chance.random() < 0.5
        letters = alphabet[:alphabet.index("ﬁ")] if ascii_only else alphabet
        text = "".join(chance.choice(letters) for _ in range(chance.randrange(0, 30)))
        assert folded_words(text) == normalize_title(text).split(), repr(text)
    assert folded_words("Mixture-of-Experts (MoE) for LLMs_v2") == ["mixture", "of", "experts", "moe", "for", "llms",
                                                                      "v2"]


def test_a_snippet_folds_only_the_start_it_shows_and_equals_folding_the_whole() -> None:
    import random

    from digest.text import snippet

    def folded_whole(text: str, length: int) -> str:  # the plain definition
        text = " ".join(text.split())
        if len(text) <= length:
            return text
        cut = text[:length]
        space = cut.rfind(" ")
        return (cut[:space] if space > length // 2 else cut).rstrip(" ,;:.-") + "…"

    rng = random.Random(5)
    pieces = ["a", "b", " ", "  ", "\n", "\t", ".", ",", "word", "x" * 30, " " * 50, "-"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 200)))
        length = rng.randint(1, 120)
        assert snippet(text, length) == folded_whole(text, length), (text, length)
