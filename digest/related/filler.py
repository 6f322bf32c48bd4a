"""Filler: words that never make two papers related, and so never show in a reason.

One list per purpose. Search has its own stop words (lunr's, `output/search/words.py`): they keep the index
small and must match what lunr.js drops from a query, so they cannot grow here. This list is for related
papers only: words an abstract is written with rather than words it is about. Two papers both saying
"remarkably", "illustrate", "time-consuming" or "now" share a style, not a subject; a reader shown "Shared
terms: now, illustrate" would rightly distrust the link. The words were picked by reading the terms that
reasons named on the real corpus (hf-daily-papers), keeping any word that names a thing, a method or a field.

Matching is by stem (as search stems, `index_term`), so every form of a word goes ("illustrate",
"illustrates", "illustrated"); a word whose stem other, meaningful words share ("new" and "news", "present"
and "presentation", "general" and "generalization") is in `WORDS` instead, matched exactly as written.
"""

from __future__ import annotations

from digest.output.search.words import index_term

# Matched exactly (lowercased): their stems are also the stems of words that say something.
WORDS = frozenset("""
    via using use used uses based towards toward through without within upon beyond between over under
    such more less both each well thus therefore further furthermore moreover whereas whether very much many
    several various new novel propose proposed proposes present presents introduce introduces paper work
    show shows shown demonstrate demonstrates achieve achieves significantly existing et al etc one two three
    pre post non self multi semi sub co re de un anti bi tri uni fine
    don doesn isn aren didn wasn weren won wouldn couldn shouldn hasn haven
    against unlike despite although though whose onto per versus vs around along instead even still already
    here thereby hence whereby additionally specifically particularly respectively typically usually largely
    mainly primarily notably remarkably remarkable crucial significant substantial substantially superior
    reveal reveals revealing highlight highlights highlighting underscore underscores underscoring uncover
    uncovers uncovering leverage leverages leveraging enable enables enabling effectively efficiently
    comprehensive comprehensively extensive extensively phenomenon phenomena sophisticated outperform
    outperforms outperforming general generally main major minor working works
    affects affecting affected approximately consolidates determine determines determined determining engages
    facing faced helps helping helped indicate indicates indicating indicated intensive moderately numerous
    plausible principled serves served suppressing maximize maximizes maximizing expected called meets
""".split())  # noqa: SIM905 (a word list reads best as words)

# Matched by stem: every form of these says nothing about a subject.
_STEMMED = """
    now illustrate valuable poorly considerable possible incorrect awesome impressive seamless seamlessly
    extremely previously easily far necessary alone fewer four five six seven eight nine ten appropriate
    conventional surprisingly successfully simply good great truly easier easy dedicated frequently nearly
    useful notable latest commonly vital pivotal rapidly certain ultimately occur adequately explicitly little
    carefully meticulously weaker strongly really richer ideal complicated imprecise regarding increasingly
    consequently particular thorough entire extra greater irrelevant gradually subsequent especially poor bad
    together besides regardless heavily harder sufficient typical similarly unprecedented enough unchanged
    severe lengthy prevailing rigorous concrete newly genuine suitable broad broader alongside once costly
    expensive inefficient insufficient intricate advent nuanced tailored stronger dominant itself throughout
    manner era concerns difficult whole ones benefit solely actual longer faster pure ready basic meaningful
    opportunities implications innovations breakthroughs strides way kind side being having done left right
    standing par amount considering illustrate discuss tend know made tackle quantify examine elicit encourage
    hope describe exist adjust boost promote harness perceive emphasize distinguish invoke foster convert treat
    pave alleviate obtain induce raise enforce instantiate take found believe derive taught confirm expose begin
    attempt argue understood decide realize impose anticipate comprehend encounter endow lie reformulate revisit
    acquire strengthen incur cover modify expand retain add compromise neglect unlock unleash revolutionize
    hinder alter discard ignore eliminate exceed undermine showing necessitate accompany bypass incentivize
    rethink empower showcase overlook reach see give gives rival round enrich surpass hold holds make makes lead
    leads yield yields remain remains become becomes require requires allow allows provide provides offer offers
    involve involves lack lacks suffer suffers struggle struggles fail fails compare compares beat beats
    achieving achieved earlier release releases released
    consuming
"""

STEMS = frozenset(stem for word in _STEMMED.split() if (stem := index_term(word)))
