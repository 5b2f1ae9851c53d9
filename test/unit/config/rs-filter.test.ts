import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { ConfigError } from '../../../src/config/tokenizer';
import { parsePrefix } from '../../../src/wire/ip';

const nb = (body: string) =>
  `neighbor 127.0.0.2 {\n local-address 127.0.0.1; local-as 64999; peer-as 1001;\n${body}\n}\n`;

test('route-server-client with the default filters, and a filter block with every keyword', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-rsf-'));
  try {
    fs.writeFileSync(path.join(dir, 'pl.json'), '{ "NN": [\n    { "prefix": "11.0.0.0\\/16", "exact": true }\n] }\n');
    fs.writeFileSync(path.join(dir, 'as.json'), '{"NN": [\n  1001\n]}\n');
    const conf = path.join(dir, 'rs.conf');
    const plain = parseConfig(nb(' route-server-client;'), conf).neighbors[0]!;
    assert.equal(plain.routeServerClient, true);
    assert.deepEqual(
      { ...plain.filter },
      {
        v4Lengths: [8, 24],
        v6Lengths: [16, 48],
        maxAsPathLength: 64,
        bogons: true,
        firstAs: true,
        rpki: 'drop',
        blackhole: true,
      },
    );
    const n = parseConfig(
      nb(
        [
          ' route-server-client;',
          ' filter {',
          '  max-prefix 100 teardown 2;',
          '  prefix-length ipv4 8 25;',
          '  prefix-length ipv6 19 48;',
          '  as-path-length 20;',
          '  bogons false;',
          '  first-as false;',
          '  next-hop [ 192.0.2.11 2001:db8::11 ];',
          '  prefix-list pl.json;',
          '  as-set as.json;',
          '  rpki tag;',
          '  blackhole false;',
          ' }',
        ].join('\n'),
      ),
      conf,
    ).neighbors[0]!;
    const f = n.filter!;
    assert.deepEqual(f.maxPrefix, { limit: 100, action: 'teardown', restartMinutes: 2 });
    assert.deepEqual([f.v4Lengths, f.v6Lengths, f.maxAsPathLength], [[8, 25], [19, 48], 20]);
    assert.deepEqual([f.bogons, f.firstAs, f.rpki, f.blackhole], [false, false, 'tag', false]);
    assert.deepEqual(f.nextHops, ['192.0.2.11', '2001:db8::11']);
    const p = parsePrefix('11.0.0.0/16')!;
    assert.equal(f.prefixList!.set.matches(false, p.addr, 0, 16), true);
    assert.deepEqual([...f.asSet!.set], [1001]);
    assert.equal(parseConfig(nb(''), conf).neighbors[0]!.routeServerClient, undefined, 'nothing new without it');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('max-prefix teardown takes fractions of a minute', () => {
  const f = parseConfig(nb(' route-server-client;\n filter { max-prefix 10 teardown 0.05; }'), 'f').neighbors[0]!
    .filter!;
  assert.deepEqual(f.maxPrefix, { limit: 10, action: 'teardown', restartMinutes: 0.05 });
});

test('filter errors carry file:line:col', () => {
  const bad: [string, RegExp][] = [
    [nb(' filter { bogons true; }'), /^f:3:2: .*a filter block needs route-server-client/],
    [nb(' route-server-client;\n filter { max-prefix 10 explode; }'), /^f:4:25: .*'warn', 'refuse' or 'teardown'/],
    [nb(' route-server-client;\n filter { max-prefix 10 teardown 1.; }'), /^f:4:34: .*fractions allowed/],
    [nb(' route-server-client;\n filter { max-prefix 10 teardown 20000; }'), /^f:4:34: .*at most 10080/],
    [nb(' route-server-client;\n filter { prefix-length ipv4 24 8; }'), /^f:4:33: .*at least 24/],
    [nb(' route-server-client;\n filter { prefix-length ipv5 8 24; }'), /^f:4:25: .*'ipv4' or 'ipv6'/],
    [nb(' route-server-client;\n filter { next-hop [ 192.0.2.300 ]; }'), /^f:4:22: .*an IP address/],
    [nb(' route-server-client;\n filter { rpki maybe; }'), /^f:4:16: .*'drop', 'tag' or 'off'/],
    [nb(' route-server-client;\n filter { prefix-list /nonexistent/x.json; }'), /^f:4:23: cannot read .*ENOENT/],
    [nb(' route-server-client;\n filter { colour blue; }'), /^f:4:11: found 'colour'/],
    [
      'neighbor 127.0.0.2 { local-address 127.0.0.1; local-as 1001; peer-as 1001; route-server-client; }',
      /^f:1:76: .*needs an external neighbor/,
    ],
  ];
  for (const [src, re] of bad)
    assert.throws(
      () => parseConfig(src, 'f'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      src,
    );
});
