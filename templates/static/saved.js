// /saved/: the papers the reader starred (reader.js keeps them in this browser), downloaded as BibTeX or RIS made
// here (the same records as the site's list files, digest/plan/references.py: a preprint with its arXiv id, DOI
// 10.48550/arXiv.ID, month, names with a suffix as "Daumé III, Hal", organizations kept whole), and the reader's
// settings (stars, follows, last visit) as a JSON file to load in another browser, checked before anything changes.
(function () {
  "use strict";
  var status = document.getElementById("saved-status");
  var reader = window.PaperReader;
  if (!status) return;
  if (!reader) {
    status.textContent = "Your browser does not let this site keep anything (storage is off or full), " +
      "so there is no reading list here. Every paper page has its BibTeX under “Cite”.";
    return;
  }
  var el = reader.el;
  var list = document.getElementById("saved-list"), actions = document.getElementById("saved-actions");
  var settingsStatus = document.getElementById("settings-status");
  var root = new URL(document.querySelector("script[data-root]").dataset.root || "./", document.baseURI).href;
  var FORMAT = "paper-digest-reader";

  // Names, as digest/plan/references.py writes them --------------------------------------------------------
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

  function latex(text) { return text.replace(/[\\{}$%&#_^~]/g, function (c) { return LATEX[c]; }); }

  function isOrganization(name) {
    var words = name.trim().split(/[\s-]+/);
    return words.some(function (word) { return ORGANIZATION_WORDS.indexOf(word.toLowerCase().replace(/\.+$/, "")) !== -1; }) ||
      (words.length > 1 && words[words.length - 1] === "AI");
  }

  // [family, given] of a person as the API writes the name (given names first); null for an organization.
  function familyAndGiven(name) {
    if (isOrganization(name) || BRACED.test(name)) return null;
    var words = name.trim().split(/\s+/);
    if (words.length < 2) return [name, ""];
    var last = words.length - (SUFFIXES.indexOf(words[words.length - 1]) !== -1 && words.length > 2 ? 2 : 1);
    var start = last;
    for (var i = 1; i < last; i++) if (PARTICLES.indexOf(words[i]) !== -1) { start = i; break; }
    return [words.slice(start).join(" "), words.slice(0, start).join(" ")];
  }

  function bibtexName(name) {
    if (isOrganization(name) || BRACED.test(name)) return "{" + latex(name) + "}";
    var words = name.trim().split(/\s+/);
    if (words.length > 2 && SUFFIXES.indexOf(words[words.length - 1]) !== -1) {
      var parts = familyAndGiven(name);
      return latex(parts[0]) + ", " + latex(parts[1]);
    }
    return latex(name);
  }

  function slug(text) {
    return text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
  }

  function bibtexKey(paper) {
    var first = (paper.a || [])[0] || "", parts = first ? familyAndGiven(first) : null;
    var family = parts ? parts[0].split(" ") : [first];
    var last = family.length > 1 && SUFFIXES.indexOf(family[family.length - 1]) !== -1 ?
      family[family.length - 2] : family[family.length - 1];
    var words = slug(paper.t).split("-"), long = words.filter(function (word) { return word.length > 3; });
    return (slug(last).replace(/-/g, "") + (paper.p ? paper.p.slice(0, 4) : "") + ((long.length ? long : words)[0] || "")) || "paper";
  }

  function letters(number) {
    var text = "";
    number += 1;
    while (number) { var rest = (number - 1) % 26; number = Math.floor((number - 1) / 26); text = String.fromCharCode(97 + rest) + text; }
    return text;
  }

  function pageUrl(paper) { return new URL(paper.u, root).href; }
  function arxivUrl(id) { return "https://arxiv.org/abs/" + id; }

  function bibtexEntry(paper, key) {
    var fields = [["title", "{" + latex(paper.t) + "}"]];
    if (paper.a && paper.a.length) fields.push(["author", "{" + paper.a.map(bibtexName).join(" and ") + "}"]);
    if (paper.p) fields.push(["year", "{" + paper.p.slice(0, 4) + "}"], ["month", MONTHS[Number(paper.p.slice(5, 7)) - 1]]);
    if (paper.x) {
      fields.push(["eprint", "{" + paper.x + "}"], ["eprinttype", "{arxiv}"], ["archiveprefix", "{arXiv}"],
        ["doi", "{10.48550/arXiv." + paper.x + "}"], ["publisher", "{arXiv}"], ["url", "{" + arxivUrl(paper.x) + "}"]);
    } else {
      fields.push(["url", "{" + pageUrl(paper) + "}"], ["note", "{Featured in Hugging Face Daily Papers on " + paper.d + "}"]);
    }
    var width = Math.max.apply(null, fields.map(function (field) { return field[0].length; }));
    return "@misc{" + key + ",\n" + fields.map(function (field) {
      return "  " + field[0] + " ".repeat(width - field[0].length) + " = " + field[1];
    }).join(",\n") + ",\n}\n";
  }

  function bibtexFile(papers) {
    var taken = {};
    return papers.map(function (paper) {
      var base = bibtexKey(paper), key = base, n = 0;
      while (taken[key]) key = base + letters(n++);
      taken[key] = true;
      return bibtexEntry(paper, key);
    }).join("\n");
  }

  function oneLine(text) { return text.split(/[\s\u0085\u2028\u2029]+/).filter(Boolean).join(" "); }

  // RIS has no preprint type: UNPB (unpublished work), as the site's list files.
  function risRecord(paper) {
    var lines = [["TY", "UNPB"], ["TI", paper.t]];
    (paper.a || []).forEach(function (name) {
      var parts = familyAndGiven(name);
      lines.push(["AU", parts && parts[1] ? parts[0] + ", " + parts[1] : name]);
    });
    if (paper.p) lines.push(["PY", paper.p.slice(0, 4)], ["DA", paper.p.replace(/-/g, "/") + "/"]);
    if (paper.x) {
      lines.push(["PB", "arXiv"], ["AN", "arXiv:" + paper.x], ["DO", "10.48550/arXiv." + paper.x], ["UR", arxivUrl(paper.x)]);
    } else {
      lines.push(["UR", pageUrl(paper)], ["N1", "Featured in Hugging Face Daily Papers on " + paper.d]);
    }
    lines.push(["ER", ""]);
    return lines.map(function (line) { return (line[0] + "  - " + oneLine(line[1])).replace(/ +$/, "") + "\n"; }).join("");
  }

  function download(text, name, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = el("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  // The list -------------------------------------------------------------------------------------------------
  function formatDate(iso) {
    return new Date(iso + "T00:00:00Z").toLocaleDateString(document.documentElement.lang || "en",
      { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  }

  function card(paper) {
    var item = el("li", "paper-card");
    var body = el("div", "card-body");
    var heading = el("h2", "paper-title");
    var link = el("a", null, paper.t);
    link.href = pageUrl(paper);
    heading.appendChild(link);
    body.appendChild(heading);
    var names = paper.a || [];
    if (names.length) {
      body.appendChild(el("p", "paper-authors", names.slice(0, 5).join(", ") +
        (names.length > 5 ? " and " + (names.length - 5) + " more" : "")));
    }
    var meta = el("p", "paper-meta");
    if (paper.x) {
      var arxiv = el("a", null, "arXiv " + paper.x);
      arxiv.href = arxivUrl(paper.x);
      arxiv.rel = "nofollow noopener";
      meta.appendChild(arxiv);
    }
    var seen = el("span", null, "First seen ");
    var time = el("time", null, formatDate(paper.d));
    time.setAttribute("datetime", paper.d);
    seen.appendChild(time);
    meta.appendChild(seen);
    body.appendChild(meta);
    item.appendChild(body);
    item.appendChild(reader.starButton(paper));
    return item;
  }

  function starred() { return reader.load().stars; }  // what is saved now: a paper unstarred here is left out

  function summary() {
    var count = reader.load().stars.length;
    status.textContent = count ? count + (count === 1 ? " saved paper, newest saved first." : " saved papers, newest saved first.") :
      "No saved papers yet. Star a paper (☆ beside it on any list or paper page) to keep it here.";
    actions.hidden = !count;
  }

  function render() {
    list.textContent = "";
    var fragment = document.createDocumentFragment();
    reader.load().stars.forEach(function (paper) { fragment.appendChild(card(paper)); });
    list.appendChild(fragment);
    summary();
  }

  // A paper unstarred here stays in the list (star it again to undo) until the page is reloaded.
  list.addEventListener("starred", summary);
  document.getElementById("export-bibtex").addEventListener("click", function () {
    download(bibtexFile(starred()), "saved-papers.bib", "application/x-bibtex");
  });
  document.getElementById("export-ris").addEventListener("click", function () {
    download(starred().map(risRecord).join("\n"), "saved-papers.ris", "application/x-research-info-systems");
  });

  // Settings -------------------------------------------------------------------------------------------------
  var DATE = /^\d{4}-\d{2}-\d{2}$/;
  var PATH = /^(?![\/\\])[A-Za-z0-9._~%\/-]*$/;  // a path inside the site: no scheme, no other host
  var KINDS = ["topic", "org", "author", "search"];

  function isText(value, most) { return typeof value === "string" && value.length > 0 && value.length <= (most || 2000); }

  // What is wrong with a settings file, or "" when it can replace what this browser keeps.
  function problem(data) {
    if (!data || typeof data !== "object" || data.format !== FORMAT) return "it is not a settings file of this site";
    if (data.version !== 1) return "it is of version " + String(data.version) + ", which this site does not know";
    if (!Array.isArray(data.stars) || !Array.isArray(data.follows)) return "it has no list of stars or follows";
    for (var i = 0; i < data.stars.length; i++) {
      var star = data.stars[i];
      if (!star || !isText(star.t) || !isText(star.u) || !PATH.test(star.u) || !DATE.test(star.d) ||
          (star.p !== undefined && !DATE.test(star.p)) || (star.x !== undefined && !/^[\w.\/-]{1,40}$/.test(star.x)) ||
          (star.a !== undefined && !(Array.isArray(star.a) && star.a.every(function (name) { return isText(name, 300); })))) {
        return "saved paper " + (i + 1) + " is incomplete or malformed";
      }
    }
    for (var j = 0; j < data.follows.length; j++) {
      var follow = data.follows[j];
      if (!follow || KINDS.indexOf(follow.kind) === -1 || !isText(follow.key, 500) || !isText(follow.name, 500) ||
          (follow.kind === "org" && !PATH.test(follow.key))) {
        return "follow " + (j + 1) + " is incomplete or malformed";
      }
    }
    var visit = data.visit;
    if (visit !== null && visit !== undefined && (typeof visit !== "object" || typeof visit.at !== "number" ||
        [visit.previous, visit.seen].some(function (day) { return day !== null && !DATE.test(day); }))) {
      return "its last visit is malformed";
    }
    return "";
  }

  document.getElementById("export-settings").addEventListener("click", function () {
    var state = reader.load();
    var data = { format: FORMAT, version: 1, stars: state.stars, follows: state.follows, visit: state.visit || null };
    download(JSON.stringify(data, null, 1) + "\n", "paper-digest-settings.json", "application/json");
    settingsStatus.textContent = "Downloaded your settings.";
  });

  document.getElementById("import-settings").addEventListener("change", function (event) {
    var file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    function refuse(reason) {
      settingsStatus.textContent = "“" + file.name + "” was not loaded: " + reason + ". Nothing was changed.";
    }
    if (file.size > 2000000) { refuse("it is larger than a settings file can be"); return; }
    file.text().then(function (text) {
      var data;
      try { data = JSON.parse(text); } catch (error) { refuse("it is not JSON"); return; }
      var wrong = problem(data);
      if (wrong) { refuse(wrong); return; }
      var state = { version: 1, stars: data.stars, follows: data.follows, visit: data.visit || null };
      if (!reader.save(state)) { refuse("your browser's storage is full"); return; }
      render();
      settingsStatus.textContent = "Loaded “" + file.name + "”: " + data.stars.length + " saved papers, " +
        data.follows.length + " follows.";
    }, function () { refuse("it could not be read"); });
  });

  document.getElementById("reader-settings").hidden = false;
  render();
})();
