"""How a paper page lets reference managers and search engines cite the paper.

Three forms of the same facts, each only with what the snapshots say: Highwire
`citation_*` meta tags (read by Zotero and Google Scholar), a BibTeX entry for
readers to copy and schema.org `ScholarlyArticle` JSON-LD. The paper's own
BibTeX, RIS and CSL-JSON files are made in the reader's browser from the page's
data (templates/static/references.js, the records of plan/references.py). A paper known only
from text snapshots has a title, an abstract and the dates it was featured, so
that is all its citation says.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from digest import urls
from digest.catalog import Paper
from digest.plan.references import bibtex_entry, doi

# '<', '>' and '&' as JSON escapes: the data block can then never close its <script> element or open a comment.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


@dataclass(frozen=True)
class Citation:
    meta: tuple[tuple[str, str], ...]  # (name, content) of each citation_* meta tag, in order
    bibtex: str  # the short entry shown to copy (no abstract)
    json_ld: str  # JSON, safe to place as is inside <script type="application/ld+json">


def citation(paper: Paper, base_url: str) -> Citation:
    """The citation of `paper`, on a site at the absolute `base_url`."""
    page_url = urls.absolute(base_url, urls.paper(paper.slug))
    return Citation(highwire_meta(paper), bibtex_entry(paper, page_url, abstract=False).rstrip("\n"),
                    json_ld(paper, page_url))


def highwire_meta(paper: Paper) -> tuple[tuple[str, str], ...]:
    """The tags Zotero's Embedded Metadata translator reads. With `DC.type` preprint, the DOI, the report
    number and the publisher, a page imports as the same preprint as Zotero's own arXiv importer makes of
    arXiv's page (it ignores `citation_arxiv_id`, kept for Google Scholar); the full abstract, not the page's
    description. Every paper of the feed is a preprint; one known only from text has no id to give."""
    meta = [("citation_title", paper.title), ("DC.type", "preprint")]
    meta += [("citation_author", name) for name in paper.authors]
    if paper.published:
        meta.append(("citation_publication_date", paper.published.strftime("%Y/%m/%d")))
    if paper.abstract:
        meta.append(("citation_abstract", paper.abstract))
    if paper.arxiv_id:
        meta += [("citation_arxiv_id", paper.arxiv_id),
                 ("citation_doi", doi(paper.arxiv_id)),
                 ("citation_technical_report_number", "arXiv:" + paper.arxiv_id),
                 ("citation_publisher", "arXiv"),
                 ("citation_public_url", urls.arxiv_abstract(paper.arxiv_id)),
                 ("citation_pdf_url", urls.arxiv_pdf(paper.arxiv_id)),
                 ("citation_abstract_html_url", urls.arxiv_abstract(paper.arxiv_id))]
    return tuple(meta)


def json_ld(paper: Paper, page_url: str) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title,
        "name": paper.title,
        "url": page_url,
    }
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
    if paper.published:
        data["datePublished"] = paper.published.isoformat()
    if paper.arxiv_id:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_id}
        data["sameAs"] = [urls.arxiv_abstract(paper.arxiv_id), urls.hugging_face_paper(paper.arxiv_id)]
    if paper.keywords:
        data["keywords"] = list(paper.keywords)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&]", lambda match: _SCRIPT_UNSAFE[match.group(0)], text)
