// Every figure in bench/RESULTS.md's notes and README.md's performance section is written by the benchmark code from
// the data RESULTS.md carries: a hand-edited figure, or a change to the data not rendered again, fails here.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadPrevious } from '../../../bench/run';
import { notes, README_BEGIN, README_END, readmePerformance } from '../../../bench/summary';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

test("README's performance section is what bench/summary.ts writes from the stored results", () => {
  const data = loadPrevious();
  assert.ok(data, 'bench/RESULTS.md carries its data');
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(README_BEGIN) + README_BEGIN.length + 1, readme.indexOf(README_END));
  assert.equal(section, `${readmePerformance(data).join('\n')}\n`, 'run `npm run bench -- --render`');
});

test("RESULTS.md's notes are what bench/summary.ts writes from the stored results", () => {
  const data = loadPrevious()!;
  const md = fs.readFileSync(path.join(REPO, 'bench', 'RESULTS.md'), 'utf8');
  assert.ok(md.includes(`\n${notes(data).join('\n')}\n`), 'run `npm run bench -- --render`');
});
