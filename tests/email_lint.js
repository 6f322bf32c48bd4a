#!/usr/bin/env node
// Lint an email's HTML against caniemail.com support data (npm @jsx-email/doiuse-email).
// Usage: node tests/email_lint.js FILE.html [CLIENT_GLOB ...]
// Prints JSON {success, errors, warnings} on stdout. Exit 0 = ran (success or not); 1 = usage/IO error.
// The library misses CSS functions such as var(--x) (see /work/shared/notes/TOOLING.md), so the
// Python test checks those itself.
'use strict';
const fs = require('fs');
const { doIUseEmail } = require('@jsx-email/doiuse-email');

const [file, ...globs] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tests/email_lint.js FILE.html [CLIENT_GLOB ...]');
  process.exit(1);
}
const clients = globs.length ? globs : ['gmail.*', 'outlook.*', 'apple-mail.*'];
const result = doIUseEmail(fs.readFileSync(file, 'utf8'), { emailClients: clients });
process.stdout.write(JSON.stringify({
  success: result.success,
  errors: result.errors || [],
  warnings: result.warnings || [],
}, null, 1) + '\n');
