// The decode-only families and attributes (BGP-LS, RT constraint, MVPN, MUP, SR Policy, PMSI tunnel) whatever a
// peer sends: the UPDATEs of test/support/family-vectors.ts, mutated byte by byte, either fail to decode with a
// DecodeError or give an update event that JSON.parse reads. Their renderers walk peer-controlled TLVs, so this
// is what keeps a malformed one from breaking the line a process reads. Seeded: a failure reproduces.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder, type NeighborContext } from '../../../src/api/json';
import { DecodeError } from '../../../src/wire/errors';
import { defaultContext } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import {
  ATTRIBUTE_CASES,
  BGPLS_CASES,
  MUP_CASES,
  MVPN_CASES,
  RTC_CASES,
  SR_POLICY_CASES,
} from '../../support/family-vectors';
import { mutate, rng } from '../../support/fuzz';

const N: NeighborContext = { localAddress: '127.0.0.2', peerAddress: '127.0.0.1', localAs: 65001, peerAs: 65002 };

test('mutated BGP-LS, RTC, MVPN, MUP, SR Policy and PMSI UPDATEs give valid JSON or a DecodeError', () => {
  const seeds = [BGPLS_CASES, RTC_CASES, MVPN_CASES, MUP_CASES, SR_POLICY_CASES, ATTRIBUTE_CASES]
    .flatMap((c) => Object.values(c))
    .map((hex) => Uint8Array.from(Buffer.from(hex, 'hex').subarray(19)));
  const enc = new JsonEncoder({ host: 'h', pid: 1, ppid: 1, now: () => 1 });
  const ctx = { ...defaultContext(), asn4: true };
  const r = rng(12);
  let decoded = 0;
  for (let i = 0; i < 6000; i++) {
    const body = i < seeds.length ? seeds[i]! : mutate(seeds[i % seeds.length]!, r);
    let line: string;
    try {
      line = enc.update(N, 'receive', decodeUpdate(body, ctx));
    } catch (e) {
      assert.ok(e instanceof DecodeError, `not a DecodeError for ${Buffer.from(body).toString('hex')}: ${String(e)}`);
      continue;
    }
    decoded++;
    assert.doesNotThrow(() => JSON.parse(line), `not JSON for ${Buffer.from(body).toString('hex')}:\n${line}`);
  }
  assert.ok(decoded > 1000, `only ${decoded} of the mutations decoded`);
});
