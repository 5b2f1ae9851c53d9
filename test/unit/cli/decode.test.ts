import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHex, run, splitMessages } from '../../../src/cli/decode';
import { capture as captureRun } from '../../support/capture';

const MARKER = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
const EOR_BODY = '00000000';

const capture = (args: string[]): ReturnType<typeof captureRun> => captureRun(run, args);

test('hex input: separators ignored, bad hex refused', () => {
  assert.deepEqual([...parseHex('00:1E 02')], [0, 0x1e, 2]);
  assert.throws(() => parseHex('0G'));
  assert.throws(() => parseHex('123'));
});

test('full messages, marker-less message, bare UPDATE body', () => {
  const two = parseHex(`${MARKER}001702${EOR_BODY}${MARKER}001304`);
  assert.deepEqual(
    splitMessages(two).map((m) => [m.type, m.body.length]),
    [
      [2, 4],
      [4, 0],
    ],
  );
  assert.deepEqual(
    splitMessages(parseHex(`001702${EOR_BODY}`)).map((m) => [m.type, m.body.length]),
    [[2, 4]],
  );
  assert.deepEqual(
    splitMessages(parseHex(EOR_BODY)).map((m) => [m.type, m.body.length]),
    [[2, 4]],
  );
  assert.throws(() => splitMessages(parseHex(`${MARKER}00FF02${EOR_BODY}`)));
});

test('tsbgp decode prints one ExaBGP JSON object per message', async () => {
  const r = await capture([`${MARKER}001702${EOR_BODY}`, '--peer-as', '65002']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]!);
  assert.equal(j.exabgp, '4.0.1');
  assert.equal(j.type, 'update');
  assert.equal(j.neighbor.asn.peer, 65002);
  assert.equal(j.neighbor.direction, 'in');
  assert.deepEqual(j.neighbor.message, { eor: { afi: 'ipv4', safi: 'unicast' } });
  // an announcement, in text form
  const body = '0000' + '0014' + '400101004002060201' + '0000FDE8' + '40030401020304' + '180A0000';
  const t = await capture(['--text', body]);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /update announced 10\.0\.0\.0\/24 next-hop 1\.2\.3\.4 origin igp as-path \[ 65000 \]/);
});

test('errors: exit code 1 and a message, options checked', async () => {
  const r = await capture(['0000FFFF']);
  assert.equal(r.code, 1);
  assert.match(r.err, /tsbgp decode:/);
  assert.equal((await capture(['--bogus'])).code, 2);
  assert.equal((await capture(['--family', 'ipv9 nothing', 'FF'])).code, 2);
  // a family that was not allowed
  const mp = '0000' + '000E' + '800F0B00020100' + '30' + '20010DB80002';
  const f = await capture(['--family', 'ipv4 unicast', mp]);
  assert.equal(f.code, 1);
  assert.match(f.err, /non-negotiated family ipv6 unicast/);
});
