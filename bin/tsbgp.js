#!/usr/bin/env node
'use strict';
// Thin launcher: `npm ci` compiles TypeScript to dist/ (the "prepare" script), so no build step is left to the user.
require('../dist/src/cli/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`tsbgp: ${err?.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );
