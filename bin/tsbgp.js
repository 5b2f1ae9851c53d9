#!/usr/bin/env node
'use strict';
// Thin launcher: `npm ci` compiles TypeScript to dist/ (the "prepare" script), and `npm pack` ships dist/, so no
// build step is left to the user. A checkout linked or installed before it was built says so instead of a stack.
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
let cli;
try {
  cli = require(main);
} catch (err) {
  if (err?.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(main)) throw err;
  process.stderr.write(
    `tsbgp: ${main} is missing: run \`npm ci\` (or \`npm run build\`) in ${path.dirname(__dirname)}\n`,
  );
  process.exit(1);
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tsbgp: ${err?.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
