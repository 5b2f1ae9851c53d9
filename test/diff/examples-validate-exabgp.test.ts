// Every configuration ExaBGP 4.2 ships as an example (Debian's exabgp package, /usr/share/doc/exabgp/examples) goes
// through ExaBGP's own check (`exabgp -t FILE`, exit 0 when it accepts the file) and through the real
// `tsbgp validate` with tsbgp.flowspec.guard=warn, the setting an operator migrating an ExaBGP configuration starts
// with (docs/FLOWSPEC.md). Each file ExaBGP accepts is accepted by tsbgp, except the pinned ones below, each
// refused for a stated reason outside the FlowSpec guard and with that reason in the message. With the default
// guard (refuse), the two FlowSpec examples are refused only for what the guard stands for, each rule named.
// The exabgp.env shipped next to them loads with its values. Skipped when exabgp 4.2 or its examples are not
// installed (a failure under CI, test/support/programs.ts).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { loadEnv } from '../../src/config/env';
import {
  exabgpVerdicts,
  type Pin,
  type ValidateVerdict,
  tsbgpValidate as validateFiles,
  verdictProblems,
} from '../support/exabgp-check';
import { skipReason } from '../support/programs';

const EXAMPLES = '/usr/share/doc/exabgp/examples';
const files = fs.existsSync(EXAMPLES)
  ? fs
      .readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.conf'))
      .sort()
  : [];

/**
 * Examples ExaBGP accepts that tsbgp refuses, each for a reason outside the FlowSpec guard, with the text its
 * message must give (at file:line:col).
 */
const PINNED: Record<string, Pin> = {
  'conf-split.conf': {
    reason: /section 'neighbor 127\.0\.0\.1' is not closed/,
    why: "its last '}' is missing: ExaBGP reads to the end of the file, tsbgp refuses an unclosed section",
  },
};

/** `tsbgp validate` over every example at once. */
function tsbgpValidate(guard: string): Promise<Map<string, ValidateVerdict>> {
  return validateFiles(files, EXAMPLES, guard);
}

test('every ExaBGP example that ExaBGP accepts validates under tsbgp with tsbgp.flowspec.guard=warn', {
  skip: skipReason('exabgp', 'exabgp-examples'),
  timeout: 300_000,
}, async () => {
  assert.ok(files.length >= 60, `${files.length} examples`);
  const accepted = await exabgpVerdicts(files, EXAMPLES);
  const tsbgp = await tsbgpValidate('warn');
  const problems: string[] = [];
  for (const f of files) {
    const v = tsbgp.get(f)!;
    const pin = PINNED[f];
    if (!accepted.get(f)) {
      assert.equal(pin, undefined, `${f}: pinned, but ExaBGP refuses it`);
      continue;
    }
    problems.push(...verdictProblems(f, v, pin));
    if (pin) continue;
    // Under warn, nothing of the guard is an error.
    for (const m of v.messages) if (/: error: flow route/.test(m)) problems.push(`${f}: ${m}`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(
    files.filter((f) => !accepted.get(f)),
    [],
    'ExaBGP 4.2 accepts every example it ships',
  );
});

test('with the default guard, the FlowSpec examples are refused only for what the guard stands for', {
  skip: skipReason('exabgp-examples'),
  timeout: 120_000,
}, async () => {
  const tsbgp = await tsbgpValidate('refuse');
  const flowExamples = ['conf-flow.conf', 'conf-flow-redirect.conf'];
  for (const f of files) {
    if (flowExamples.includes(f) || PINNED[f]) continue;
    assert.ok(tsbgp.get(f)!.ok, `${f}: ${tsbgp.get(f)!.messages.join(' | ')}`);
  }
  // Rules with no destination (source-only, packet-length-only): a blocking one among them also matches TCP port
  // 179 to the neighbor 127.0.0.1, since it matches every destination. An IPv6 traffic class beyond DSCP's 6 bits
  // (RFC 8956 §3.7: type 11 is DSCP), ICMP components next to protocol [ tcp udp ]. The rules at 10.0.0.0/8 and
  // 192.168.0.0/16 hosts pass whatever their ports and actions.
  const reasons = (f: string): string[] =>
    tsbgp
      .get(f)!
      .messages.filter((m) => /: error: flow route /.test(m))
      .map((m) => /flow route (\S+): refused: (.*?)(?: \(to send it anyway.*)?$/.exec(m)!.slice(1, 3).join(': '));
  const bgp = (name: string, action: string): string =>
    `${name}: ${action} would apply to TCP port 179 to or from a protected address (BGP sessions): narrow the destination, restrict the protocol, or exclude the port (destination-port !=179 and source-port !=179)`;
  assert.deepEqual(reasons('conf-flow.conf'), [
    'first-vpn-route: the rule has no destination prefix, so it matches traffic to every address',
    bgp('first-vpn-route', 'discard'),
    'another: the rule has no destination prefix, so it matches traffic to every address',
    bgp('another', 'rate-limit'),
    'legal-intercept: the rule has no destination prefix, so it matches traffic to every address',
    'a-vpn-route: the rule has no destination prefix, so it matches traffic to every address',
    bgp('a-vpn-route', 'redirect-to-nexthop'),
    'set-dscp: the rule has no destination prefix, so it matches traffic to every address',
    'take-action: the rule has no destination prefix, so it matches traffic to every address',
    'ipv6: traffic-class can never be true (no value in 0-63 satisfies it)',
  ]);
  assert.deepEqual(reasons('conf-flow-redirect.conf'), [
    'optional-name-of-the-route: icmp-type/icmp-code only match ICMP, but protocol excludes 1',
  ]);
});

test('the exabgp.env shipped with the examples loads with its values', { skip: skipReason('exabgp-examples') }, () => {
  const e = loadEnv({ file: `${EXAMPLES}/exabgp.env`, env: {} });
  assert.equal(e.tcp.port, 179);
  assert.equal(e.bgp.openwait, 60);
  assert.equal(e.daemon.umask, 0o137);
  assert.equal(e.daemon.user, 'nobody');
});
