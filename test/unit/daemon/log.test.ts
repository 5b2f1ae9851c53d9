// Log lines are bounded and carry no raw control bytes: whatever a peer or a program sends ends up as one
// readable line of at most MAX_LOG_LINE characters after the time and level.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundLine, Logger, MAX_LOG_LINE } from '../../../src/daemon/log';

/** A logger writing into an array. */
function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger({ write: (l) => void lines.push(l) }, 'debug'), lines };
}

test('a 10 MB message becomes one bounded line that says how much was cut', () => {
  const { log, lines } = capture();
  const huge = 'x'.repeat(10 * 1024 * 1024);
  log.error(`command refused: ${huge}`, { process: 'p' });
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  assert.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1);
  assert.ok(line.length < MAX_LOG_LINE + 100, `line of ${line.length}`);
  const m = line.match(/\.\.\. \((\d+) bytes cut\)\n$/);
  assert.ok(m, line.slice(-80));
  // Everything is accounted for: what was kept plus what was cut is the original.
  const kept = line.slice(line.indexOf(' process=p'), line.lastIndexOf('... ('));
  assert.equal(kept.length + Number(m[1]), ' process=p command refused: '.length + huge.length);
});

test('ESC, NUL, CR, LF, DEL, C1 and U+2028 are escaped, other text is unchanged', () => {
  const { log, lines } = capture();
  log.warning('a\x1b[31mred\x00b\r\nc\x7fd\x85e\u2028f é ✓ 😀', { peer: 'x\ny' });
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, / peer=x\\x0ay a\\x1b\[31mred\\x00b\\x0d\\x0ac\\x7fd\\x85e\\u2028f é ✓ 😀\n$/);
  assert.doesNotMatch(lines[0]!.slice(0, -1), /[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
});

test('boundLine: short safe text is returned as is; a cut never splits an escape or a surrogate pair', () => {
  assert.equal(boundLine('plain text'), 'plain text');
  assert.equal(boundLine('abcdef', 4), 'abcd... (2 bytes cut)');
  assert.equal(boundLine('ab\x00cd', 4), 'ab... (3 bytes cut)');
  assert.equal(boundLine('abc😀d', 4), 'abc... (5 bytes cut)');
  assert.equal(boundLine('ab😀d', 4), 'ab😀... (1 bytes cut)');
});
