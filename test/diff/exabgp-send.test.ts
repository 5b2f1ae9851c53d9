// Differential test on ExaBGP's example configurations (as Debian's exabgp package ships them in
// /usr/share/doc/exabgp/examples, read there at run time): what ExaBGP sends for each one's static routes and flow
// rules (`exabgp -d -t CONF`, its "parsed hex" UPDATEs) against what tsbgp's daemon path builds from the same file
// (every neighbor's routes and rules into an Adj-RIB-Out, attached to a session with the neighbor's families, ADD-PATH
// and AS4 settings). Both sides are decoded with `tsbgp decode` and compared route by route: family, next hop, NLRI and
// attributes must be the same; how routes are packed into UPDATEs and the attribute order may differ (the issue's
// "identical decoded routes and attributes where only the packing differs").
//
// Every configuration whose routes do not all match is listed in DIFFERENT with the counts and the reason; the test
// fails when anything else differs or a listed difference goes away. ExaBGP's answers are cached in dist/.cache.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expandedRoutes, parseConfigFile } from '../../src/config/parser';
import { expandSplit } from '../../src/config/route';
import { flowParts, routeEntry, vplsEntry } from '../../src/daemon/routes';
import { parseFlowBlock } from '../../src/flowspec/parse';
import { AdjRibOut } from '../../src/rib/adj-rib-out';
import { parseIp } from '../../src/wire/ip';
import { exabgpVersion, skipReason } from '../support/programs';

/** Configurations whose routes differ: routes of ExaBGP's that tsbgp does not send / tsbgp's that ExaBGP does not. */
const DIFFERENT: Record<string, { missing: number; extra: number; why: string }> = {
  'conf-flow-redirect.conf': {
    missing: 1,
    extra: 1,
    why: 'origin:2.3.4.5:6789: ExaBGP encodes it with type 0x0003 (AS-specific), tsbgp with 0x0103 (RFC 4360 §3.2)',
  },
  'conf-generic-attribute.conf': {
    missing: 1,
    extra: 0,
    why: 'attribute [ 0x99 0x60/0x70 ... ]: both send it (ExaBGP in two UPDATEs, tsbgp in one); tsbgp cannot decode it back (unknown well-known, RFC 4271 §6.3)',
  },
  'conf-split.conf': { missing: 8, extra: 0, why: "refused: the file's neighbor section is never closed" },
  // ExaBGP's check stops after "decoding routes in configuration" without a parsed UPDATE for this file (the one
  // with capability multi-session); tsbgp sends its five static routes.
  'parse-multisession.conf': { missing: 0, extra: 5, why: 'exabgp -d -t prints no UPDATE for it (multi-session)' },
};

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const CONFIGS = '/usr/share/doc/exabgp/examples';
const CACHE = path.join(ROOT, 'dist', '.cache', 'exabgp-send.json');

/** The UPDATEs `exabgp -d -t` prints for a configuration ("parsed hex" lines). */
function exabgpSends(file: string, version: string, cache: Record<string, string[]>): string[] {
  const key = crypto
    .createHash('sha256')
    .update(`${version}\n${fs.readFileSync(file, 'utf8')}`)
    .digest('hex');
  const hit = cache[key];
  if (hit) return hit;
  const r = spawnSync('exabgp', ['-d', '-t', file], {
    encoding: 'utf8',
    cwd: CONFIGS,
    timeout: 120_000,
    env: { ...process.env, 'exabgp.log.destination': 'stdout' },
  });
  const hex = [...`${r.stdout}\n${r.stderr}`.matchAll(/parsed hex\s+([0-9A-F ]+)/g)].map((m) =>
    m[1]!.replace(/\s+/g, ''),
  );
  cache[key] = hex;
  return hex;
}

/** What tsbgp's daemon sends each neighbor of the file at session start (UPDATEs, End-of-RIB included). */
function tsbgpSends(file: string): { hex: string[]; decodeOptions: string[]; error?: string } {
  const hex: string[] = [];
  const decodeOptions: string[] = [];
  try {
    for (const n of parseConfigFile(file).neighbors) {
      if (n.capability.addPath && !decodeOptions.includes('--path-information'))
        decodeOptions.push('--path-information');
      if (!n.capability.asn4 && !decodeOptions.includes('--asn2')) decodeOptions.push('--asn2');
      const rib = new AdjRibOut();
      // As the daemon loads them: every route not marked withdraw (split ones expanded), the VPLS routes, then the flow rules.
      for (const spec of expandedRoutes(n))
        for (const r of expandSplit(spec)) {
          if (r.withdraw) continue;
          const e = routeEntry(r);
          rib.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
        }
      for (const v of n.vpls) {
        if (v.withdraw) continue;
        const e = vplsEntry(v);
        rib.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
      }
      for (const f of n.flows) {
        const route = parseFlowBlock({ ...f, file: f.pos.file, line: f.pos.line, col: f.pos.col });
        const e = flowParts(route);
        rib.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
      }
      const addPath = n.capability.addPath & 2 ? new Set(n.addPathFamilies) : new Set<number>();
      const local = n.localAddress === 'auto' ? '127.0.0.1' : n.localAddress;
      rib.attach({
        localAs: n.localAs === 'auto' ? 0 : n.localAs,
        peerAs: n.peerAs === 'auto' ? 0 : n.peerAs,
        ibgp: n.localAs === n.peerAs,
        families: new Set(n.families),
        addPathSend: addPath,
        sendCtx: { asn4: n.capability.asn4, addPath, maxMessage: 4096 },
        localAddress: parseIp(local)!,
      });
      for (let m = rib.pull(1000); m.length > 0; m = rib.pull(1000))
        hex.push(...m.map((b) => Buffer.from(b).toString('hex').toUpperCase()));
    }
  } catch (e) {
    return { hex, decodeOptions, error: (e as Error).message.split('\n')[0] };
  }
  return { hex, decodeOptions };
}

/** Each route of some UPDATEs as one line: announced (family, next hop, NLRI, attributes) or withdrawn. */
function routes(hex: string[], options: string[]): string[] {
  if (hex.length === 0) return [];
  const r = spawnSync(process.execPath, [MAIN, 'decode', ...options], {
    input: `${hex.join('\n')}\n`,
    encoding: 'utf8',
  });
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const o = JSON.parse(line);
    // A message the decoder refuses is answered {"error": REASON}: one route that cannot match.
    if (o.error !== undefined) out.push(`refused: ${o.error}`);
    const u = o.neighbor?.message?.update;
    if (!u || u.eor) continue;
    const attrs = JSON.stringify(u.attribute ?? {});
    for (const [fam, byNh] of Object.entries((u.announce ?? {}) as Record<string, Record<string, unknown[]>>))
      for (const [nh, list] of Object.entries(byNh))
        for (const x of list) out.push(`+ ${fam} ${nh} ${JSON.stringify(x)} ${attrs}`);
    for (const [fam, list] of Object.entries((u.withdraw ?? {}) as Record<string, unknown[]>))
      for (const x of list) out.push(`- ${fam} ${JSON.stringify(x)}`);
  }
  return out;
}

test("ExaBGP's example configurations: tsbgp sends the routes exabgp -t sends, except the listed ones", {
  skip: skipReason('exabgp', 'exabgp-examples'),
  timeout: 600_000,
}, () => {
  const version = exabgpVersion();
  let cache: Record<string, string[]> = {};
  try {
    cache = JSON.parse(fs.readFileSync(CACHE, 'utf8')) as Record<string, string[]>;
  } catch {
    // No cache yet: every answer is asked.
  }
  const report: string[] = [];
  const seen = new Set<string>();
  let same = 0;
  let total = 0;
  try {
    for (const name of fs
      .readdirSync(CONFIGS)
      .filter((f) => f.endsWith('.conf'))
      .sort()) {
      const file = path.join(CONFIGS, name);
      const theirs = exabgpSends(file, version, cache);
      const ours = tsbgpSends(file);
      const want = routes(theirs, ours.decodeOptions);
      const left = routes(ours.hex, ours.decodeOptions);
      const missing: string[] = [];
      for (const r of want) {
        const i = left.indexOf(r);
        if (i >= 0) left.splice(i, 1);
        else missing.push(r);
      }
      total += want.length;
      same += want.length - missing.length;
      if (missing.length === 0 && left.length === 0) continue;
      seen.add(name);
      const pinned = DIFFERENT[name];
      if (pinned?.missing === missing.length && pinned.extra === left.length) continue;
      report.push(
        `${name}${ours.error ? ` (tsbgp: ${ours.error})` : ''}:\n${[...missing.map((r) => `  exabgp only: ${r}`), ...left.map((r) => `  tsbgp only:  ${r}`)].join('\n')}`,
      );
    }
  } finally {
    fs.mkdirSync(path.dirname(CACHE), { recursive: true, mode: 0o700 });
    fs.writeFileSync(CACHE, JSON.stringify(cache), { mode: 0o600 });
  }
  process.stdout.write(`# exabgp-send: ${same} of ${total} routes ExaBGP sends are sent the same by tsbgp\n`);
  assert.equal(report.length, 0, `${report.length} configuration(s) differ from ExaBGP:\n${report.join('\n')}`);
  const gone = Object.keys(DIFFERENT).filter((n) => !seen.has(n));
  assert.deepEqual(gone, [], 'the same as ExaBGP now: remove them from DIFFERENT');
});
