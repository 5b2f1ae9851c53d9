// RFC 5065 confederations between two tsbgp daemons in this process, over loopback: the AS each OPEN carries
// (the session comes up only when it is the one the other side expects), the AS_PATH and attributes each side
// receives, that confederation segments from a member peer are kept rather than treated as malformed, and that a
// reload restarts the session only when the confederation section changed.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import type { Daemon } from '../../../src/daemon/daemon';
import type { AttrSet } from '../../../src/rib/attr-intern';
import { IPV4_UNICAST, SegmentType } from '../../../src/wire/types';
import { waitFor } from '../../interop/peers/common';
import { startPair } from './pair';

const CSEQ = SegmentType.AS_CONFED_SEQUENCE;
const SEQ = SegmentType.AS_SEQUENCE;

/** The path a daemon's only neighbor sent for 10.0.N.0/24 (undefined until it came). */
function heard(d: Daemon, n: number): AttrSet | undefined {
  return d.neighbors[0]!.ribIn!.paths(IPV4_UNICAST, 24, Uint8Array.of(10, 0, n, 0))[0]?.attributes;
}

async function held(d: Daemon, n: number): Promise<AttrSet> {
  await waitFor(() => heard(d, n) !== undefined, 10_000, `10.0.${n}.0/24 received`);
  return heard(d, n)!;
}

test('two member ASes of one confederation: OPENs carry the member ASes, paths get AS_CONFED_SEQUENCE, LOCAL_PREF kept', async () => {
  const confed = 'confederation { identifier 65000; members [ 65001 65002 ]; }\n';
  const p = await startPair(
    'confed-member',
    [
      'route 10.0.1.0/24 next-hop 192.0.2.9 local-preference 300 med 5',
      'route 10.0.2.0/24 next-hop 192.0.2.9 as-path [ 64500 ]',
    ],
    () => confed,
    { extraB: confed, neighborB: ' static { route 10.0.3.0/24 next-hop 192.0.2.8; }\n' },
  );
  try {
    // Each side configured the other's member AS as peer-as: the session is up, so that is what the OPENs held.
    assert.equal(p.b.neighbors[0]!.negotiated!.peerAs, 65001);
    assert.equal(p.a.neighbors[0]!.negotiated!.peerAs, 65002);
    const one = (await held(p.b, 1)).attributes;
    assert.deepEqual(one.asPath, [{ type: CSEQ, asns: [65001] }]);
    assert.equal(one.localPref, 300, 'LOCAL_PREF crosses a member AS boundary (RFC 5065 §5)');
    assert.equal(one.med, 5);
    assert.deepEqual([...one.nextHop!], [192, 0, 2, 9]);
    assert.deepEqual((await held(p.b, 2)).attributes.asPath, [
      { type: CSEQ, asns: [65001] },
      { type: SEQ, asns: [64500] },
    ]);
    // B's route reaches A with B's member AS in a confederation segment, and A keeps it (not treat-as-withdraw).
    const three = (await held(p.a, 3)).attributes;
    assert.deepEqual(three.asPath, [{ type: CSEQ, asns: [65002] }]);
    assert.equal(three.localPref, 100);
    // A reload with the same section keeps the session; a changed section restarts it.
    const file = p.a.opts.configFile!;
    assert.match(await p.a.reload(), /reloaded: 1 neighbor\(s\) kept, 0 added, 0 removed/);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('65001 65002 ]', '65001 65002 65003 ]'));
    assert.match(await p.a.reload(), /reloaded: 0 neighbor\(s\) kept, 1 added, 1 removed/);
  } finally {
    await p.stop();
  }
});

test('a peer outside the confederation: the OPEN and the AS_PATH carry the identifier, no LOCAL_PREF (RFC 5065 §4, §6.1)', async () => {
  const p = await startPair(
    'confed-outside',
    ['route 10.0.1.0/24 next-hop 192.0.2.9 local-preference 300'],
    () => 'confederation { identifier 65000; members [ 65001 65003 ]; }\n',
    // B, in AS 65002, knows A only as the confederation.
    { neighborB: ' peer-as 65000;\n static { route 10.0.3.0/24 next-hop 192.0.2.8; }\n' },
  );
  try {
    assert.equal(p.b.neighbors[0]!.negotiated!.peerAs, 65000);
    const one = (await held(p.b, 1)).attributes;
    assert.deepEqual(one.asPath, [{ type: SEQ, asns: [65000] }]);
    assert.equal(one.localPref, undefined);
    assert.deepEqual((await held(p.a, 3)).attributes.asPath, [{ type: SEQ, asns: [65002] }]);
  } finally {
    await p.stop();
  }
});
