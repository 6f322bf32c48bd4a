"""A small day of papers in the Daily Papers API's shape, made for what search must get right about people and
popularity: Tri Dao's papers beside "virtual try-on" ones (one by a Dao), accented names, a misspelling's
neighbours, two papers equal but for their upvotes, and a two-word query some papers match wholly (with an
author called Of, whom a stop word typed in a query must not make a word every paper needs).

Written here, not copied from any corpus: each paper says only what a test needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from digest.commands.build import build_site
from digest.project import Project
from tests.helpers import make_project

DAY = "2025-10-09"

# (arXiv id, title, abstract, authors, upvotes, Hugging Face's AI summary or "")
PAPERS: tuple[tuple[str, str, str, tuple[str, ...], int, str], ...] = (
    ("2510.10001", "Structured State Space Duality for Long Sequences",
     "We connect state space layers and attention through structured matrices.", ("Tri Dao", "Albert Gu"), 40,
     "A framework links state space layers and attention, giving faster sequence layers."),
    ("2510.10002", "Fast Exact Attention on Modern Accelerators",
     "We make exact attention faster by tiling reads and writes.", ("Jay Shah", "Tri Dao"), 30, ""),
    ("2510.10003", "Virtual Try-On by Trying Garments",
     "Shoppers try garments virtually; we try outfits on photographs.", ("Lan Dao", "Wei Chen"), 12, ""),
    ("2510.10004", "TryOn Anything: Virtual Try-On without Masks",
     "A virtual try-on system that needs no masks.", ("Kim Lee",), 50, ""),
    ("2510.10005", "Denoising Diffusion for Image Synthesis",
     "Diffusion turns noise into images step by step.", ("Ana Müller", "Jürgen Schmidt"), 80,
     "Diffusion synthesizes images from noise in many small steps."),
    ("2510.10006", "Latent Diffusion for Video",
     "We run diffusion in a latent space to make video.", ("Ravi Iyer",), 5, ""),
    # Equal text, 1 and 500 upvotes: only the prior tells them apart.
    ("2510.10007", "Quokka Routing: Sparse Experts, Part One",
     "Tokens go to sparse experts through a quokka gate.", ("Uma Patel",), 1, ""),
    ("2510.10008", "Quokka Routing: Sparse Experts, Part Two",
     "Tokens go to sparse experts through a quokka gate.", ("Uma Patel",), 500, ""),
    # "quokka" only in the abstract, the most upvotes: a far better title match must stay above it.
    ("2510.10009", "Gates for Sparse Experts",
     "Sparse experts, routed as a quokka would route them.", ("Omar Haddad",), 500, ""),
    ("2510.10010", "World Models for Robot Planning",
     "A learned world model lets robots plan ahead.", ("Sara Lind",), 20, ""),
    ("2510.10011", "A World of Agents", "Agents share a simulated world.", ("Sara Lind", "Ada Of"), 7, ""),
    ("2510.10012", "Model Compression Made Simple", "We prune and quantize a network.", ("Ivo Petrov",), 3, ""),
    ("2510.10013", "Masked Autoencoders Are Scalable Vision Learners",
     "Masking random patches makes a strong pre-training task.", ("Kaiming He", "Xinlei Chen"), 90, ""),
    ("2510.10014", "Forward-Forward Training", "Two forward passes replace backpropagation.",
     ("Geoffrey Hinton",), 60, ""),
)

TRI_DAO = {"Structured State Space Duality for Long Sequences", "Fast Exact Attention on Modern Accelerators"}
TRY_ON = {"Virtual Try-On by Trying Garments", "TryOn Anything: Virtual Try-On without Masks"}
QUOKKA_ONE, QUOKKA_TWO = "Quokka Routing: Sparse Experts, Part One", "Quokka Routing: Sparse Experts, Part Two"
QUOKKA_ABSTRACT = "Gates for Sparse Experts"
DIFFUSION = {"Denoising Diffusion for Image Synthesis", "Latent Diffusion for Video"}


def item(arxiv_id: str, title: str, abstract: str, authors: tuple[str, ...], upvotes: int,
         summary: str) -> dict[str, Any]:
    """One API item, as the Daily Papers API sends it (the fields the site reads)."""
    paper: dict[str, Any] = {
        "id": arxiv_id, "title": title, "summary": abstract, "upvotes": upvotes,
        "authors": [{"_id": f"a{arxiv_id}{n}", "name": name, "hidden": False} for n, name in enumerate(authors)],
        "publishedAt": f"{DAY}T08:00:00.000Z", "submittedOnDailyAt": f"{DAY}T09:00:00.000Z",
    }
    if summary:
        paper["ai_summary"] = summary
    return {"paper": paper, "publishedAt": f"{DAY}T08:00:00.000Z", "title": title, "summary": abstract,
            "numComments": 0}


def snapshot() -> bytes:
    """The day as the JSON snapshot `digest fetch` saves."""
    return json.dumps([item(*paper) for paper in PAPERS], ensure_ascii=False, indent=1).encode("utf-8")


def build(root: Path, small_files: bool = False) -> Project:
    """A project of this day, built. `small_files` cuts the search files small (as a big corpus's are: many term
    shards, name lists and vocabulary files), so the files a query fetches are a real choice."""
    from digest.output.search import shards

    project = make_project(root, {f"{DAY}.json": snapshot()})
    with pytest.MonkeyPatch.context() as patch:
        if small_files:
            for name, size in (("TERM_SHARD_BYTES", 400), ("WORD_SHARD_BYTES", 200), ("NAME_LIST_BYTES", 40),
                               ("VOCABULARY_BYTES", 60)):
                patch.setattr(shards, name, size)
        build_site(project)
    return project
