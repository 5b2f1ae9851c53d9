// Conformance with ExaBGP on its own corpus, read at run time from a local ExaBGP repository ($TSBGP_EXABGP_REPO,
// exabgp-corpus.ts: the raw messages of ExaBGP 4.2's functional tests and ExaBGP 5.0's decoding corpus, each with the
// decoding context ExaBGP's configuration for it gives). Each message goes through `exabgp --decode` (ExaBGP 4.2, in
// a configuration with the message's families, ADD-PATH, AS4 and next-hop settings) and `tsbgp decode`; the JSON
// must be the same object with its keys in the same order, apart from when and where it was printed (time, host,
// pid, ppid, counter). `npm run conformance`, not part of `npm test` (docs/CONFORMANCE.md).
//
// Every message that does not come out identical is listed in DIFFERENT with the reason, and the test fails when
// the set of differing messages changes either way: a new difference is a regression, and a message that became
// identical (or left the corpus) must leave the list, so the list is always the true count. ExaBGP's answers are
// cached in dist/.cache (it takes ~0.3 s a message), keyed by ExaBGP's version, the configuration and the message.
// Without the repository or ExaBGP 4.2 the suite fails, saying how to get them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { exabgpVersion, skipReason } from '../support/programs';
import { type CorpusMessage, corpusCommits, exabgpRepo, readCorpus } from './exabgp-corpus';

/** RFC 7752 §3.4 lets the BGP-LS next hop be IPv6; ExaBGP 4.2 wants 4 octets and refuses the UPDATE. */
const BGPLS_V6_NEXT_HOP = 'BGP-LS with an IPv6 next hop: ExaBGP 4.2 refuses it, tsbgp decodes it';
const NO_JSON = 'ExaBGP 4.2 prints no JSON for it (its --decode decodes UPDATEs only)';

/** Messages whose JSON differs from ExaBGP's, and why. */
const DIFFERENT: Record<string, string> = {
  'qa/ci/api-teardown.msg#3': `${NO_JSON}: a NOTIFICATION`,
  'qa/ci/api-teardown.msg#7': `${NO_JSON}: a NOTIFICATION`,
  // NEXT_HOP 255.255.255.255 is no host address (RFC 4271 §6.3): tsbgp treats the route as withdrawn
  // (RFC 7606 §7.3, commit cff0244), ExaBGP announces it under that next hop.
  'qa/ci/conf-attributes.msg#3': 'NEXT_HOP 255.255.255.255: withdrawn by tsbgp (RFC 7606 §7.3), announced by ExaBGP',
  // Attribute 153 with flags 0x60 and 0x70: the optional bit is clear, so it claims to be well-known, and tsbgp
  // does not know it: RFC 4271 §6.3 Unrecognized Well-known Attribute (NOTIFICATION 3/2). ExaBGP shows it as
  // attribute-0x99-0x60 / -0x70. Optional ones (0x80-0xF0) are identical (test/diff/decode-exabgp.test.ts).
  'qa/ci/conf-generic-attribute.msg#2': 'unknown well-known attribute: an error in tsbgp (RFC 4271 §6.3)',
  'qa/ci/conf-generic-attribute.msg#3': 'unknown well-known attribute: an error in tsbgp (RFC 4271 §6.3)',
  // ExaBGP 4.2 fails printing it ("'GenericEVPN' object has no attribute 'nexthop'"): it withdraws a route of type
  // 8, which ExaBGP does not know. tsbgp prints that one as { code, parsed: false, raw }, ExaBGP's form for the
  // unknown types it announces, and the MAC/IP routes as ExaBGP prints them (checked by hand with the header).
  'qa/decoding/bgp-evpn-1': `${NO_JSON}: ExaBGP 4.2 fails on the unknown EVPN route type 8 it withdraws`,
  // The file holds one NLRI, not a message: neither decoder takes it as an UPDATE.
  'qa/decoding/bgp-ls-1': 'a bare BGP-LS NLRI, no message: neither prints an UPDATE',
  'qa/decoding/bgp-ls-6': BGPLS_V6_NEXT_HOP,
  'qa/decoding/bgp-ls-10': BGPLS_V6_NEXT_HOP,
  'qa/decoding/bgp-open-sofware-version': `${NO_JSON}: an OPEN`,
};

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
// In the build folder (dist/, ignored by git and private to this checkout), never in a shared temporary folder.
const CACHE = path.join(ROOT, 'dist', '.cache', 'exabgp-qa.json');

/** An ExaBGP configuration that decodes as the message's own configuration does. */
function conf(v: CorpusMessage): string {
  const cap: string[] = [];
  if (v.addPath) cap.push('add-path send/receive;');
  if (v.asn4 === false) cap.push('asn4 disable;');
  if (v.nexthop) cap.push('nexthop true;');
  const block = (name: string, items: string[]): string =>
    `  ${name} {\n${items.map((i) => `    ${i};\n`).join('')}  }\n`;
  return (
    'neighbor 127.0.0.1 {\n  router-id 10.0.0.2;\n  local-address 127.0.0.1;\n  local-as 65533;\n  peer-as 65533;\n' +
    block('family', v.families) +
    (cap.length > 0
      ? block(
          'capability',
          cap.map((c) => c.slice(0, -1)),
        )
      : '') +
    (v.addPathFamilies ? block('add-path', v.addPathFamilies) : '') +
    (v.nexthop ? block('nexthop', v.nexthop) : '') +
    '}\n'
  );
}

/** The tsbgp decode options for the same context. */
function options(v: CorpusMessage): string[] {
  const o = ['--local-as', '65533', '--peer-as', '65533'];
  if (v.addPath || v.addPathFamilies) o.push('--path-information');
  if (v.asn4 === false) o.push('--asn2');
  return o;
}

/** ExaBGP's JSON line for the message, or a line saying it printed none. */
function exabgpDecode(v: CorpusMessage, version: string, cache: Record<string, string>, dir: string): string {
  const text = conf(v);
  const key = crypto.createHash('sha256').update(`${version}\ndebug-fallback\n${text}\n${v.hex}`).digest('hex');
  const hit = cache[key];
  if (hit !== undefined) return hit;
  const file = path.join(dir, `${key}.conf`);
  fs.writeFileSync(file, text);
  const run = (args: string[], pattern: RegExp): string | undefined => {
    const r = spawnSync('exabgp', [...args, '--decode', v.hex, file], {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, 'exabgp.log.destination': 'stdout' },
    });
    return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => pattern.test(l));
  };
  // ExaBGP 4.2 prints its JSON after a text line, and for BGP-LS that text fails ("not all arguments converted
  // during string formatting"): no JSON. With -d its parser logs the JSON of the decoded UPDATE first, made by
  // the same encoder (Response.JSON(...).update), which is then the answer.
  const line = run([], / json \{/) ?? run(['-d'], /decoded UPDATE .* json \{/);
  const answer = line ? line.slice(line.indexOf(' json {') + ' json '.length).trim() : 'no JSON';
  cache[key] = answer;
  return answer;
}

/**
 * tsbgp's line for each message of a group decoded with the same options: all in one run, or one run each (an
 * error line for a message it refuses) when some message gave no line.
 */
function tsbgpDecode(vs: CorpusMessage[], opts: string[]): string[] {
  const all = spawnSync(process.execPath, [MAIN, 'decode', ...opts], {
    input: `${vs.map((v) => v.hex).join('\n')}\n`,
    encoding: 'utf8',
  });
  const lines = all.stdout.split('\n').filter((l) => l !== '');
  if (all.status === 0 && all.stderr === '' && lines.length === vs.length) return lines;
  return vs.map((v) => {
    const r = spawnSync(process.execPath, [MAIN, 'decode', ...opts, v.hex], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : `error: ${r.stderr.trim()}`;
  });
}

/** The object without what says when and where it was printed, keys in the order printed. */
function comparable(line: string): string {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    for (const k of ['time', 'host', 'pid', 'ppid', 'counter']) delete o[k];
    return JSON.stringify(o);
  } catch {
    return `not JSON: ${line}`;
  }
}

test("ExaBGP's own test messages: tsbgp decode prints what exabgp --decode prints, except the listed ones", {
  timeout: 600_000,
}, () => {
  const found = exabgpRepo();
  if ('problem' in found) assert.fail(found.problem);
  // Asked for explicitly (npm run conformance): a missing ExaBGP is a failure here, not a skip.
  const missing = skipReason('exabgp');
  if (missing !== undefined) assert.fail(`${missing}: install ExaBGP 4.2 (README, Testing)`);
  const messages = readCorpus(found.repo);
  const commits = corpusCommits(found.repo);
  const version = exabgpVersion();
  let cache: Record<string, string> = {};
  try {
    cache = JSON.parse(fs.readFileSync(CACHE, 'utf8')) as Record<string, string>;
  } catch {
    // No cache yet: every answer is asked.
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-qa-'));
  const differ: string[] = [];
  const report: string[] = [];
  try {
    const groups = new Map<string, CorpusMessage[]>();
    for (const v of messages) {
      const k = options(v).join(' ');
      groups.set(k, [...(groups.get(k) ?? []), v]);
    }
    for (const [k, vs] of groups) {
      const ours = tsbgpDecode(vs, k.split(' '));
      vs.forEach((v, i) => {
        const theirs = exabgpDecode(v, version, cache, dir);
        const mine = ours[i]!;
        if (comparable(mine) === comparable(theirs)) return;
        differ.push(v.id);
        if (DIFFERENT[v.id] === undefined) report.push(`${v.id}:\n  exabgp: ${theirs}\n  tsbgp:  ${mine}`);
      });
    }
  } finally {
    fs.mkdirSync(path.dirname(CACHE), { recursive: true, mode: 0o700 });
    fs.writeFileSync(CACHE, JSON.stringify(cache), { mode: 0o600 });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const same = messages.length - differ.length;
  process.stdout.write(
    `# exabgp-qa: ${same} of ${messages.length} messages identical, ${differ.length} different and pinned ` +
      `(ExaBGP ${version}; corpus 4.2 at ${commits['4.2'].slice(0, 12)}, 5.0 at ${commits['5.0'].slice(0, 12)})\n`,
  );
  assert.equal(report.length, 0, `${report.length} message(s) differ from ExaBGP:\n${report.join('\n')}`);
  const ids = new Set(messages.map((v) => v.id));
  const gone = Object.keys(DIFFERENT).filter((id) => !ids.has(id));
  assert.deepEqual(gone, [], 'not in the corpus (another ExaBGP commit?): remove them from DIFFERENT');
  const nowSame = Object.keys(DIFFERENT).filter((id) => ids.has(id) && !differ.includes(id));
  assert.deepEqual(nowSame, [], 'identical to ExaBGP now: remove them from DIFFERENT');
});
