// Query a built search index with the real lunr.js, the way the search page does.
//
//   node tests/search_query.js SITE_DIR QUERY [QUERY ...]
//
// Loads SITE_DIR/search/index.json with lunr.Index.load (never rebuilding it),
// looks refs up in SITE_DIR/search/documents.json (ref = base-36 position) and
// prints one JSON array with, per query in order, {"query": QUERY, "results": [{ref, score,
// title, path, date, topics}]} or {"query": QUERY, "error": "...", "parseError": true|false}
// (an array, not an object keyed by query, so a query like "__proto__" survives). It exits non-zero
// only when the files cannot be loaded, so a query error is data, not a crash.
"use strict";

const fs = require("fs");
const path = require("path");

const lunr = require(path.join(__dirname, "..", "node_modules", "lunr"));

function loadJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function runQuery(index, documents, query) {
  let results;
  try {
    results = index.search(query);
  } catch (error) {
    return { error: String(error.message || error), parseError: error instanceof lunr.QueryParseError };
  }
  return {
    results: results.map(function (result) {
      const doc = documents[parseInt(result.ref, 36)];
      if (!doc) return { ref: result.ref, score: result.score, missing: true };
      return { ref: result.ref, score: result.score, title: doc[0], path: doc[1], date: doc[2], topics: doc[3] };
    }),
  };
}

function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: node tests/search_query.js SITE_DIR QUERY [QUERY ...]\n");
    return 2;
  }
  const siteDir = argv[0];
  const index = lunr.Index.load(loadJson(path.join(siteDir, "search", "index.json")));
  const documents = loadJson(path.join(siteDir, "search", "documents.json"));
  const output = argv.slice(1).map(function (query) {
    return Object.assign({ query: query }, runQuery(index, documents, query));
  });
  process.stdout.write(JSON.stringify(output) + "\n");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
