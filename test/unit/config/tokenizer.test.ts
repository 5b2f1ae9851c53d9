import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, tokenize } from '../../../src/config/tokenizer';

test('words, punctuation, quotes, comments and positions', () => {
  const t = tokenize('neighbor 10.0.0.1 { # comment ; {\n  description "a { b";\n  as-path [1 (2 3)];\n}', 'f.conf');
  assert.deepEqual(
    t.map((x) => x.text),
    ['neighbor', '10.0.0.1', '{', 'description', 'a { b', ';', 'as-path', '[', '1', '(', '2', '3', ')', ']', ';', '}'],
  );
  assert.equal(t[3].line, 2);
  assert.equal(t[3].col, 3);
  assert.equal(t[4].quoted, true);
  assert.equal(t[4].punct, false);
  assert.equal(t[7].col, 11);
  assert.equal(t[0].file, 'f.conf');
});

test('backslash continuation, escapes and single quotes', () => {
  const t = tokenize("route 1.0.0.0/8 \\\n next-hop 'x\\'y';");
  assert.deepEqual(
    t.map((x) => x.text),
    ['route', '1.0.0.0/8', 'next-hop', "x'y", ';'],
  );
  assert.equal(t[2].line, 2);
});

test('unterminated quote is an error with a position', () => {
  assert.throws(
    () => tokenize('a\n  "oops', 'x.conf'),
    (e: unknown) => e instanceof ConfigError && /^x\.conf:2:3: /.test(e.message),
  );
});

// Speed is measured by bench/ (the config scenario), not asserted here: a loaded runner would make it flaky.
test('2 MB of configuration tokenizes into every token, the last one on the last line', () => {
  const line = 'route 10.0.0.0/24 next-hop 192.0.2.1 community [ 1:1 2:2 ];\n';
  const lines = Math.ceil(2e6 / line.length);
  const t = tokenize(line.repeat(lines));
  assert.equal(t.length, lines * 10);
  assert.equal(t[t.length - 1]!.line, lines);
});
