// /saved/: the papers the reader starred (reader.js keeps them in this browser), downloaded as BibTeX, RIS or
// CSL-JSON made here (references.js: the same records as the site's list files), and the reader's settings (stars,
// follows, last visit) as a JSON file to load in another browser, checked before anything changes.
(function () {
  "use strict";
  var status = document.getElementById("saved-status");
  var reader = window.PaperReader;
  if (!status) return;
  if (!reader) {
    status.textContent = "Your browser does not let this site keep anything (storage is off or full), " +
      "so there is no reading list here. Every paper page has its BibTeX under “Cite and save”.";
    return;
  }
  var el = reader.el;
  var list = document.getElementById("saved-list"), actions = document.getElementById("saved-actions");
  var settingsStatus = document.getElementById("settings-status");
  var root = new URL(document.querySelector("script[data-root]").dataset.root || "./", document.baseURI).href;
  var FORMAT = "paper-digest-reader";

  function pageUrl(paper) { return new URL(paper.u, root).href; }
  function arxivUrl(id) { return "https://arxiv.org/abs/" + id; }

  // The list -------------------------------------------------------------------------------------------------
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
    meta.appendChild(reader.firstSeen(paper.d));
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
  window.PaperReferences.exportButtons(actions, starred, "saved-papers");

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
    window.PaperReferences.download(JSON.stringify(data, null, 1) + "\n", "paper-digest-settings.json", "application/json");
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
