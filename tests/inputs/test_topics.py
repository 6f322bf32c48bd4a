"""The topic taxonomy: coverage of the bundled content and errors in topics.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.inputs.topics import TaxonomyCache, load_taxonomy, parse_taxonomy
from digest.inputs.yamlfile import load_yaml_file, load_yaml_text
from digest.memo import Memo
from digest.taxonomy import Taxonomy
from tests.helpers import FIXTURES, REPO, seed_catalog

TOPIC_FIXTURES = FIXTURES / "topics"


def test_default_taxonomy_fits_the_bundled_content() -> None:
    """The bundled taxonomy is tuned on the Daily Papers feed of 2024-2026; the 96 older seed papers still fit."""
    catalog = seed_catalog()
    total = len(catalog.papers)
    filed = [p for p in catalog.papers.values() if p.topics != ("other",)]
    assert len(filed) == 96  # the README says so
    for topic in catalog.topics:
        assert len(catalog.papers_by_topic[topic.slug]) <= 0.40 * total, topic.slug


def test_the_bundled_taxonomy_is_valid_and_every_topic_is_described() -> None:
    taxonomy = load_taxonomy(REPO / "content")
    slugs = [topic.slug for topic in taxonomy.topics]
    assert len(slugs) == len(set(slugs)) and slugs[-1] == "other"
    assert len(taxonomy.rules) >= 20
    for rule in taxonomy.rules:
        assert rule.topic.description.endswith("."), rule.topic.slug
        assert len(rule.phrases) == len(set(rule.phrases)), rule.topic.slug
    assert taxonomy.keyword_weight == 1


# Invented papers a researcher would file under each topic (the bundled taxonomy must agree).
RESEARCHER_PICKS = [
    ("agents", "WebPilot: Training Browser Agents with Self-Generated Curricula",
     "Autonomous agents that navigate real websites must plan over many steps. We train an LLM agent on tasks it "
     "proposes itself and reach a new best success rate on WebArena."),
    ("agents", "ToolWeaver: Function Calling over Thousands of APIs",
     "Tool use lets language models act in the world. ToolWeaver retrieves the right API for each step and chains "
     "the calls, outperforming prior tool-augmented models."),
    ("reasoning", "Thinking Longer Is Not Thinking Better: Budgeted Chain-of-Thought for Math Problems",
     "Long chains of thought improve mathematical reasoning but waste tokens on easy problems. We learn when to "
     "stop, keeping accuracy on competition math while halving the length."),
    ("reasoning", "Self-Verification Makes Small Models Better Reasoners",
     "We teach a 1B model to check each step of its own solution to logic puzzles and arithmetic word problems, and "
     "to backtrack when a step fails, which scales with test-time compute."),
    ("code", "RepoFix: Repository-Level Bug Repair with Execution Feedback",
     "Fixing real issues requires reading a whole codebase. RepoFix localizes the fault, writes a patch and runs "
     "the unit tests, resolving 41% of SWE-bench Verified."),
    ("code", "Beyond HumanEval: Program Synthesis from Natural-Language Specifications",
     "We study code generation for programs of hundreds of lines and show that planning the module structure "
     "first helps large language models write correct software."),
    ("robotics", "GraspAnything: Language-Conditioned Dexterous Grasping in the Wild",
     "We present a robot policy that grasps novel objects from a spoken instruction, trained in simulation and "
     "transferred sim-to-real on a five-fingered hand."),
    ("robotics", "A Vision-Language-Action Model for Household Manipulation",
     "Our VLA model maps camera images and instructions to robot actions and completes long-horizon kitchen "
     "tasks on two embodied platforms."),
    ("video", "FlowCam: Camera-Controlled Video Generation with Motion Priors",
     "Text-to-video models ignore the camera path a user asks for. FlowCam conditions a video diffusion model on "
     "camera trajectories and keeps the frames temporally consistent."),
    ("video", "Watching Hour-Long Videos with Sparse Memory",
     "Long video understanding needs memory that scales. We keep a sparse set of key frames and answer questions "
     "about movies of several hours."),
    ("3d", "SplatCity: Reconstructing City Blocks with Gaussian Splatting",
     "We reconstruct large outdoor scenes from street imagery with 3D Gaussian splatting and render novel views in "
     "real time."),
    ("3d", "Mesh From One Photo: Single-Image 3D Asset Generation",
     "Given a single image, our model produces a textured mesh ready for games, guided by multi-view diffusion "
     "priors."),
    ("speech-audio", "Whisper in the Noise: Robust Speech Recognition for Call Centers",
     "We adapt an ASR model to noisy telephone audio and lower the word error rate by a third on spoken customer "
     "calls."),
    ("speech-audio", "Singing Voice Synthesis from Sheet Music",
     "Our text-to-speech system reads a score and lyrics and sings them in the voice of a chosen speaker."),
    ("evaluation", "LabBench: Can Language Models Plan Wet-Lab Experiments?",
     "We introduce a benchmark of 2,000 expert-written protocols and evaluate twenty models; the best solves 38% "
     "of the tasks, far below human experts."),
    ("evaluation", "Judging the Judges: How Reliable Is LLM-as-a-Judge Evaluation?",
     "LLM judges are widely used to evaluate chat models. We measure their agreement with human ratings on a new "
     "benchmark and find position and length biases."),
]


@pytest.mark.parametrize(("slug", "title", "abstract"), RESEARCHER_PICKS,
                         ids=[f"{slug}-{n % 2}" for n, (slug, _, _) in enumerate(RESEARCHER_PICKS)])
def test_the_bundled_taxonomy_files_papers_where_a_researcher_would(slug: str, title: str, abstract: str) -> None:
    assert slug in load_taxonomy(REPO / "content").classify(title, abstract)


def test_a_method_paper_that_only_evaluates_on_benchmarks_is_not_an_evaluation_paper() -> None:
    topics = load_taxonomy(REPO / "content").classify(
        "Sparse Adapters for Vision Transformers",
        "We evaluate sparse adapters on standard benchmarks. The evaluation shows they match full fine-tuning.")
    assert "evaluation" not in topics


def test_keywords_tip_a_paper_into_a_topic() -> None:
    taxonomy = load_taxonomy(REPO / "content")
    title, abstract = "Learning from Few Demonstrations", "We learn a policy from a handful of demonstrations."
    assert "robotics" not in taxonomy.classify(title, abstract)
    assert "robotics" in taxonomy.classify(title, abstract, ["robot manipulation", "embodied agents"])


def test_title_matches_weigh_more_than_abstract_matches() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, threshold: 2}\n"
        "topics:\n  - {name: Federated, slug: fed, phrases: [federated, clients]}\n", Path("t.yaml")))
    assert taxonomy.classify("Federated Averaging", "Nothing here.") == ("fed",)
    assert taxonomy.classify("Averaging", "Uses federated data once.") == ("other",)
    assert taxonomy.classify("Averaging", "Federated learning with many clients.") == ("fed",)


def test_phrases_match_whole_words_plurals_and_prefixes() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {threshold: 1}\n"
        "topics:\n  - {name: Q, slug: q, phrases: [quantiz*, 'mixture of expert']}\n", Path("t.yaml")))
    assert taxonomy.classify("Quantized Models", "") == ("q",)
    assert taxonomy.classify("Mixture-of-Experts", "") == ("q",)
    assert taxonomy.classify("Unquantized", "") == ("other",)


@pytest.mark.parametrize(("name", "line", "words"), [
    ("missing-name.yaml", 2, "'name' is missing"),
    ("duplicate-slug.yaml", 6, "duplicate slug 'alpha'"),
    ("wrong-type.yaml", 4, "'phrases' must be a non-empty list"),
])
def test_bad_taxonomy_names_the_key_and_line(name: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_taxonomy(load_yaml_file(TOPIC_FIXTURES / name))
    assert caught.value.line == line
    assert words in str(caught.value)
    assert name in str(caught.value)


def test_a_project_without_topics_yaml_files_everything_under_other(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(tmp_path)
    assert [topic.slug for topic in taxonomy.topics] == ["other"]


def test_keywords_are_extra_evidence_weighed_by_keyword_weight() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, keyword_weight: 2, threshold: 3}\n"
        "topics:\n  - {name: Agents, slug: agents, phrases: [agent*, tool use]}\n", Path("t.yaml")))
    assert taxonomy.keyword_weight == 2
    abstract = "We study agents."
    assert taxonomy.classify("A Study", abstract) == ("other",)
    assert taxonomy.classify("A Study", abstract, ["LLM agents"]) == ("agents",)
    assert taxonomy.classify("A Study", abstract, ("LLM", "tool-use")) == ("agents",)
    assert taxonomy.classify("A Study", "", ["gentle"]) == ("other",)
    # A phrase never spans two keywords.
    assert taxonomy.classify("A Study", "", ["tool", "use"]) == ("other",)


def test_keyword_weight_defaults_to_one_and_zero_turns_keywords_off() -> None:
    text = "topics:\n  - {name: Agents, slug: agents, phrases: [agent*, tool use]}\n"
    default = parse_taxonomy(load_yaml_text("scoring: {threshold: 3}\n" + text, Path("t.yaml")))
    assert default.classify("A Study", "Agents.", ["tool use"]) == ("other",)
    assert default.classify("A Study", "Agents.", ["tool use", "agentic"]) == ("agents",)
    off = parse_taxonomy(load_yaml_text("scoring: {threshold: 3, keyword_weight: 0}\n" + text, Path("t.yaml")))
    assert off.classify("A Study", "Agents.", ["tool use", "agentic", "agent"]) == ("other",)


def test_each_phrase_counts_once_whatever_its_form() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, threshold: 2}\n"
        "topics:\n  - {name: Eval, slug: eval, phrases: [evaluat*, benchmark, leaderboard]}\n", Path("t.yaml")))
    assert taxonomy.classify("X", "We evaluate; the evaluation evaluated benchmarks and a benchmark.") == ("eval",)
    assert taxonomy.classify("X", "We evaluate; the evaluation was evaluated.") == ("other",)
    assert taxonomy.classify("X", "Benchmarks and a benchmark.") == ("other",)


def test_classify_is_memoised_with_keywords() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {threshold: 1}\ntopics:\n  - {name: A, slug: a, phrases: [agent]}\n", Path("t.yaml")))
    assert taxonomy.classify("T", "", ["agent"]) == ("a",)
    assert taxonomy.classify("T", "", ("agent",)) == ("a",)
    assert taxonomy.classify("T", "") == ("other",)


def test_classifying_on_every_core_files_each_paper_as_one_process_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from digest import taxonomy as classifier
    from digest.commands.parallel import run_tasks

    monkeypatch.setattr(classifier, "CLASSIFY_ALONE", 0)  # even a few papers go to the workers
    taxonomy = load_taxonomy(REPO / "content")
    catalog = seed_catalog()
    texts = [(paper.title, paper.abstract, paper.keywords) for paper in catalog.papers.values()]
    texts += [("Federated agents", "", ()), ("Nothing in particular", "", ("diffusion",))]
    expected = [taxonomy.classify(*text) for text in texts]
    memo: classifier.ClassifiedMemo = Memo()
    assert taxonomy.classify_all(texts, lambda tasks: run_tasks(tasks, processes=2), memo) == expected
    assert len(memo.used) == len(set(texts)), "the workers' answers are kept in this process's memo"
    assert taxonomy.classify_all(texts) == expected
    assert len({topic for paper_topics in expected for topic in paper_topics}) > 3


def test_a_preview_classifies_only_new_texts_and_forgets_what_it_no_longer_uses() -> None:
    from digest import taxonomy as classifier

    taxonomy = load_taxonomy(REPO / "content")
    texts = [("Federated agents", "", ()), ("Diffusion for images", "", ())]
    memo: classifier.ClassifiedMemo = Memo()
    first = taxonomy.classify_all(texts, memo=memo)
    memo.next_build()
    memo.last = {key: ("planted",) for key in memo.last}  # a remembered answer is used as is, not recomputed
    assert taxonomy.classify_all(texts[:1], memo=memo) == [("planted",)]
    memo.next_build()
    assert taxonomy.classify_all(texts, memo=memo)[1] == first[1]  # forgotten: it went unused for a build
    assert len(memo.used) == 2


def test_a_topic_can_ask_for_more_evidence_with_its_own_threshold() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, threshold: 3}\n"
        "topics:\n"
        "  - {name: Eval, slug: eval, threshold: 4, phrases: [benchmark, evaluat*]}\n"
        "  - {name: Code, slug: code, phrases: [code]}\n", Path("t.yaml")))
    assert taxonomy.classify("A Benchmark for Code", "Nothing else.") == ("code",)
    assert taxonomy.classify("A Benchmark for Code", "We evaluate models.") == ("eval", "code")


def test_a_bad_topic_threshold_names_the_key_and_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_taxonomy(load_yaml_text(
            "topics:\n  - name: Eval\n    threshold: high\n    phrases: [benchmark]\n", Path("t.yaml")))
    assert caught.value.line == 3 and "expected a number of 0 or more, got 'high'" in str(caught.value)


def test_a_preview_parses_the_topics_file_again_only_when_its_text_changed(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text((REPO / "content" / "topics.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    cache = TaxonomyCache()
    first = load_taxonomy(tmp_path, cache)
    assert load_taxonomy(tmp_path, cache) is first
    path.write_text(path.read_text(encoding="utf-8").replace("name: Safety", "name: Safe AI", 1), encoding="utf-8")
    renamed = load_taxonomy(tmp_path, cache)
    assert renamed is not first and "Safe AI, Security and Privacy" in {topic.name for topic in renamed.topics}
    path.write_text("topics: [oops", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_taxonomy(tmp_path, cache)
    assert cache.taxonomy is renamed, "a broken file leaves the last good taxonomy for the next good save"


# Invented in the shape of the Daily Papers feed; each case is one the issue (#20) reported or a researcher would
# file at a glance. The bundled taxonomy must agree.
@pytest.fixture(scope="module")
def bundled() -> Taxonomy:
    return load_taxonomy(REPO / "content")  # parsing it takes a fifth of a second: once for these tests


def test_a_frontier_model_technical_report_lands_in_a_model_topic_not_other(bundled: Taxonomy) -> None:
    topics = bundled.classify(
        "The Orion 4 Family of Models",
        "Modern AI systems are powered by foundation models. This paper presents a new set of foundation models, "
        "called Orion 4, which natively support multilinguality, coding, reasoning and tool usage. Our largest model "
        "is a dense Transformer with 400 billion parameters trained on 15 trillion tokens. We publicly release the "
        "weights under a community license.")
    assert "pretraining-data" in topics and "other" not in topics


def test_a_short_titled_release_is_filed_by_what_its_abstract_says(bundled: Taxonomy) -> None:
    topics = bundled.classify(
        "Lumen 3",
        "We introduce Lumen 3, a latent diffusion model that generates high quality images from text prompts. We "
        "describe our quality and responsibility evaluations and how we reduce harms.")
    assert "image-generation" in topics and "other" not in topics


def test_a_chemistry_metaphor_is_not_science(bundled: Taxonomy) -> None:
    topics = bundled.classify(
        "The Molecular Structure of Thought: Mapping the Topology of Long Chain-of-Thought Reasoning",
        "Long chain-of-thought trajectories of reasoning models form stable molecular-like structures held together "
        "by three kinds of bonds: deep reasoning (covalent-like), self-reflection and self-exploration.",
        ("chain-of-thought", "molecular-like structures", "long CoT"))
    assert "science-health" not in topics and "reasoning" in topics


def test_real_chemistry_is_still_science(bundled: Taxonomy) -> None:
    topics = bundled.classify(
        "Molecular Property Prediction with Graph Transformers",
        "We predict the solubility and toxicity of small molecules from their molecular graphs.")
    assert "science-health" in topics


def test_a_paper_keeps_at_most_three_topics_the_best_scoring(bundled: Taxonomy) -> None:
    taxonomy = bundled
    title = "Agentic Reinforcement Learning for Video Reasoning with Speech and Robot Manipulation"
    abstract = ("We train multimodal agents with reinforcement learning to reason over videos, speech and 3D scenes, "
                "and evaluate them on a new benchmark for robot manipulation with diffusion policies.")
    scores = taxonomy.scores(title, abstract)
    joined = [rule.topic.slug for rule, score in zip(taxonomy.rules, scores, strict=True) if score >= 3]
    topics = taxonomy.classify(title, abstract)
    assert len(joined) > 3 and len(topics) == 3
    kept = sorted(scores[[rule.topic.slug for rule in taxonomy.rules].index(slug)] for slug in topics)
    dropped = [score for rule, score in zip(taxonomy.rules, scores, strict=True)
               if rule.topic.slug in joined and rule.topic.slug not in topics]
    assert min(kept) >= max(dropped)


PROMPTING_PICKS = [
    ("Prompt Formatting Matters: A Study of Prompt Sensitivity in LLMs",
     "Small changes to a prompt template change accuracy by up to 20 points. We study prompting strategies and "
     "propose prompt optimization that is robust to formatting."),
    ("Better Sampling for Open-Ended Generation",
     "We revisit decoding strategies for language models: nucleus sampling, min-p and temperature. A new sampling "
     "method keeps coherence at high temperature."),
]


@pytest.mark.parametrize(("title", "abstract"), PROMPTING_PICKS, ids=["prompts", "decoding"])
def test_prompting_and_decoding_papers_have_a_topic(bundled: Taxonomy, title: str, abstract: str) -> None:
    assert "prompting" in bundled.classify(title, abstract)


def small_taxonomy(scoring: str, topics: str) -> Taxonomy:
    return parse_taxonomy(load_yaml_text(f"scoring: {{{scoring}}}\ntopics:\n{topics}", Path("t.yaml")))


def test_an_exclude_phrase_keeps_a_paper_out_of_its_topic() -> None:
    taxonomy = small_taxonomy("threshold: 3", "  - {name: Science, slug: sci, phrases: [molecul*, protein*],\n"
                                              "     exclude: [structure of thought, dna of llm*]}\n"
                                              "  - {name: Reasoning, slug: reasoning, phrases: [thought, reasoning]}\n")
    assert taxonomy.classify("Molecular Dynamics", "") == ("sci",)
    assert taxonomy.classify("The Molecular Structure of Thought", "") == ("reasoning",)
    assert taxonomy.classify("Protein Folding", "Unlike the DNA of LLMs, ...") == ("other",)
    assert taxonomy.phrase_counts("structure of thought") == (0, 1), "exclude phrases are no topic's phrases"


def test_max_topics_keeps_the_highest_scores_in_taxonomy_order() -> None:
    topics = "".join(f"  - {{name: {name}, slug: {name.lower()}, phrases: [{name.lower()}, {name.lower()}s2]}}\n"
                     for name in ("Alpha", "Beta", "Gamma"))
    taxonomy = small_taxonomy("threshold: 1, max_topics: 2", topics)
    assert taxonomy.classify("Gamma Alpha", "beta gammas2") == ("alpha", "gamma")  # gamma 4, then alpha and beta 3
    assert small_taxonomy("threshold: 1", topics).classify("Gamma Alpha", "beta") == ("alpha", "beta", "gamma")


def test_fallback_files_weak_evidence_under_the_best_topics() -> None:
    topics = ("  - {name: Agents, slug: agents, phrases: [agent*, tool use]}\n"
              "  - {name: Speech, slug: speech, phrases: [speech, audio]}\n")
    taxonomy = small_taxonomy("threshold: 3, fallback: 2", topics)
    assert taxonomy.classify("A Study", "Agents with tool use.") == ("agents",)  # 2 of 3: weak but the best
    assert taxonomy.classify("A Study", "Agents with tool use hear speech and audio.") == ("agents", "speech")
    assert taxonomy.classify("A Study", "Agents hear speech.") == ("other",)  # 1 each: too little
    assert small_taxonomy("threshold: 3", topics).classify("A Study", "Agents with tool use.") == ("other",)


@pytest.mark.parametrize(("scoring", "words"), [
    ("max_topics: 0", "expected a whole number of 1 or more, got 0"),
    ("max_topics: 2.5", "expected a whole number of 1 or more, got 2.5"),
    ("fallback: 0", "expected a number above 0, got 0"),
    ("fallback: yes", "expected a number above 0, got True"),
])
def test_bad_max_topics_and_fallback_name_the_key(scoring: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        small_taxonomy(scoring, "  - {name: A, slug: a, phrases: [a]}\n")
    assert caught.value.line == 1 and words in str(caught.value)


def test_a_bad_exclude_list_names_the_key_and_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_taxonomy(load_yaml_text("topics:\n  - name: A\n    phrases: [a]\n    exclude: not a list\n",
                                      Path("t.yaml")))
    assert caught.value.line == 4 and "'exclude' must be a non-empty list" in str(caught.value)
