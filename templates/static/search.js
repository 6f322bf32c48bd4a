// Search page: loads the index prebuilt by `digest build` into lunr.js
// (lunr.Index.load; it never builds an index here) and shows the results.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var headerInput = document.querySelector("[data-search-input]");
  var MAX_RESULTS = 50;
  var loaded = null;

  function load() {
    if (!loaded) {
      loaded = Promise.all([fetchJson(form.dataset.index), fetchJson(form.dataset.documents)])
        .then(function (parts) {
          return { index: lunr.Index.load(parts[0]), documents: parts[1] };
        });
    }
    return loaded;
  }

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  function fromBase36(ref) { return parseInt(ref, 36); }

  function say(text) { status.textContent = text; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatDate(iso) {
    var d = new Date(iso + "T00:00:00Z");
    return d.toLocaleDateString(document.documentElement.lang || "en",
      { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  }

  function renderResult(doc) {
    // doc = [title, path, first-seen ISO date, [topic names], snippet]
    var item = el("li", "paper-card");
    var heading = el("h2", "paper-title");
    var link = el("a", null, doc[0]);
    link.href = form.dataset.root + doc[1];  // doc[1] is a path from the site root; root is "../" here
    heading.appendChild(link);
    item.appendChild(heading);
    item.appendChild(el("p", "paper-snippet", doc[4]));
    var meta = el("p", "paper-meta");
    var seen = el("span", null, "First seen ");
    var time = el("time", null, formatDate(doc[2]));
    time.setAttribute("datetime", doc[2]);
    seen.appendChild(time);
    meta.appendChild(seen);
    if (doc[3].length) meta.appendChild(el("span", "topic-list", doc[3].join(" · ")));
    item.appendChild(meta);
    return item;
  }

  var latest = 0;  // ticket of the newest search: an older one finishing late must not touch the page

  function run(query) {
    var ticket = ++latest;
    list.textContent = "";
    query = query.trim();
    if (!query) { say("Type a word to search the papers."); return; }
    say("Searching…");
    load().then(function (data) {
      if (ticket === latest) show(data, query);
    }, function (error) {
      if (ticket !== latest) return;
      say(window.location.protocol === "file:"
        ? "Search needs the site to be served over HTTP (for example with `digest serve`); browsers block it on pages opened from disk."
        : "The search index could not be loaded (" + error.message + "). Try reloading the page.");
    });
  }

  function show(data, query) {
    var results;
    try {
      results = data.index.search(query);
    } catch (error) {
      if (!(error instanceof lunr.QueryParseError)) {
        say("Something went wrong with this search (" + error.message + "). Try other words.");
        throw error;
      }
      say("That search could not be understood: " + error.message +
          ". Use plain words, or one of the forms in the examples under the box.");
      return;
    }
    var shown = results.slice(0, MAX_RESULTS);
    var fragment = document.createDocumentFragment();
    shown.forEach(function (result) {
      var doc = data.documents[fromBase36(result.ref)];
      if (doc) fragment.appendChild(renderResult(doc));
    });
    list.textContent = "";
    list.appendChild(fragment);
    if (!results.length) say("No papers match “" + query + "”.");
    else if (results.length > shown.length) say(results.length + " papers match “" + query + "”; showing the best " + shown.length + ".");
    else say(results.length + (results.length === 1 ? " paper matches" : " papers match") + " “" + query + "”.");
  }

  function queryFromUrl() {
    return new URLSearchParams(window.location.search).get("q") || "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value;
    var url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.pushState({ q: query }, "", url);
    if (headerInput) headerInput.value = query;
    run(query);
  });

  window.addEventListener("popstate", function () {
    input.value = queryFromUrl();
    run(input.value);
  });

  var initial = queryFromUrl();
  input.value = initial;
  if (headerInput) headerInput.value = initial;
  if (initial) run(initial); else { say("Type a word to search the papers."); input.focus(); }
})();
