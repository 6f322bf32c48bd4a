// Papers as the files a reference manager imports (BibTeX, RIS, CSL-JSON), made in the browser: a paper page's
// own three (with its abstract) and /saved/'s reading list. The same bytes as the site's list files, which
// `digest build` writes (digest/plan/references.py): a preprint with its arXiv id, DOI 10.48550/arXiv.ID, month,
// names with a suffix as "Daumé III, Hal", organizations kept whole. tests/site/test_exports.py compares the two.
//
// A paper is what a star keeps (plan/reader.py's star_data): t title, u site path, d first seen, a authors,
// x arXiv id, p published; b its abstract, on a paper page only (from its citation_abstract tag).
(function () {
  "use strict";
  var rootScript = document.querySelector("script[data-root]");
  var relativeRoot = rootScript ? rootScript.dataset.root || "./" : "./";
  // Page URLs in the files are the site's own address (base_url, from the canonical link), wherever it is served.
  var canonical = document.querySelector("link[rel=canonical]");
  var root = new URL(relativeRoot, canonical ? canonical.href : document.baseURI).href;

  // Names ----------------------------------------------------------------------------------------------------
  var ORGANIZATION_WORDS = ["team", "lab", "labs", "laboratory", "group", "consortium", "collaboration", "inc",
    "ltd", "llc", "corporation", "corp", "university", "institute", "initiative", "project", "foundation",
    "committee", "organization", "company", "community", "alliance"];
  var SUFFIXES = ["Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"];
  var PARTICLES = ["von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le", "dos",
    "das", "do", "ten", "ter", "zu", "zur", "af", "av", "bin", "ibn", "al", "el"];
  var MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
  var BRACED = /(^|\s)and(\s|$)|,/i;
  var LATEX = { "\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}", "$": "\\$",
    "%": "\\%", "&": "\\&", "#": "\\#", "_": "\\_", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}" };
  // What Python's str.split() splits at (references.py's one-line RIS values and name words).
  var SPACE = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  var OTHER_LINE_BREAKS = /\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]/g;  // in BibTeX, a plain newline

  function latex(text) { return text.replace(/[\\{}$%&#_^~]/g, function (c) { return LATEX[c]; }); }
  function words(text) { return text.split(SPACE).filter(Boolean); }

  function isOrganization(name) {
    var parts = name.trim().split(/[\s-]+/);
    return parts.some(function (word) { return ORGANIZATION_WORDS.indexOf(word.toLowerCase().replace(/\.+$/, "")) !== -1; }) ||
      (parts.length > 1 && parts[parts.length - 1] === "AI");
  }

  // [family, given] of a person as the API writes the name (given names first); null for an organization.
  function familyAndGiven(name) {
    if (isOrganization(name) || BRACED.test(name)) return null;
    var parts = words(name);
    if (parts.length < 2) return [name, ""];
    var last = parts.length - (SUFFIXES.indexOf(parts[parts.length - 1]) !== -1 && parts.length > 2 ? 2 : 1);
    var start = last;
    for (var i = 1; i < last; i++) if (PARTICLES.indexOf(parts[i]) !== -1) { start = i; break; }
    return [parts.slice(start).join(" "), parts.slice(0, start).join(" ")];
  }

  function bibtexName(name) {
    if (isOrganization(name) || BRACED.test(name)) return "{" + latex(name) + "}";
    var parts = words(name);
    if (parts.length > 2 && SUFFIXES.indexOf(parts[parts.length - 1]) !== -1) {
      var split = familyAndGiven(name);
      return latex(split[0]) + ", " + latex(split[1]);
    }
    return latex(name);
  }

  function slug(text) {
    return text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
  }

  function pageUrl(paper) { return new URL(paper.u, root).href; }
  function arxivUrl(id) { return "https://arxiv.org/abs/" + id; }
  function doi(id) { return "10.48550/arXiv." + id; }
  function featured(paper) { return "Featured in Hugging Face Daily Papers on " + paper.d; }

  // BibTeX ---------------------------------------------------------------------------------------------------
  function bibtexKey(paper) {
    var first = (paper.a || [])[0] || "", parts = first ? familyAndGiven(first) : null;
    var family = parts ? parts[0].split(" ") : [first];
    var last = family.length > 1 && SUFFIXES.indexOf(family[family.length - 1]) !== -1 ?
      family[family.length - 2] : family[family.length - 1];
    var titleWords = slug(paper.t).split("-"), long = titleWords.filter(function (word) { return word.length > 3; });
    return (slug(last).replace(/-/g, "") + (paper.p ? paper.p.slice(0, 4) : "") +
      ((long.length ? long : titleWords)[0] || "")) || "paper";
  }

  function letters(number) {
    var text = "";
    number += 1;
    while (number) { var rest = (number - 1) % 26; number = Math.floor((number - 1) / 26); text = String.fromCharCode(97 + rest) + text; }
    return text;
  }

  function bibtexEntry(paper, key) {
    var fields = [["title", "{" + latex(paper.t) + "}"]];
    if (paper.a && paper.a.length) fields.push(["author", "{" + paper.a.map(bibtexName).join(" and ") + "}"]);
    if (paper.p) fields.push(["year", "{" + paper.p.slice(0, 4) + "}"], ["month", MONTHS[Number(paper.p.slice(5, 7)) - 1]]);
    if (paper.x) {
      fields.push(["eprint", "{" + paper.x + "}"], ["eprinttype", "{arxiv}"], ["archiveprefix", "{arXiv}"],
        ["doi", "{" + doi(paper.x) + "}"], ["publisher", "{arXiv}"], ["url", "{" + arxivUrl(paper.x) + "}"]);
    } else {
      fields.push(["url", "{" + pageUrl(paper) + "}"], ["note", "{" + featured(paper) + "}"]);
    }
    if (paper.b) fields.push(["abstract", "{" + latex(paper.b.replace(OTHER_LINE_BREAKS, "\n")) + "}"]);
    var width = Math.max.apply(null, fields.map(function (field) { return field[0].length; }));
    return "@misc{" + key + ",\n" + fields.map(function (field) {
      return "  " + field[0] + " ".repeat(width - field[0].length) + " = " + field[1];
    }).join(",\n") + ",\n}\n";
  }

  // Each key unique within the file ('zou2025tattoo', 'zou2025tattooa', ...).
  function bibtexFile(papers) {
    var taken = {};
    return papers.map(function (paper) {
      var base = bibtexKey(paper), key = base, n = 0;
      while (taken[key]) key = base + letters(n++);
      taken[key] = true;
      return bibtexEntry(paper, key);
    }).join("\n");
  }

  // RIS: no preprint type, so UNPB (unpublished work); every value on one line, so none can start a tag.
  function risRecord(paper) {
    var lines = [["TY", "UNPB"], ["TI", paper.t]];
    (paper.a || []).forEach(function (name) {
      var parts = familyAndGiven(name);
      lines.push(["AU", parts && parts[1] ? parts[0] + ", " + parts[1] : name]);
    });
    if (paper.p) lines.push(["PY", paper.p.slice(0, 4)], ["DA", paper.p.replace(/-/g, "/") + "/"]);
    if (paper.b) lines.push(["AB", paper.b]);
    if (paper.x) {
      lines.push(["PB", "arXiv"], ["AN", "arXiv:" + paper.x], ["DO", doi(paper.x)], ["UR", arxivUrl(paper.x)]);
    } else {
      lines.push(["UR", pageUrl(paper)], ["N1", featured(paper)]);
    }
    lines.push(["ER", ""]);
    return lines.map(function (line) { return (line[0] + "  - " + words(line[1]).join(" ")).replace(/ +$/, "") + "\n"; }).join("");
  }

  function risFile(papers) { return papers.map(risRecord).join("\n"); }

  // CSL-JSON: type `article` (CSL's preprint), laid out as Python's json.dumps lays it out.
  function cslItem(paper) {
    var item = { id: paper.u.replace(/^papers\//, "").replace(/\/$/, ""), type: "article", title: paper.t };
    if (paper.a && paper.a.length) {
      item.author = paper.a.map(function (name) {
        var parts = familyAndGiven(name);
        if (!parts) return { literal: name };
        return parts[1] ? { family: parts[0], given: parts[1] } : { family: parts[0] };
      });
    }
    if (paper.p) item.issued = { "date-parts": [paper.p.split("-").map(Number)] };
    if (paper.b) item.abstract = paper.b;
    if (paper.x) {
      item.DOI = doi(paper.x);
      item.URL = arxivUrl(paper.x);
      item.archive = "arXiv";
      item.publisher = "arXiv";
      item.number = "arXiv:" + paper.x;
    } else {
      item.URL = pageUrl(paper);
      item.note = featured(paper);
    }
    return item;
  }

  function pythonJson(value) {
    if (Array.isArray(value)) return "[" + value.map(pythonJson).join(", ") + "]";
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).map(function (key) { return JSON.stringify(key) + ": " + pythonJson(value[key]); })
        .join(", ") + "}";
    }
    return JSON.stringify(value);
  }

  function cslJsonFile(papers) {
    return papers.length ? "[\n" + papers.map(function (paper) { return pythonJson(cslItem(paper)); }).join(",\n") + "\n]\n" : "[]\n";
  }

  var FORMATS = [
    { label: "BibTeX", extension: ".bib", type: "application/x-bibtex", file: bibtexFile },
    { label: "RIS", extension: ".ris", type: "application/x-research-info-systems", file: risFile },
    { label: "CSL-JSON", extension: ".csl.json", type: "application/vnd.citationstyles.csl+json", file: cslJsonFile },
  ];

  function download(text, name, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  // Buttons that download `papers()` in each format, as `name` + the format's extension.
  function exportButtons(container, papers, name) {
    container.querySelectorAll("button[data-format]").forEach(function (button) {
      var format = FORMATS.filter(function (known) { return known.label === button.dataset.format; })[0];
      if (!format) return;
      button.addEventListener("click", function () {
        download(format.file(papers()), name + format.extension, format.type);
      });
    });
  }

  window.PaperReferences = { FORMATS: FORMATS, download: download, exportButtons: exportButtons };

  // A paper page: its own three files, abstract included (the page's data-star and citation_abstract).
  var own = document.getElementById("paper-exports");
  var article = document.querySelector("article[data-star]");
  if (own && article) {
    var paper = JSON.parse(article.dataset.star);
    var abstract = document.querySelector("meta[name=citation_abstract]");
    if (abstract) paper.b = abstract.content;
    exportButtons(own, function () { return [paper]; }, own.dataset.name);
    own.hidden = false;
  }
})();
