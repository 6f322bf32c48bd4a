// Stem words with the real lunr.js stemmer, for tests/test_stemmer.py.
//
//   node tests/stem_words.js < words.json > stems.json
//
// Reads one JSON array of strings from stdin and prints one JSON array holding, in the same order,
// lunr.stemmer(new lunr.Token(word)).toString() for each. JSON rather than lines, so that words holding
// \r, U+2028, U+2029 or lone surrogates travel unchanged (JSON.stringify escapes lone surrogates).
"use strict";

const fs = require("fs");
const path = require("path");

const lunr = require(path.join(__dirname, "..", "node_modules", "lunr"));

function main() {
  const words = JSON.parse(fs.readFileSync(0, "utf8"));
  if (!Array.isArray(words) || !words.every((word) => typeof word === "string")) {
    process.stderr.write("stem_words.js: stdin must be a JSON array of strings\n");
    return 2;
  }
  const stems = words.map((word) => lunr.stemmer(new lunr.Token(word)).toString());
  process.stdout.write(JSON.stringify(stems) + "\n");
  return 0;
}

process.exitCode = main();
