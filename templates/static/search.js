// The search page: runs the query from ?q= or the form with the engine in
// search-index.js (in a Web Worker when it can) and shows the results, a page of them at a time.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PAGE = 10;
  var engine = null;
  var latest = 0;  // ticket of the newest search: an older one finishing late must not touch the page
  var current = null;  // the search on the page: {query, total, all, words, close, shown, ticket}

  // The engine runs in a Web Worker (search-worker.js) so the page stays responsive however many
  // papers match; where a worker cannot start (an old browser, a page opened from disk), here.
  function getEngine() {
    if (!engine) engine = workerEngine() || pageEngine();
    return engine;
  }

  function absolute(url) { return new URL(url, document.baseURI).href; }

  // Only the worker loads lunr.js and the engine normally; the page loads them when it must run them itself.
  function pageEngine() {
    var ready = loadScript(form.dataset.lunr).then(function () { return loadScript(form.dataset.engine); })
      .then(function () { return new PaperSearch.Engine(form.dataset.manifest, fetchJson); });
    return {
      kind: "page",
      page: function (query, start, size) {
        return ready.then(function (local) { return local.page(query, start, size); });
      }
    };
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function workerEngine() {
    if (typeof Worker !== "function" || !form.dataset.worker) return null;
    var worker;
    try {
      worker = new Worker(form.dataset.worker);
    } catch (error) {
      return null;
    }
    var calls = {}, next = 0, answered = false;
    var replacement = null;  // the page's own engine, once the worker has failed
    var proxy = { kind: "worker" };
    worker.onmessage = function (event) {
      answered = true;
      var call = calls[event.data.id];
      delete calls[event.data.id];
      if (!call) return;
      if (event.data.error) {
        var error = new Error(event.data.error.message);
        error.parse = event.data.error.parse;
        call.reject(error);
      } else {
        call.resolve(event.data.value);
      }
    };
    worker.onerror = function (event) {
      // The worker could not start or load its scripts: run everything asked so far on the page instead
      // (once: a search posted before the failing start was handled may report an error of its own).
      if (answered || replacement) return;
      event.preventDefault();
      worker.terminate();
      var local = pageEngine();
      replacement = engine = local;
      Object.keys(calls).forEach(function (id) {
        var call = calls[id];
        delete calls[id];
        local.page(call.query, call.start, call.size).then(call.resolve, call.reject);
      });
    };
    // The manifest through the page's preload, handed over with the start message (without it, if that fails:
    // the worker then fetches it itself and reports what went wrong).
    var started = fetch(form.dataset.manifest, { mode: "cors", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : undefined; })
      .catch(function () { return undefined; })
      .then(function (manifest) {
        worker.postMessage({ type: "start", lunr: absolute(form.dataset.lunr), engine: absolute(form.dataset.engine),
                             manifest: absolute(form.dataset.manifest), manifestData: manifest });
      });
    proxy.page = function (query, start, size) {
      return started.then(function () {
        if (replacement) return replacement.page(query, start, size);
        return new Promise(function (resolve, reject) {
          var id = ++next;
          calls[id] = { query: query, start: start, size: size, resolve: resolve, reject: reject };
          worker.postMessage({ id: id, query: query, start: start, size: size });
        });
      });
    };
    return proxy;
  }

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

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

  function isWebLink(url) { return typeof url === "string" && /^https?:\/\//i.test(url); }

  // As the site's paper cards show a paper (templates/partials/cards.html): the upvotes in a column of their own,
  // Hugging Face's AI summary labelled as machine-written.
  function renderResult(doc) {
    // doc = [title, path from the site root, first-seen ISO date, [topic names], snippet, code URL or null,
    //        first authors, upvotes or null, whether the snippet is Hugging Face's AI summary]
    var item = el("li", "paper-card");
    var body = el("div", "card-body");
    var heading = el("h2", "paper-title");
    var link = el("a", null, doc[0]);
    link.href = form.dataset.root + doc[1];
    heading.appendChild(link);
    body.appendChild(heading);
    if (doc[6]) body.appendChild(el("p", "paper-authors", doc[6]));
    var snippet = el("p", "paper-snippet");
    if (doc[8]) {
      var label = el("span", "ai-label", "AI summary");
      label.title = "A one-sentence summary written by Hugging Face's AI, not by the authors";
      snippet.appendChild(label);
      snippet.appendChild(document.createTextNode(" "));
    }
    snippet.appendChild(document.createTextNode(doc[4]));
    body.appendChild(snippet);
    var meta = el("p", "paper-meta");
    var seen = el("span", null, "First seen ");
    var time = el("time", null, formatDate(doc[2]));
    time.setAttribute("datetime", doc[2]);
    seen.appendChild(time);
    meta.appendChild(seen);
    if (doc[3].length) meta.appendChild(el("span", "topic-list", doc[3].join(" · ")));
    if (isWebLink(doc[5])) {
      var code = el("a", "code-link", "Code");
      code.href = doc[5];
      code.rel = "noopener";
      meta.appendChild(code);
    }
    body.appendChild(meta);
    item.appendChild(body);
    if (typeof doc[7] === "number") {
      var votes = el("p", "card-votes upvotes");
      votes.appendChild(el("span", "vote-count", String(doc[7])));
      votes.appendChild(document.createTextNode(" "));
      votes.appendChild(el("span", "vote-label", doc[7] === 1 ? "upvote" : "upvotes"));
      item.appendChild(votes);
    }
    return item;
  }

  function failed(error, ticket) {
    if (ticket !== latest) return;
    if (error.parse || (window.lunr && error instanceof lunr.QueryParseError)) {
      say("That search could not be understood: " + error.message +
          ". Use plain words, or one of the forms in the examples under the box.");
    } else if (window.location.protocol === "file:") {
      say("Search needs the site to be served over HTTP (for example with `digest serve`); " +
          "browsers block it on pages opened from disk.");
    } else {
      say("The search index could not be loaded (" + error.message + "). Try reloading the page.");
    }
  }

  function run(query) {
    var ticket = ++latest;
    current = null;
    list.textContent = "";
    more.hidden = true;
    query = query.trim();
    if (!query) { say("Type a word to search the papers."); return; }
    say("Searching…");
    getEngine().page(query, 0, PAGE).then(function (answer) {
      if (ticket !== latest) return;
      form.setAttribute("data-ran-in", engine.kind);  // "worker" or "page": for the tests and the curious
      current = { query: query, total: answer.total, all: answer.all, words: answer.words, close: answer.close,
                  shown: 0, ticket: ticket };
      if (!answer.total) { say("No papers match “" + query + "”."); return; }
      show(current, answer.docs);
    }).catch(function (error) { failed(error, ticket); });
  }

  // The engine keeps the query's results: it sends only the ten documents to add.
  function showMore() {
    var batch = current;
    if (!batch) return;
    more.disabled = true;
    getEngine().page(batch.query, batch.shown, PAGE).then(function (answer) {
      if (batch.ticket === latest) show(batch, answer.docs);
    }).catch(function (error) { failed(error, batch.ticket); });
  }

  function show(batch, docs) {
    var fragment = document.createDocumentFragment();
    docs.forEach(function (doc) { if (doc) fragment.appendChild(renderResult(doc)); });
    list.appendChild(fragment);
    batch.shown += docs.length;
    say(countText(batch) + (batch.shown < batch.total ? "; showing the best " + batch.shown + "." : "."));
    more.hidden = batch.shown >= batch.total;
    more.disabled = false;
  }

  function number(n) {
    return n.toLocaleString(document.documentElement.lang || "en");
  }

  function papers(n, verb) {
    return number(n) + (n === 1 ? " paper " + verb + "es" : " papers " + verb);
  }

  // A count that means something: with two or more words, how many papers match every word (they come first)
  // and how many only some, never "9,283 of 9,877 papers match" for a two-word query.
  function countText(batch) {
    var quoted = "“" + batch.query + "”", total = batch.total, all = batch.all, text;
    var of = batch.close ? "" : " of " + quoted;
    if (batch.words > 1 || all < total) {
      text = (all ? papers(all, "match") : "No paper matches") + " every word" + of;
      if (total > all && all) text += ", " + number(total - all) + " more match some";
      else if (total > all) text += "; " + papers(total - all, "match") + " some";
    } else {
      text = papers(total, "match") + (batch.close ? "" : " " + quoted);
    }
    return batch.close ? "No exact match for " + quoted + "; showing close spellings. " + text : text;
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
    run(query);
  });

  more.addEventListener("click", function () { showMore(); });

  window.addEventListener("popstate", function () {
    input.value = queryFromUrl();
    run(input.value);
  });

  // A query typed before this script ran (or restored by the browser) still runs.
  var initial = queryFromUrl() || input.value;
  input.value = initial;
  if (initial) run(initial); else { say("Type a word to search the papers."); input.focus(); }
})();
