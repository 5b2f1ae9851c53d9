import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { ConfigError } from '../../../src/config/tokenizer';

test('rpki section: caches with port and preference, defaults, timers', () => {
  const c = parseConfig(
    [
      'rpki {',
      '  cache 192.0.2.5 port 8323 preference 1;',
      '  cache 2001:db8::5;',
      '  refresh 60; retry 30; expire 900;',
      '}',
      'neighbor 127.0.0.2 { local-address 127.0.0.1; local-as 1; peer-as 2; }',
    ].join('\n'),
    'f',
  );
  assert.deepEqual(c.rpki, {
    caches: [
      { host: '192.0.2.5', port: 8323, preference: 1, pos: { file: 'f', line: 2, col: 3 } },
      { host: '2001:db8::5', port: 323, preference: 100, pos: { file: 'f', line: 3, col: 3 } },
    ],
    refresh: 60,
    retry: 30,
    expire: 900,
    pos: { file: 'f', line: 1, col: 1 },
  });
  assert.equal(
    parseConfig('neighbor 127.0.0.2 { local-address 127.0.0.1; local-as 1; peer-as 2; }', 'f').rpki,
    undefined,
  );
});

test('rpki section errors carry file:line:col', () => {
  const bad: [string, RegExp][] = [
    ['rpki { }', /^f:1:1: rpki section without a 'cache' line/],
    ['rpki {\n cache nowhere; }', /^f:2:8: .*IP address of an RPKI cache/],
    ['rpki { cache 192.0.2.1 port 0; }', /^f:1:29: .*TCP port/],
    ['rpki { cache 192.0.2.1 port; }', /^f:1:28: .*a value after 'port'/],
    ['rpki { cache 192.0.2.1 weight 3; }', /^f:1:24: .*'port', 'preference'/],
    ['rpki { cache 192.0.2.1 preference 300; }', /^f:1:35: .*at most 255/],
    ['rpki { cache 192.0.2.1; cache 192.0.2.1 port 323; }', /^f:1:31: .*listed twice/],
    ['rpki { cache 192.0.2.1; expire 60; }', /^f:1:32: .*600-172800/],
    ['rpki { cache 192.0.2.1; refresh 100000; }', /^f:1:33: .*at most 86400/],
    ['rpki { cache 192.0.2.1; bogus 1; }', /^f:1:25: found 'bogus'/],
    ['rpki { cache 192.0.2.1; }\nrpki { cache 192.0.2.2; }', /^f:2:1: a second rpki section/],
    ['rpki x { cache 192.0.2.1; }', /^f:1:6: .*rpki takes no name/],
  ];
  for (const [src, re] of bad)
    assert.throws(
      () => parseConfig(src, 'f'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      src,
    );
});
