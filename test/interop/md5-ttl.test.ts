// TCP MD5 (RFC 2385) and GTSM / TTL security (RFC 5082) between tsbgp and real BIRD 2, FRR, GoBGP and ExaBGP 4.2
// on loopback.
// One daemon and one tsbgp per suite, up to nine sessions between them, each from its own tsbgp address:
//   md5 right key, tsbgp active and tsbgp passive       → Established
//   md5 wrong key, tsbgp active and tsbgp passive       → never Established (the kernels drop the segments)
//   TTL security on the daemon, tsbgp with outgoing-ttl 255 / incoming-ttl 254, active and passive → Established
//   TTL security on BIRD, tsbgp without outgoing-ttl (the system's 64) → never Established
//   tsbgp with incoming-ttl 254, the daemon without TTL security → never Established
//   md5 with local-address elsewhere and md5-ip the session's address → Established (md5-ip is bound)
//   ExaBGP only: md5-base64 auto on both sides with a hex-only password → Established (same key derivation)
// Then a reload with the wrong keys corrected brings those two sessions up.
// Loopback does not decrement the TTL, so what is sent is what is checked. The daemon sees the same tsbgp
// neighbor addresses either way, so its own session state is the judge, and tsbgp's is checked to agree.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TsbgpChild } from '../support/tsbgp';
import {
  allocAddress,
  allocEndpoint,
  type BgpDaemon,
  Bird,
  ExaBgp,
  Frr,
  freePort,
  GoBgp,
  makeTempDir,
  type NeighborOpts,
  skipReason,
  sleep,
  stopAll,
  tail,
  waitFor,
} from './peers';

after(stopAll);

type Kind = 'bird' | 'frr' | 'gobgp' | 'exabgp';

interface Session {
  name: string;
  /** tsbgp waits for the daemon to connect. */
  tsbgpPassive: boolean;
  /** The daemon's key, and tsbgp's when different (the wrong one). */
  password?: string;
  tsbgpPassword?: string;
  /** tsbgp's local-address is another address and md5-ip the session's (ExaBGP: md5-ip is what is bound). */
  md5Ip?: boolean;
  /** md5-base64 on both sides (ExaBGP only). */
  md5Base64?: 'auto';
  ttlSecurity?: boolean;
  /** outgoing-ttl 255 and incoming-ttl 254 on tsbgp's side. */
  tsbgpTtl?: boolean;
  up: boolean;
  /** Only against these daemons (default: all). */
  kinds?: Kind[];
}

const SESSIONS: Session[] = [
  { name: 'md5, tsbgp active', tsbgpPassive: false, password: 'right-one', up: true },
  { name: 'md5, tsbgp passive', tsbgpPassive: true, password: 'right-two', up: true },
  {
    name: 'md5 wrong key, tsbgp active',
    tsbgpPassive: false,
    password: 'right-3',
    tsbgpPassword: 'wrong-3',
    up: false,
  },
  {
    name: 'md5 wrong key, tsbgp passive',
    tsbgpPassive: true,
    password: 'right-4',
    tsbgpPassword: 'wrong-4',
    up: false,
  },
  // ExaBGP 4.2 answers a connection it accepted with the system's TTL: its outgoing-ttl applies only to the
  // connections it opens (and incoming-ttl only to a per-neighbor `listen` socket), so tsbgp drops its replies.
  {
    name: 'ttl security, tsbgp active',
    tsbgpPassive: false,
    ttlSecurity: true,
    tsbgpTtl: true,
    up: true,
    kinds: ['bird', 'frr', 'gobgp'],
  },
  { name: 'ttl security, tsbgp passive', tsbgpPassive: true, ttlSecurity: true, tsbgpTtl: true, up: true },
  { name: 'md5 with md5-ip as the source, tsbgp active', tsbgpPassive: false, password: 'five', md5Ip: true, up: true },
  // The same key derivation as ExaBGP 4.2: a password of lowercase hex digits read as base64 ('c0ffee12' → 6 bytes).
  {
    name: 'md5-base64 auto, tsbgp active',
    tsbgpPassive: false,
    password: 'c0ffee12',
    md5Base64: 'auto',
    up: true,
    kinds: ['exabgp'],
  },
  // The daemon without TTL security sends TTL 1 or 2 to an eBGP neighbor (ExaBGP: 64): tsbgp's listener drops its
  // SYNs.
  { name: 'tsbgp incoming-ttl 254, daemon without ttl security', tsbgpPassive: true, tsbgpTtl: true, up: false },
  // The daemon checks TTLs: tsbgp without outgoing-ttl sends the system's 64. BIRD sets its minimum on the
  // listening socket before any SYN; FRR and GoBGP set it on the connection after accepting it, so a session
  // can slip through there: this case is checked against BIRD only.
  {
    name: 'ttl security, tsbgp without outgoing-ttl',
    tsbgpPassive: false,
    ttlSecurity: true,
    up: false,
    kinds: ['bird'],
  },
];

const AS_T = 65520;
const AS_D = 65521;

function suite(kind: Kind, create: () => BgpDaemon): void {
  describe(`TCP MD5 and TTL security: tsbgp and ${kind}`, { skip: skipReason(kind) }, () => {
    let d: BgpDaemon;
    let t: TsbgpChild;
    /** tsbgp's configuration; `fixed`: the wrong keys replaced by the right ones. */
    let tsbgpConf: (fixed: boolean) => string;
    const sessions = SESSIONS.filter((s) => s.kinds === undefined || s.kinds.includes(kind));
    const addr: string[] = sessions.map(() => allocAddress());
    /** A local-address that is not the session's, for md5-ip. */
    const elsewhere = allocAddress();

    before(async () => {
      const dir = makeTempDir(`md5ttl-${kind}`);
      const eD = await allocEndpoint();
      const listen = await freePort(addr[1]);
      const neighbors: NeighborOpts[] = sessions.map((s, i) => ({
        address: addr[i],
        port: listen,
        as: AS_T,
        passive: !s.tsbgpPassive,
        families: ['ipv4'],
        password: s.password,
        md5Base64: s.md5Base64,
        ttlSecurity: s.ttlSecurity,
      }));
      d = create();
      await d.start({ ...eD, as: AS_D, holdTime: 30, neighbors });
      tsbgpConf = (fixed) =>
        sessions
          .map((s, i) => {
            const key = fixed ? s.password : (s.tsbgpPassword ?? s.password);
            return [
              `neighbor ${eD.address} {`,
              `  router-id ${addr[i]};`,
              s.md5Ip ? `  local-address ${elsewhere}; md5-ip ${addr[i]};` : `  local-address ${addr[i]};`,
              `  local-as ${AS_T};`,
              `  peer-as ${AS_D};`,
              '  hold-time 30;',
              s.tsbgpPassive ? `  passive; listen ${listen};` : `  connect ${eD.port};`,
              key ? `  md5-password "${key}";` : '',
              s.md5Base64 ? `  md5-base64 ${s.md5Base64};` : '',
              s.tsbgpTtl ? '  outgoing-ttl 255; incoming-ttl 254;' : '',
              '  family { ipv4 unicast; }',
              '}',
            ].join('\n');
          })
          .join('\n') + '\n';
      const passive = addr.filter((_a, i) => sessions[i].tsbgpPassive);
      t = new TsbgpChild({
        dir,
        name: 'tsbgp',
        config: tsbgpConf(false),
        env: { 'exabgp.tcp.bind': passive.join(' '), 'exabgp.tcp.port': String(listen) },
      });
      await t.ready();
    });

    /** tsbgp's state of the session from `local`, by `show neighbor json`. */
    async function tsbgpState(local: string): Promise<string> {
      const list = JSON.parse((await t.send('show neighbor json')).lines.join('')) as Record<string, string>[];
      return list.find((n) => n['local-address'] === local)?.state ?? 'unknown';
    }

    it('sessions with the right key or matching TTLs come up, both ways', async () => {
      for (const [i, s] of sessions.entries()) {
        if (!s.up) continue;
        await waitFor(
          async () =>
            (await d.sessionState(addr[i])) === 'established' && (await tsbgpState(addr[i])) === 'established',
          30_000,
          `${s.name}: Established on both sides\n${tail(t.log(), 1500)}\n${tail(d.logText(), 1500)}`,
        );
      }
    });

    it('sessions with a wrong key or a TTL below the minimum stay down', async () => {
      // The good sessions are up by now (previous test); give the bad ones several more connect attempts.
      await sleep(8000);
      for (const [i, s] of sessions.entries()) {
        if (s.up) continue;
        assert.notEqual(await d.sessionState(addr[i]), 'established', `${kind} side of ${s.name}`);
        assert.notEqual(await tsbgpState(addr[i]), 'established', `tsbgp side of ${s.name}`);
      }
      assert.doesNotMatch(t.log(), /TypeError|RangeError|uncaught/i);
    });

    it('a reload that corrects the keys brings those sessions up (keys replaced on sockets and listener)', async () => {
      fs.writeFileSync(t.confFile, tsbgpConf(true));
      const r = await t.send('reload');
      assert.equal(r.answer, 'done', r.lines.join(' | '));
      for (const [i, s] of sessions.entries()) {
        if (!s.tsbgpPassword) continue;
        await waitFor(
          async () =>
            (await d.sessionState(addr[i])) === 'established' && (await tsbgpState(addr[i])) === 'established',
          40_000,
          `${s.name}, key corrected: Established\n${tail(t.log(), 1500)}\n${tail(d.logText(), 1500)}`,
        );
      }
    });

    after(async () => {
      await t?.stop();
      await d?.stop();
    });
  });
}

suite('bird', () => new Bird());
suite('frr', () => new Frr());
suite('gobgp', () => new GoBgp());
suite('exabgp', () => new ExaBgp());
