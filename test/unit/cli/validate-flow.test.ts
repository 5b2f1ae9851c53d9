// `tsbgp validate` builds every flow route of a configuration and runs the FlowSpec guard on it, as the
// daemon does at start-up: refusals are errors with the route's file:line:col (exit 1), warnings are printed
// and do not fail the check; tsbgp.flowspec.guard=warn (all rules) and allow-unsafe (one rule) turn a refusal into
// a warning, tsbgp.flowspec.guard=off checks nothing.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { run } from '../../../src/cli/validate';
import { flowFindings } from '../../../src/config/flow-check';
import { parseConfig } from '../../../src/config/parser';
import { capture as captureRun } from '../../support/capture';

const capture = (args: string[]): ReturnType<typeof captureRun> => captureRun(run, args);

/** A neighbor with the given flow routes (text of the `flow { }` block body); the first route starts on line 11. */
function config(flows: string, families = 'ipv4 flow;\n    ipv6 flow;'): string {
  return [
    'neighbor 127.0.0.2 {',
    '  router-id 127.0.0.1;',
    '  local-address 127.0.0.1;',
    '  local-as 65001;',
    '  peer-as 65002;',
    '  family {',
    `    ${families}`,
    '  }',
    '  flow {',
    flows,
    '  }',
    '}',
    '',
  ].join('\n');
}

const route = (name: string, match: string, then: string, extra = ''): string =>
  `    route ${name} {\n${extra}      match {\n${match}\n      }\n      then {\n${then}\n      }\n    }`;

const TELNET = route(
  'telnet',
  '        source 198.51.100.7/32;\n        destination 203.0.113.0/24;\n        protocol tcp;\n        destination-port =23;',
  '        discard;',
);
const TELNET6 = route(
  'telnet6',
  '        source 2001:db8:1::7/128;\n        destination 2001:db8:100::/48;\n        next-header tcp;\n        destination-port =23;',
  '        discard;',
);
const WILD = route('wild', '        destination 0.0.0.0/0;\n        protocol tcp;', '        discard;');
// At the neighbor's own address: the range holds 179, so the rule would cut the session it is sent on.
const PORTS = route(
  'ports',
  '        destination 127.0.0.2/32;\n        protocol tcp;\n        destination-port >100&<200;',
  '        discard;',
);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-validate-flow-'));
  dirs.push(dir);
  const f = path.join(dir, 'tsbgp.conf');
  fs.writeFileSync(f, text);
  return f;
}

test('safe IPv4 and IPv6 rules: no findings, exit 0, the summary counts them', async () => {
  const text = config(`${TELNET}\n${TELNET6}`);
  // The sessions are IPv4: the IPv6 rule passes, with one word that no IPv6 address is protected.
  const found = flowFindings(parseConfig(text, 'ok.conf'));
  assert.deepEqual(
    found.map((x) => `${x.severity} ${x.line}`),
    [`warning ${text.split('\n').findIndex((l) => l.includes('route telnet6')) + 1}`],
  );
  assert.match(found[0]!.text, /flow route telnet6: no IPv6 address is protected, .*tsbgp\.flowspec\.protect/);
  const protectedV6 = text.replace('  flow {\n', '  flow {\n    protect [ 2001:db8:ffff::/48 ];\n');
  assert.deepEqual(flowFindings(parseConfig(protectedV6, 'ok.conf')), []);
  const f = tmp(protectedV6);
  const r = await capture([f]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /ok, 1 neighbor, 0 processes, 0 routes, 2 flow routes/);
  assert.equal(r.err, '');
});

test('the 2020 shape (wildcard destination, TCP, discard) is an error at the route, exit 1', async () => {
  const text = config(`${TELNET}\n${WILD}`);
  const found = flowFindings(parseConfig(text, 'bad.conf'));
  const errors = found.filter((x) => x.severity === 'error');
  assert.ok(errors.length >= 2, JSON.stringify(found));
  const line = text.split('\n').findIndex((l) => l.includes('route wild')) + 1;
  for (const e of errors) {
    assert.equal(e.file, 'bad.conf');
    assert.equal(e.line, line);
    assert.equal(e.col, 5);
    assert.match(e.text, new RegExp(`^bad\\.conf:${line}:5: error: flow route wild: refused: `));
  }
  assert.ok(errors.some((e) => /shorter than the limit \/8/.test(e.text)));
  assert.ok(errors.some((e) => /TCP port 179/.test(e.text)));

  const f = tmp(text);
  const r = await capture([f]);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.out, /ok,/);
  assert.match(
    r.err,
    new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:5: error: flow route wild: refused: .*179`),
  );
});

test('a port range containing 179 at the neighbor is refused; at a customer prefix it passes; allow-unsafe warns', async () => {
  const refused = flowFindings(parseConfig(config(PORTS), 'p.conf'));
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.severity, 'error');
  assert.match(refused[0]!.text, /TCP port 179/);
  assert.deepEqual(flowFindings(parseConfig(config(PORTS.replace('127.0.0.2/32', '203.0.113.0/24')), 'c.conf')), []);

  const allowed = route(
    'ports',
    '        destination 127.0.0.2/32;\n        protocol tcp;\n        destination-port >100&<200;',
    '        discard;',
    '      allow-unsafe;\n',
  );
  const f = tmp(config(allowed));
  const r = await capture([f]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /:11:5: warning: flow route ports: .*179.*sent anyway: allow-unsafe/);
  assert.match(r.out, /ok,/);
});

test('tsbgp.flowspec.guard from the environment: warn validates with warnings, off with none', async () => {
  const f = tmp(config(`${TELNET}\n${WILD}`));
  const saved = process.env['tsbgp.flowspec.guard'];
  try {
    process.env['tsbgp.flowspec.guard'] = 'warn';
    let r = await capture([f]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: flow route wild: .*179.*\(sent anyway: tsbgp\.flowspec\.guard=warn\)/);
    assert.match(r.out, /ok, 1 neighbor, 0 processes, 0 routes, 2 flow routes/);
    process.env['tsbgp.flowspec.guard'] = 'off';
    r = await capture([f]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
  } finally {
    if (saved === undefined) delete process.env['tsbgp.flowspec.guard'];
    else process.env['tsbgp.flowspec.guard'] = saved;
  }
});

test('guard warnings (low rate) are printed but do not fail', async () => {
  const low = route('low', '        destination 203.0.113.0/24;\n        protocol udp;', '        rate-limit 100;');
  const f = tmp(config(low));
  const r = await capture([f]);
  assert.equal(r.code, 0);
  assert.match(r.err, /:11:5: warning: flow route low: rate-limit 100 bytes\/s is below 9600/);
});

test('a flow syntax error is reported at its own statement', async () => {
  const bad = route(
    'typo',
    '        destination 203.0.113.0/24;\n        destination-port =99999;',
    '        discard;',
  );
  const text = config(bad);
  const found = flowFindings(parseConfig(text, 't.conf'));
  assert.equal(found.length, 1);
  const line = text.split('\n').findIndex((l) => l.includes('99999')) + 1;
  assert.equal(found[0]!.severity, 'error');
  assert.equal(found[0]!.line, line);
  assert.match(found[0]!.text, /out of range/);
  const r = await capture([tmp(text)]);
  assert.equal(r.code, 1);
});

test('guard limits are options: a /16 passes the default, fails with minPrefixV4 24', () => {
  const r16 = route(
    'wide',
    '        destination 10.1.0.0/16;\n        protocol udp;\n        destination-port =53;',
    '        discard;',
  );
  const c = parseConfig(config(r16), 'w.conf');
  assert.deepEqual(flowFindings(c), []);
  const strict = flowFindings(c, { minPrefixV4: 24 });
  assert.equal(strict.length, 1);
  assert.match(strict[0]!.text, /shorter than the limit \/24/);
});
