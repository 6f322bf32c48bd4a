// "New for you" on the home page: the papers of the newest week that match what the reader follows (reader.js
// keeps it in this browser). Topics, authors and searches run through the search page's own engine and shards
// (search-index.js): only the term shards of the followed words and the documents of the matching papers are
// fetched. An organization, which search does not index, comes from a small file of the build's. Nothing is sent
// anywhere.
(function () {
  "use strict";
  var section = document.getElementById("new-for-you");
  var reader = window.PaperReader;
  if (!section || !reader) return;
  var follows = reader.load().follows;
  if (!follows.length) return;
  var el = reader.el;
  var status = section.querySelector("[role=status]"), list = section.querySelector(".paper-list");
  var first = Number(section.dataset.first), since = section.dataset.since;
  var root = new URL(document.querySelector("script[data-root]").dataset.root || "./", document.baseURI).href;
  var SHOWN = 30;
  section.hidden = false;
  section.setAttribute("aria-busy", "true");  // its room is kept while busy (style.css): the page below stays put
  status.textContent = "Looking for new papers on what you follow…";

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
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

  function words(text) {
    return text.toLowerCase().split(lunr.tokenizer.separator).map(function (word) {
      return word.replace(/\*/g, "");
    }).filter(Boolean);
  }

  // The query a follow stands for, in the search box's syntax: every word required, in its field.
  function queryOf(follow) {
    if (follow.kind === "search") return follow.key;
    if (follow.kind === "author") return words(follow.key).map(function (word) { return "+author:" + word; }).join(" ");
    return words(follow.name).filter(function (word) { return lunr.stopWordFilter(word) !== undefined; })
      .map(function (word) { return "+topics:" + word; }).join(" ");
  }

  function reasonOf(follow) {
    if (follow.kind === "topic") return "in " + follow.name;
    if (follow.kind === "author") return "by " + follow.name;
    if (follow.kind === "org") return "from " + follow.name;
    return "matches “" + follow.key + "”";
  }

  // The followed papers of the window as {number, reason} (number: search's paper number, newest highest).
  function searched(engine, follow) {
    var query = queryOf(follow);
    if (!query) return Promise.resolve([]);
    return engine.search(query).then(function (answer) {
      return answer.results.slice(0, answer.all).map(function (result) {
        return parseInt(result.ref, 36);
      }).filter(function (number) { return number >= first; });
    }).catch(function () { return []; });  // a saved query that no longer parses finds nothing
  }

  // An organization's papers of the window: search does not index organizations, so the build lists their numbers
  // (plan/reader.py's new_for_you_data), fetched once for all followed organizations.
  var orgNumbers = null;
  function fromOrg(follow) {
    if (!orgNumbers) orgNumbers = fetchJson(new URL(section.dataset.orgs, document.baseURI).href);
    return orgNumbers.then(function (data) {
      var numbers = data.orgs[follow.key];
      return Array.isArray(numbers) ? numbers.filter(function (number) { return number >= first; }) : [];
    }).catch(function () { return []; });
  }

  function collect(engine) {
    var found = {};  // by path: {doc, number, reasons}
    function add(doc, number, reason) {
      var entry = found[doc[1]] || (found[doc[1]] = { doc: doc, number: number, reasons: [] });
      if (entry.reasons.indexOf(reason) === -1) entry.reasons.push(reason);
      if (number > entry.number) entry.number = number;
    }
    return Promise.all(follows.map(function (follow) {
      return (follow.kind === "org" ? fromOrg(follow) : searched(engine, follow)).then(function (numbers) {
        var refs = numbers.map(function (number) { return number.toString(36); });
        return engine.documents(refs).then(function (docs) {
          docs.forEach(function (doc, i) {
            // A topic's words can be spread over two topic names: keep the papers filed under the topic itself.
            if (doc && (follow.kind !== "topic" || doc[3].indexOf(follow.name) !== -1)) {
              add(doc, numbers[i], reasonOf(follow));
            }
          });
        });
      });
    })).then(function () {
      return Object.keys(found).map(function (path) { return found[path]; }).sort(function (a, b) {
        return a.doc[2] < b.doc[2] ? 1 : a.doc[2] > b.doc[2] ? -1 : b.number - a.number;
      });
    });
  }

  function formatDate(iso) {
    return new Date(iso + "T00:00:00Z").toLocaleDateString(document.documentElement.lang || "en",
      { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  }

  // A card as the site's lists show one (templates/partials/cards.html), with why it is here.
  function card(entry) {
    var doc = entry.doc;
    var item = el("li", "paper-card");
    var body = el("div", "card-body");
    var heading = el("h3", "paper-title");
    var link = el("a", null, doc[0]);
    link.href = root + doc[1];
    heading.appendChild(link);
    body.appendChild(heading);
    if (doc[6]) body.appendChild(el("p", "paper-authors", doc[6]));
    var meta = el("p", "paper-meta");
    meta.appendChild(el("span", "follow-reason", entry.reasons.join(" · ")));
    var seen = el("span", null, "First seen ");
    var time = el("time", null, formatDate(doc[2]));
    time.setAttribute("datetime", doc[2]);
    seen.appendChild(time);
    meta.appendChild(seen);
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

  var ready = loadScript(section.dataset.lunr).then(function () {
    return loadScript(section.dataset.engine);
  }).then(function () {
    var engine = new PaperSearch.Engine(new URL(section.dataset.manifest, document.baseURI).href, fetchJson);
    return engine.manifest.then(function () { return engine; });
  });
  ready.then(collect).then(show).catch(function (error) {
    section.removeAttribute("aria-busy");
    status.textContent = "Your followed papers could not be loaded (" + error.message + ").";
  });
})();
