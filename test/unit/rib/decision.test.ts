import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttrInterner } from '../../../src/rib/attr-intern';
import {
  asPathLength,
  type Candidate,
  Decision,
  neighborAs,
  type SourceFacts,
  type SourceKind,
  whyBetter,
} from '../../../src/rib/decision';
import { type Attributes, SegmentType } from '../../../src/wire/types';

const interner = new AttrInterner();
const seq = (...asns: number[]) => ({ type: SegmentType.AS_SEQUENCE, asns });

function src(kind: SourceKind, routerId: number, address: number[] = [192, 0, 2, routerId & 255]): SourceFacts {
  return { kind, routerId, address: Uint8Array.from(address) };
}

function cand(a: Attributes, source: SourceFacts = src('ibgp', 1), pathId = 0): Candidate {
  return { set: interner.intern({ origin: 0, asPath: [seq(65001)], ...a }), source, pathId };
}

/** The index of the best, and the same with the paths in reverse order (it must not depend on the order). */
function pick(cs: Candidate[], always = false): number {
  const d = new Decision({ alwaysCompareMed: always });
  const fwd = d.best(cs.length, (i) => cs[i]!);
  const rev = [...cs].reverse();
  const back = d.best(rev.length, (i) => rev[i]!);
  assert.equal(cs.length - 1 - back, fwd, 'the best does not depend on the order of the paths');
  return fwd;
}

test('no path, one path', () => {
  const d = new Decision();
  assert.equal(
    d.best(0, () => {
      throw new Error('not read');
    }),
    -1,
  );
  assert.equal(pick([cand({})]), 0);
});

test('RFC 4271 §9.1.2.2: highest LOCAL_PREF first, a missing one counting 100', () => {
  const a = cand({ localPref: 90, asPath: [] }, src('ebgp', 1));
  const b = cand({ asPath: [seq(1, 2, 3, 4)] }, src('ibgp', 9));
  assert.equal(pick([a, b]), 1);
  assert.equal(whyBetter(b, a), 'local-pref');
  const c = cand({ localPref: 101, asPath: [seq(1, 2, 3, 4, 5)] }, src('ibgp', 9));
  assert.equal(pick([a, b, c]), 2);
});

test('a path the speaker originates wins right after LOCAL_PREF, before AS_PATH length (as GoBGP and FRR)', () => {
  const local = cand({ asPath: [seq(1, 2, 3)] }, src('local', 1, [192, 0, 2, 50]));
  const learned = cand({ asPath: [] }, src('ebgp', 2));
  assert.equal(pick([local, learned]), 0);
  assert.equal(whyBetter(local, learned), 'local-origin');
  const preferred = cand({ asPath: [seq(1, 2, 3, 4)], localPref: 200 }, src('ibgp', 3));
  assert.equal(pick([local, learned, preferred]), 2);
  assert.equal(whyBetter(preferred, local), 'local-pref');
  // Between two local paths the later steps decide as usual.
  const shorter = cand({ asPath: [seq(1)] }, src('local', 1, [192, 0, 2, 60]));
  assert.equal(pick([local, shorter]), 1);
  assert.equal(whyBetter(shorter, local), 'as-path');
});

test('(a) shortest AS_PATH: an AS_SET counts one, confederation segments none (RFC 5065 §5.3)', () => {
  const set = cand({ asPath: [seq(1), { type: SegmentType.AS_SET, asns: [7, 8, 9] }] });
  const confed = cand({
    asPath: [{ type: SegmentType.AS_CONFED_SEQUENCE, asns: [64512, 64513, 64514] }, seq(1, 2, 3)],
  });
  assert.equal(asPathLength(set.set), 2);
  assert.equal(asPathLength(confed.set), 3);
  assert.equal(pick([confed, set]), 1);
  assert.equal(whyBetter(set, confed), 'as-path');
});

test('(b) lowest ORIGIN: IGP over EGP over INCOMPLETE', () => {
  const inc = cand({ origin: 2 }, src('ibgp', 1));
  const egp = cand({ origin: 1 }, src('ibgp', 2));
  const igp = cand({ origin: 0 }, src('ibgp', 3));
  assert.equal(pick([inc, egp, igp]), 2);
  assert.equal(pick([inc, egp]), 1);
  assert.equal(whyBetter(igp, inc), 'origin');
});

test('(c) MED counts between paths from the same neighbor AS only, a missing MED being 0', () => {
  const a = cand({ med: 50, asPath: [seq(65001, 1)] }, src('ibgp', 1));
  const b = cand({ med: 10, asPath: [seq(65001, 2)] }, src('ibgp', 2));
  assert.equal(pick([a, b]), 1);
  assert.equal(whyBetter(b, a), 'med');
  // Different neighbor AS: MED is not looked at, the router id decides.
  const c = cand({ med: 50, asPath: [seq(65001, 1)] }, src('ibgp', 1));
  const d = cand({ med: 10, asPath: [seq(65002, 2)] }, src('ibgp', 2));
  assert.equal(pick([c, d]), 0);
  assert.equal(whyBetter(c, d), 'router-id');
  // Missing MED is the lowest.
  const e = cand({ asPath: [seq(65001, 3)] }, src('ibgp', 5));
  assert.equal(pick([a, e]), 1);
  // Neighbor AS skips confederation segments.
  const f = cand({ asPath: [{ type: SegmentType.AS_CONFED_SEQUENCE, asns: [64512] }, seq(65001, 9)] });
  assert.equal(neighborAs(f.set), 65001);
  assert.equal(neighborAs(cand({ asPath: [] }).set), -1);
});

test('(c) always-compare-med compares MED across neighbor ASes', () => {
  const c = cand({ med: 50, asPath: [seq(65001, 1)] }, src('ibgp', 1));
  const d = cand({ med: 10, asPath: [seq(65002, 2)] }, src('ibgp', 2));
  assert.equal(pick([c, d], true), 1);
  assert.equal(whyBetter(d, c, { alwaysCompareMed: true }), 'med');
});

test('(c) the MED elimination is the RFC one, not pairwise: the result does not depend on arrival order', () => {
  // A (AS 1, med 10) beats B (AS 1, med 20) on MED; B beats C (AS 2) on router id; C beats A on router id.
  // Pairwise comparison would cycle; the elimination drops B first, then C wins over A on router id.
  const A = cand({ med: 10, asPath: [seq(1)] }, src('ibgp', 3));
  const B = cand({ med: 20, asPath: [seq(1)] }, src('ibgp', 1));
  const C = cand({ asPath: [seq(2)] }, src('ibgp', 2));
  assert.equal(pick([A, B, C]), 2);
  assert.equal(pick([B, C, A]), 1);
  assert.equal(pick([C, A, B]), 0);
});

test('(d) eBGP over confederation eBGP over iBGP', () => {
  const i = cand({}, src('ibgp', 1));
  const c = cand({}, src('confed', 2));
  const e = cand({}, src('ebgp', 3));
  assert.equal(pick([i, c, e]), 2);
  assert.equal(pick([i, c]), 1);
  assert.equal(whyBetter(e, i), 'ebgp-over-ibgp');
});

test('(f) lowest BGP identifier, the ORIGINATOR_ID standing in for it on reflected paths (RFC 4456 §9)', () => {
  const a = cand({}, src('ibgp', 0x0a000005));
  const b = cand({}, src('ibgp', 0x0a000002));
  assert.equal(pick([a, b]), 1);
  assert.equal(whyBetter(b, a), 'router-id');
  // Reflected by 10.0.0.1 but originated by 10.0.0.9: counts as 10.0.0.9, behind 10.0.0.5.
  const r = cand(
    { originatorId: Uint8Array.of(10, 0, 0, 9), clusterList: [Uint8Array.of(1, 1, 1, 1)] },
    src('ibgp', 0x0a000001),
  );
  assert.equal(pick([a, r]), 0);
  assert.equal(whyBetter(a, r), 'router-id');
});

test('(f) shortest CLUSTER_LIST (RFC 4456 §9)', () => {
  const oid = Uint8Array.of(10, 0, 0, 9);
  const two = cand(
    { originatorId: oid, clusterList: [Uint8Array.of(1, 1, 1, 1), Uint8Array.of(2, 2, 2, 2)] },
    src('ibgp', 1),
  );
  const one = cand({ originatorId: oid, clusterList: [Uint8Array.of(3, 3, 3, 3)] }, src('ibgp', 2));
  assert.equal(pick([two, one]), 1);
  assert.equal(whyBetter(one, two), 'cluster-list');
});

test('(g) lowest peer address, then lowest path identifier', () => {
  const a = cand({}, src('ibgp', 7, [192, 0, 2, 20]));
  const b = cand({}, src('ibgp', 7, [192, 0, 2, 10]));
  assert.equal(pick([a, b]), 1);
  assert.equal(whyBetter(b, a), 'peer-address');
  const p1 = cand({ med: 1 }, src('ibgp', 7, [192, 0, 2, 10]), 5);
  const p2 = cand({ med: 1 }, src('ibgp', 7, [192, 0, 2, 10]), 3);
  assert.equal(pick([p1, p2]), 1);
  assert.equal(whyBetter(p2, p1), 'path-id');
});

test('the decision reads paths through one refilled object', () => {
  const cs = [cand({}, src('ibgp', 9)), cand({}, src('ibgp', 3)), cand({}, src('ibgp', 4))];
  const shared: Candidate = { ...cs[0]! };
  const d = new Decision();
  const i = d.best(cs.length, (k) => Object.assign(shared, cs[k]!));
  assert.equal(i, 1);
});
