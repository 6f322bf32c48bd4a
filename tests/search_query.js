// Query a built site's search with the real lunr.js and the site's own engine (search-index.js).
//
//   node tests/search_query.js SITE_DIR [--whole WHOLE_INDEX.json] QUERY [QUERY ...]
//   node tests/search_query.js SITE_DIR [--whole WHOLE_INDEX.json] --stdin   (queries as a JSON array on stdin)
//
// For each query, in order, prints one element of a JSON array:
//   {"query", "results": [{ref, score, title, path, date, topics, code, upvotes, ai}], "all", "words", "close",
//    "files": [shard files loaded],
//    "whole": {results: [{ref, score}], all, words, close} (with --whole: the same search, retry included, with
//    every query run on the single whole index instead of the shards)}
// or {"query", "error", "parseError": true|false}. Results come as the page ranks them (matching every word
// first). Each query starts from a fresh engine, so "files" is what a reader's first search would fetch.
// Exits non-zero only when the site cannot be loaded.
"use strict";

const fs = require("fs");
const path = require("path");

const lunr = require(path.join(__dirname, "..", "node_modules", "lunr"));

function engineFile(siteDir) {
  const assets = fs.readdirSync(path.join(siteDir, "assets"));
  const name = assets.find((file) => /^search-index\.[0-9a-f]+\.js$/.test(file));
  if (!name) throw new Error("no assets/search-index.*.js in " + siteDir);
  return path.join(siteDir, "assets", name);
}

async function runQuery(PaperSearch, siteDir, whole, query) {
  const files = [];
  const fetchJson = (url) => {
    files.push(url);
    return Promise.resolve(JSON.parse(fs.readFileSync(path.join(siteDir, url), "utf8")));
  };
  const engine = new PaperSearch.Engine("search/manifest.json", fetchJson);
  let found;
  try {
    found = await engine.search(query);
  } catch (error) {
    return { error: String(error.message || error), parseError: error instanceof lunr.QueryParseError };
  }
  const results = found.results;
  const docs = await engine.documents(results.map((result) => result.ref));
  const answer = {
    files: files.slice(1),
    all: found.all, words: found.words, close: found.close,
    results: results.map((result, i) => {
      const doc = docs[i];
      if (!doc) return { ref: result.ref, score: result.score, missing: true };
      return { ref: result.ref, score: result.score, title: doc[0], path: doc[1], date: doc[2], topics: doc[3],
               snippet: doc[4], code: doc[5], upvotes: doc[7], ai: doc[8] };
    }),
  };
  if (whole) {
    const local = (url) => Promise.resolve(JSON.parse(fs.readFileSync(path.join(siteDir, url), "utf8")));
    const wholeEngine = new PaperSearch.Engine("search/manifest.json", local);
    const other = await wholeEngine.search(query, () => Promise.resolve(whole));
    answer.whole = { results: other.results.map((r) => ({ ref: r.ref, score: r.score })), all: other.all,
                     words: other.words, close: other.close };
  }
  return answer;
}

async function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: node tests/search_query.js SITE_DIR [--whole FILE] QUERY [QUERY ...]\n");
    return 2;
  }
  const siteDir = argv[0];
  let rest = argv.slice(1);
  let whole = null;
  if (rest[0] === "--whole") {
    whole = lunr.Index.load(JSON.parse(fs.readFileSync(rest[1], "utf8")));
    rest = rest.slice(2);
  }
  const queries = rest[0] === "--stdin" ? JSON.parse(fs.readFileSync(0, "utf8")) : rest;
  const PaperSearch = require(engineFile(siteDir))(lunr);
  const output = [];
  for (const query of queries) output.push(Object.assign({ query: query }, await runQuery(PaperSearch, siteDir, whole, query)));
  process.stdout.write(JSON.stringify(output) + "\n");
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(String(error.stack || error) + "\n");
  process.exitCode = 1;
});
