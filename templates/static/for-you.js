// "New for you" on the home page: the papers of the newest week that match what the reader follows (reader.js
// keeps it in this browser). A followed topic, organization or author reads one small file of the week's papers
// (plan/reader.py's new_for_you_files: a kilobyte or three). A followed search runs through the search page's own
// engine and shards (search-index.js), loaded only then: only the term shards of the query's words and the
// documents of the matching papers are fetched. Nothing is sent anywhere.
(function () {
  "use strict";
  var section = document.getElementById("new-for-you");
  var reader = window.PaperReader;
  if (!section || !reader) return;
  var follows = reader.load().follows;
  if (!follows.length) return;
  var el = reader.el, formatDate = reader.formatDate;
  var status = section.querySelector("[role=status]"), list = section.querySelector(".paper-list");
  var first = Number(section.dataset.first), since = section.dataset.since;
  var root = new URL(document.querySelector("script[data-root]").dataset.root || "./", document.baseURI).href;
  var SHOWN = 30;
  section.hidden = false;
  section.setAttribute("aria-busy", "true");  // its room is kept while busy (style.css): the page below stays put
  status.textContent = "Looking for new papers on what you follow…";

  // Scripts fetched side by side and run in the order given (async = false), as lunr must run before the engine.
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  function reasonOf(follow) {
    if (follow.kind === "topic") return "in " + follow.name;
    if (follow.kind === "author") return "by " + follow.name;
    if (follow.kind === "org") return "from " + follow.name;
    return "matches “" + follow.key + "”";
  }

  // A paper as the cards below draw it: search number, title, site path, first seen, authors.
  function fromDocument(number, doc) { return { n: number, t: doc[0], u: doc[1], d: doc[2], a: doc[6] || "" }; }
  function fromFile(entry) { return { n: entry[0], t: entry[1], u: entry[2], d: entry[3], a: entry[4] }; }

  // A followed search's papers of the window, found by the search engine (loaded once, when needed).
  var engine = null;
  function searched(follow) {
    if (!engine) {
      var manifestUrl = new URL(section.dataset.manifest, document.baseURI).href;
      engine = Promise.all([loadScript(section.dataset.lunr), loadScript(section.dataset.engine),
                            fetchJson(manifestUrl)]).then(function (loaded) {
        var found = new PaperSearch.Engine(manifestUrl, fetchJson, loaded[2]);
        return found.manifest.then(function () { return found; });
      });
    }
    return engine.then(function (search) {
      return search.search(follow.key).then(function (answer) {
        var numbers = answer.results.slice(0, answer.all).map(function (result) {
          return parseInt(result.ref, 36);
        }).filter(function (number) { return number >= first; });
        return search.documents(numbers.map(function (number) { return number.toString(36); })).then(function (docs) {
          return docs.map(function (doc, i) { return doc && fromDocument(numbers[i], doc); }).filter(Boolean);
        });
      }, function () { return []; });  // a saved query that no longer parses finds nothing
    });
  }

  // A followed topic's or organization's papers of the window: one small file of the build's.
  function listed(follow) {
    var folder = follow.kind === "topic" ? "topics/" : "orgs/";
    var url = new URL(section.dataset.files + folder + encodeURIComponent(follow.key) + ".json", document.baseURI).href;
    return fetchJson(url).then(function (data) {
      return Array.isArray(data.papers) ? data.papers.map(fromFile) : [];
    }, function () { return []; });  // a topic or organization the site no longer has
  }

  // An author's name as the build keys it (plan/reader.py's author_name), and which file holds it (author_file:
  // FNV-1a of its UTF-8 bytes).
  function authorName(name) { return name.split(/\s+/).filter(Boolean).join(" "); }
  function authorFile(name, count) {
    var bytes = new TextEncoder().encode(name), hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    return hash % count;
  }

  // A followed author's papers of the window: from the file that holds the name.
  function byAuthor(follow) {
    var count = Number(section.dataset.authorFiles), name = authorName(follow.key);
    if (!count || !name) return Promise.resolve([]);
    var url = new URL(section.dataset.files + "authors/" + authorFile(name, count) + ".json", document.baseURI).href;
    return fetchJson(url).then(function (data) {
      return ((data.authors || {})[name] || []).map(function (index) { return fromFile(data.papers[index]); });
    }, function () { return []; });
  }

  function collect() {
    var found = {};  // by path: {paper, reasons}
    return Promise.all(follows.map(function (follow) {
      var papers = follow.kind === "topic" || follow.kind === "org" ? listed(follow) :
        follow.kind === "author" ? byAuthor(follow) : searched(follow);
      return papers.then(function (list) {
        list.forEach(function (paper) {
          var entry = found[paper.u] || (found[paper.u] = { paper: paper, reasons: [] });
          var reason = reasonOf(follow);
          if (entry.reasons.indexOf(reason) === -1) entry.reasons.push(reason);
        });
      });
    })).then(function () {
      return Object.keys(found).map(function (path) { return found[path]; }).sort(function (a, b) {
        return a.paper.d < b.paper.d ? 1 : a.paper.d > b.paper.d ? -1 : b.paper.n - a.paper.n;
      });
    });
  }

  // A card as the site's lists show one (templates/partials/cards.html), with why it is here.
  function card(entry) {
    var paper = entry.paper;
    var item = el("li", "paper-card");
    var body = el("div", "card-body");
    var heading = el("h3", "paper-title");
    var link = el("a", null, paper.t);
    link.href = root + paper.u;
    heading.appendChild(link);
    body.appendChild(heading);
    if (paper.a) body.appendChild(el("p", "paper-authors", paper.a));
    var meta = el("p", "paper-meta");
    meta.appendChild(el("span", "follow-reason", entry.reasons.join(" · ")));
    meta.appendChild(reader.firstSeen(paper.d));
    body.appendChild(meta);
    item.appendChild(body);
    return item;
  }

  function show(entries) {
    section.removeAttribute("aria-busy");
    var sinceText = formatDate(since);
    if (!entries.length) {
      status.textContent = "Nothing new since " + sinceText + " on what you follow.";
      return;
    }
    var fragment = document.createDocumentFragment();
    entries.slice(0, SHOWN).forEach(function (entry) { fragment.appendChild(card(entry)); });
    list.appendChild(fragment);
    var count = entries.length + (entries.length === 1 ? " paper" : " papers");
    status.textContent = count + " since " + sinceText + " on what you follow" +
      (entries.length > SHOWN ? "; the newest " + SHOWN + " shown." : ".");
  }

  collect().then(show).catch(function (error) {
    section.removeAttribute("aria-busy");
    status.textContent = "Your followed papers could not be loaded (" + error.message + ").";
  });
})();
