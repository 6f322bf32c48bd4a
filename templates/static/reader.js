// The reader's own digest, kept in this browser (localStorage) and never sent anywhere: stars (/saved/), follows
// (topics, organizations, authors, searches; "New for you" on the home page, for-you.js) and the last visit (papers
// new since then are marked). Every control is added here, only when storage works: without JavaScript or storage
// the pages are as they were built. for-you.js and saved.js use window.PaperReader.
(function () {
  "use strict";
  var script = document.currentScript;
  var KEY = "paper-digest:" + new URL(script.dataset.root || "./", document.baseURI).pathname;
  var VISIT_GAP = 30 * 60 * 1000;  // a visit ends after half an hour without a page of the site

  function storage() {
    try {
      var store = window.localStorage, probe = KEY + ":probe";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (error) {
      return null;  // disabled, blocked or full: no controls
    }
  }

  var store = storage();
  if (!store) return;

  function empty() { return { version: 1, stars: [], follows: [], visit: null }; }

  function load() {
    try {
      var state = JSON.parse(store.getItem(KEY) || "null");
      return state && state.version === 1 ? state : empty();
    } catch (error) {
      return empty();
    }
  }

  // False when the browser refuses (storage full): the caller leaves the control as it was and says so.
  function save(state) {
    try {
      store.setItem(KEY, JSON.stringify(state));
      return true;
    } catch (error) {
      return false;
    }
  }

  // A day ('2025-10-08') as the cards write it, in the page's language.
  function formatDate(iso) {
    return new Date(iso + "T00:00:00Z").toLocaleDateString(document.documentElement.lang || "en",
      { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  }

  // "First seen <time>" of a card the scripts draw, as templates/partials/cards.html writes it.
  function firstSeen(iso) {
    var seen = el("span", null, "First seen ");
    var time = el("time", null, formatDate(iso));
    time.setAttribute("datetime", iso);
    seen.appendChild(time);
    return seen;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var live = el("p", "visually-hidden");
  live.setAttribute("role", "status");
  document.body.appendChild(live);
  function announce(text) { live.textContent = text; }

  function readPaper(node) {
    try {
      var paper = JSON.parse(node.dataset.star);
      return paper && typeof paper.t === "string" && typeof paper.u === "string" ? paper : null;
    } catch (error) {
      return null;
    }
  }

  function isStarred(url) {
    return load().stars.some(function (star) { return star.u === url; });
  }

  // A toggle button: aria-pressed says whether the paper is saved; the star's shape (☆, ★) shows it too.
  // `withText`: "Save" shown beside the star (a paper's page), else the star alone (a card). `saved` (optional): the
  // URLs of the saved papers, read once for a page of cards.
  function starButton(paper, withText, saved) {
    var button = el("button", "star-button");
    button.type = "button";
    var icon = el("span", "star-icon");
    icon.setAttribute("aria-hidden", "true");
    button.appendChild(icon);
    if (withText) button.appendChild(el("span", "star-text", "Save"));
    button.appendChild(el("span", "visually-hidden", (withText ? " " : "Save ") + paper.t));
    function show(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      icon.textContent = on ? "★" : "☆";
      button.title = on ? "Saved to your reading list: click to remove" : "Save to your reading list";
    }
    show(saved ? saved.indexOf(paper.u) !== -1 : isStarred(paper.u));
    button.addEventListener("click", function () {
      var state = load(), on = !isStarred(paper.u);
      state.stars = state.stars.filter(function (star) { return star.u !== paper.u; });
      if (on) state.stars.unshift(Object.assign({}, paper, { s: new Date().toISOString().slice(0, 10) }));
      if (!save(state)) { announce("Your browser's storage is full: nothing was changed."); return; }
      show(on);
      announce(on ? "Saved to your reading list." : "Removed from your reading list.");
      button.dispatchEvent(new CustomEvent("starred", { bubbles: true, detail: { url: paper.u, on: on } }));
    });
    return button;
  }

  function isFollowed(kind, key) {
    return load().follows.some(function (follow) { return follow.kind === kind && follow.key === key; });
  }

  var NOUNS = { topic: "topic", org: "organization", author: "author", search: "search" };

  // A toggle button that follows a topic, an organization, an author or a search.
  function followButton(kind, key, name, label) {
    var button = el("button", "follow-button");
    button.type = "button";
    var check = el("span", "follow-check");
    check.setAttribute("aria-hidden", "true");
    button.appendChild(check);
    button.appendChild(el("span", null, label || "Follow"));
    if (!label) button.appendChild(el("span", "visually-hidden", " the " + NOUNS[kind] + " " + name));
    function show(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      check.textContent = on ? "✓ " : "+ ";
    }
    button.setKey = function (newKey, newName) { key = newKey; name = newName; show(!!key && isFollowed(kind, key)); };
    button.addEventListener("click", function () {
      if (!key) { announce("Search for something first."); return; }
      var state = load(), on = !isFollowed(kind, key);
      state.follows = state.follows.filter(function (follow) { return !(follow.kind === kind && follow.key === key); });
      if (on) state.follows.push({ kind: kind, key: key, name: name });
      if (!save(state)) { announce("Your browser's storage is full: nothing was changed."); return; }
      show(on);
      announce(on ? "Following " + name + ": its new papers open the home page." : "No longer following " + name + ".");
    });
    show(!!key && isFollowed(kind, key));
    return button;
  }

  // The previous visit, for "new since your last visit": a visit is a run of pages with under half an hour between
  // them; `seen` is the newest day whose papers this visit showed (the site's dates, not the reader's clock).
  function visit() {
    var state = load(), now = Date.now(), v = state.visit || { previous: null, seen: null, at: 0 };
    if (now - v.at > VISIT_GAP) v = { previous: v.seen, seen: v.seen, at: now };
    v.at = now;
    return { state: state, visit: v };
  }

  function markNew(cards, previous) {
    var count = 0;
    cards.forEach(function (card) {
      var paper = readPaper(card), title = card.querySelector(".paper-title");
      if (!paper || !previous || paper.d <= previous || !title) return;
      var mark = el("span", "new-mark", "New");
      mark.appendChild(el("span", "visually-hidden", " since your last visit"));
      title.insertBefore(mark, title.firstChild);
      title.insertBefore(document.createTextNode(" "), mark.nextSibling);
      count++;
    });
    return count;
  }

  function init() {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".paper-card[data-star]"));
    var saved = load().stars.map(function (star) { return star.u; });
    cards.forEach(function (card) {
      var paper = readPaper(card);
      if (paper) card.appendChild(starButton(paper, false, saved));
    });
    var article = document.querySelector("article.paper[data-star]");
    if (article) paperPage(article);
    Array.prototype.forEach.call(document.querySelectorAll(".follow-slot[data-follow]"), followSlot);
    var marks = document.querySelector("[data-marks-new]");
    var current = visit();
    if (marks) markNew(cards, current.visit.previous);
    cards.forEach(function (card) {
      var paper = readPaper(card);
      if (marks && paper && (!current.visit.seen || paper.d > current.visit.seen)) current.visit.seen = paper.d;
    });
    current.state.visit = current.visit;
    save(current.state);
  }

  // A paper page: its star beside the title, and a menu to follow any of its authors.
  function paperPage(article) {
    var paper = readPaper(article), heading = article.querySelector("h1");
    if (!paper || !heading) return;
    var row = el("div", "reader-row");
    row.appendChild(starButton(paper, true));
    if (paper.a && paper.a.length) {
      var menu = el("details", "follow-authors");
      menu.appendChild(el("summary", null, paper.a.length === 1 ? "Follow the author" : "Follow an author"));
      var list = el("ul", "follow-list");
      paper.a.forEach(function (name) {
        var item = el("li");
        var button = followButton("author", name, name, name);
        button.setAttribute("aria-label", "Follow the author " + name);
        item.appendChild(button);
        list.appendChild(item);
      });
      menu.appendChild(list);
      row.appendChild(menu);
    }
    var slot = article.querySelector(".reader-slot");  // its room kept by the style sheet: nothing moves
    if (slot) slot.appendChild(row); else heading.parentNode.insertBefore(row, heading.nextSibling);
  }

  function followSlot(slot) {
    var kind = slot.dataset.follow;
    if (kind !== "search") {
      slot.appendChild(followButton(kind, slot.dataset.key, slot.dataset.name));
      return;
    }
    var input = document.getElementById("search-query"), form = document.getElementById("search-form");
    if (!input || !form) return;
    var button = followButton("search", "", "", "Follow this search");
    function current() {
      var query = new URLSearchParams(window.location.search).get("q") || input.value;
      query = query.trim().replace(/\s+/g, " ");
      button.setKey(query, "“" + query + "”");
      button.hidden = !query;
    }
    slot.appendChild(button);
    form.addEventListener("submit", function () { setTimeout(current, 0); });
    window.addEventListener("popstate", function () { setTimeout(current, 0); });
    current();
  }

  window.PaperReader = { load: load, save: save, starButton: starButton, el: el, announce: announce,
                         formatDate: formatDate, firstSeen: firstSeen,
                         storageKey: KEY, isStarred: isStarred };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
