// Bounded mutation fuzz: decodeUpdate must return an Update or throw a DecodeError, and what it returns must be
// safe to walk and re-encode. Deterministic (seeded) so a failure reproduces.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeError } from '../../../src/wire/errors';
import { familyCodec } from '../../../src/wire/nlri/registry';
import { type CodecContext, IPV4_UNICAST, IPV6_UNICAST, type NlriBlock } from '../../../src/wire/types';
import { decodeUpdate, encodeAttributes } from '../../../src/wire/update';
import { corpus, mutate, rng } from '../../support/fuzz';

const MUTATIONS = 20_000;

function walk(block: NlriBlock | undefined): void {
  if (!block) return;
  const codec = familyCodec(block.family);
  if (codec && block.count > 0) assert.equal(codec.items(block).length, block.count);
}

test(`fuzz: ${MUTATIONS} mutations of the vector corpus`, () => {
  const seeds = corpus();
  const r = rng(0x5eed1234);
  const contexts: CodecContext[] = [
    { asn4: true, addPath: new Set(), maxMessage: 4096 },
    { asn4: false, addPath: new Set(), maxMessage: 4096 },
    { asn4: true, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]), maxMessage: 4096 },
  ];
  let ok = 0;
  let errors = 0;
  for (let i = 0; i < MUTATIONS; i++) {
    const input = mutate(seeds[r() % seeds.length]!, r);
    const ctx = contexts[r() % contexts.length]!;
    let u: ReturnType<typeof decodeUpdate> | undefined;
    try {
      u = decodeUpdate(input, ctx);
    } catch (e) {
      if (!(e instanceof DecodeError)) assert.fail(`threw ${String(e)} for ${Buffer.from(input).toString('hex')}`);
      assert.ok(!e.message.startsWith('internal'), `${e.message} for ${Buffer.from(input).toString('hex')}`);
      assert.ok(e.action === 'session-reset' || e.action === 'afisafi-disable');
      errors++;
      continue;
    }
    ok++;
    walk(u.withdrawn);
    walk(u.nlri);
    walk(u.attributes.mpReach?.nlri);
    walk(u.attributes.mpUnreach?.nlri);
    for (const issue of u.issues)
      assert.ok(issue.action === 'treat-as-withdraw' || issue.action === 'attribute-discard');
    encodeAttributes(u.attributes, ctx);
  }
  // Both outcomes must be exercised, or the fuzz is not reaching the parser.
  assert.ok(ok > MUTATIONS / 10 && errors > MUTATIONS / 10, `ok ${ok}, errors ${errors}`);
});
