// The search engine (search-index.js with lunr.js) in a Web Worker, so that assembling the
// index and scoring thousands of papers never blocks the page. search.js sends
// {id, query, start, size} and gets {id, value: {total, all, words, close, docs}} (the counts
// and only the documents it shows, however many papers match; see Engine.page) or {id, error} back. The first message, {type: "start"}, names the scripts
// and the manifest by absolute URL (their names carry content hashes, which only the page knows)
// and hands over the manifest the page has already fetched (its preload), so it is not fetched twice.
/* global importScripts, PaperSearch, lunr */
"use strict";
var engine = null;

function fetchJson(url) {
  return fetch(url).then(function (response) {
    if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
    return response.json();
  });
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "start") {
    importScripts(message.lunr, message.engine);
    engine = new PaperSearch.Engine(message.manifest, fetchJson, message.manifestData);
    return;
  }
  engine.page(message.query, message.start, message.size).then(function (value) {
    self.postMessage({ id: message.id, value: value });
  }, function (error) {
    self.postMessage({ id: message.id, error: {
      message: String(error && error.message || error), parse: error instanceof lunr.QueryParseError } });
  });
};
