// The migration proof: one configuration file, with an ExaBGP-style Python API program (programs/announcer.py:
// JSON events in, `announce route`/`withdraw route` out) and ExaBGP 4.2's own health check (exabgp-healthcheck),
// run unchanged first by ExaBGP 4.2 and then by tsbgp, each time against the same GoBGP. The health check starts
// with its service down (the route announced with the down metric) and the test brings the service up (the up
// metric). GoBGP's table after each run, IPv4 and IPv6, attributes included, must be the same.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { allocAddress, GoBgp, ManagedProcess, type Route, stopAll, waitFor } from '../interop/peers';
import { skipReason } from '../support/programs';
import { NODE, REPO, TSBGP } from '../support/tsbgp';
import { e2eDir } from './launch';

after(stopAll);

const skip = skipReason('gobgp', 'exabgp', '/usr/bin/exabgp-healthcheck', '/usr/bin/python3');

const ANNOUNCER = path.join(REPO, 'test', 'e2e', 'programs', 'announcer.py');
const PROGRAM_V4 = ['198.51.100.0/24', '198.51.101.0/24', '198.51.102.0/25', '203.0.113.0/24'];
const SERVICE = '192.0.2.10/32';

describe('an ExaBGP API program and health check, unchanged, under ExaBGP 4.2 and tsbgp', { skip }, () => {
  it('GoBGP ends up with the same routes from both', async () => {
    const dir = e2eDir('exabgp-program');
    const gobgp = new GoBgp();
    const speaker = allocAddress();
    const peer = allocAddress();
    await gobgp.start({
      address: peer,
      port: 1179,
      as: 65002,
      neighbors: [{ address: speaker, port: 179, as: 65001, passive: true, families: ['ipv4', 'ipv6'] }],
    });
    const flag = path.join(dir, 'service-up');
    const conf = path.join(dir, 'speaker.conf');
    fs.writeFileSync(
      conf,
      [
        'process announcer {',
        `  run /usr/bin/python3 ${ANNOUNCER};`,
        '  encoder json;',
        '}',
        'process watch-service {',
        `  run /usr/bin/exabgp-healthcheck --no-syslog --no-ip-setup --cmd "test -f ${flag}" --interval 1 --fast-interval 1 --rise 1 --fall 1 --ip ${SERVICE} --next-hop 192.0.2.1 --up-metric 100 --down-metric 1000 --community 65001:10;`,
        '  encoder text;',
        '}',
        `neighbor ${peer} {`,
        `  router-id ${speaker};`,
        `  local-address ${speaker};`,
        '  local-as 65001;',
        '  peer-as 65002;',
        '  connect 1179;',
        '  family {',
        '    ipv4 unicast;',
        '    ipv6 unicast;',
        '  }',
        '  api {',
        // ExaBGP 4.2 applies a process's commands only to the neighbors whose api block names the process.
        '    processes [ announcer watch-service ];',
        '    neighbor-changes;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    // What ExaBGP needs to run as a foreground child here; tsbgp gets the same environment.
    const env = {
      ...process.env,
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.daemonize': 'false',
      'exabgp.api.cli': 'false',
    };

    const table = async (): Promise<{ v4: Route[]; v6: Route[] }> => {
      const order = (a: Route, b: Route) => a.prefix.localeCompare(b.prefix);
      return {
        v4: (await gobgp.routes('ipv4')).sort(order),
        v6: (await gobgp.routes('ipv6')).sort(order),
      };
    };
    const service = (t: { v4: Route[] }) => t.v4.find((r) => r.prefix === SERVICE);

    /** Run one speaker on the configuration until GoBGP has every route, with the service down then up. */
    const runWith = async (name: string, cmd: string, args: string[]) => {
      fs.rmSync(flag, { force: true });
      const p = new ManagedProcess(name, cmd, args, path.join(dir, `${name}.log`), env, dir);
      const complete = async (med: number) => {
        if (!p.running) throw new Error(p.describeExit());
        const t = await table();
        const have = new Set(t.v4.map((r) => r.prefix));
        return (
          PROGRAM_V4.every((x) => have.has(x)) &&
          t.v6.some((r) => r.prefix === '2001:db8:100::/48') &&
          service(t)?.med === med
        );
      };
      await waitFor(() => complete(1000), 60_000, `${name}: the program's routes and the service down at GoBGP`);
      fs.writeFileSync(flag, '');
      await waitFor(() => complete(100), 30_000, `${name}: the service up at GoBGP`);
      const t = await table();
      await p.stop(10_000);
      await waitFor(async () => (await gobgp.routes('ipv4')).length === 0, 30_000, `GoBGP to forget ${name}'s routes`);
      return t;
    };

    const exabgp = await runWith('exabgp', 'exabgp', [conf]);
    const tsbgp = await runWith('tsbgp', NODE, [TSBGP, 'run', '--no-socket', conf]);

    // What the program and the health check asked for, as GoBGP holds it.
    const by = (prefix: string) => exabgp.v4.find((r) => r.prefix === prefix);
    assert.deepEqual(
      exabgp.v4.map((r) => r.prefix),
      [SERVICE, ...PROGRAM_V4].sort((a, b) => a.localeCompare(b)),
    );
    assert.equal(by('198.51.100.0/24')?.med, 50);
    assert.deepEqual(by('198.51.100.0/24')?.communities, ['65001:100', '65001:200']);
    // A route with an as-path goes out with exactly that path: ExaBGP does not put its own AS in front.
    assert.deepEqual(by('198.51.101.0/24')?.asPath, [64512, 64513]);
    assert.deepEqual(by('198.51.100.0/24')?.asPath, [65001]);
    assert.deepEqual(by('198.51.101.0/24')?.largeCommunities, ['65001:1:1']);
    assert.equal(by('198.51.102.0/25')?.nextHop, '192.0.2.2');
    assert.deepEqual(by(SERVICE)?.communities, ['65001:10']);
    assert.equal(exabgp.v6[0]?.nextHop, '2001:db8::1');
    // And tsbgp left GoBGP with exactly that.
    assert.deepEqual(tsbgp, exabgp);
  });
});
