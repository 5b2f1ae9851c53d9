// The lab the HTTP tests share: a BIRD 2 peer that originates /24s with an AS path and communities, and a tsbgp
// child connected to it with the HTTP server on (tsbgp.http.* from the environment), both on loopback addresses
// of their own. Resolves once tsbgp holds every route BIRD sent.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { TsbgpChild } from '../support/tsbgp';
import { allocEndpoint, Bird, freePort, makeTempDir, type RouteSpec, waitFor } from './peers';

export interface HttpLab {
  bird: Bird;
  t: TsbgpChild;
  /** http://ADDRESS:PORT of tsbgp's HTTP server. */
  base: string;
  /** BIRD's address (the neighbor's name in tsbgp) and tsbgp's. */
  birdAddress: string;
  tsbgpAddress: string;
}

export async function startHttpLab(o: {
  name: string;
  asT: number;
  asB: number;
  /** Routes BIRD originates (IPv4). */
  routes: RouteSpec[];
  /** Community names for tsbgp.http.names. */
  names: Record<string, string>;
  /** More tsbgp.http settings (the token). */
  env?: Record<string, string>;
  /** Lines inside tsbgp's neighbor block (route-server-client, a filter block). */
  neighborLines?: string[];
  /** BIRD takes several paths per prefix from tsbgp (ADD-PATH receive). */
  addPathsRx?: boolean;
}): Promise<HttpLab> {
  const dir = makeTempDir(o.name);
  const [eB, eT] = await Promise.all([allocEndpoint(), allocEndpoint()]);
  const httpPort = await freePort(eT.address);
  const bird = new Bird();
  await bird.start({
    ...eB,
    as: o.asB,
    holdTime: 30,
    neighbors: [
      {
        address: eT.address,
        port: eT.port,
        as: o.asT,
        passive: true,
        families: ['ipv4', 'ipv6'],
        ...(o.addPathsRx ? { addPathsRx: true } : {}),
      },
    ],
  });
  await bird.addRoutes('ipv4', o.routes);
  fs.writeFileSync(path.join(dir, 'names.json'), JSON.stringify(o.names));
  const config = [
    `neighbor ${eB.address} {`,
    `  router-id ${eT.address};`,
    `  local-address ${eT.address};`,
    `  local-as ${o.asT};`,
    `  peer-as ${o.asB};`,
    `  connect ${eB.port};`,
    '  hold-time 30;',
    '  family { ipv4 unicast; ipv4 flow; }',
    ...(o.neighborLines ?? []).map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
  const t = new TsbgpChild({
    dir,
    name: 'tsbgp',
    config,
    env: {
      'tsbgp.http.port': String(httpPort),
      // The underscore spelling, to show it is read as the dotted one is.
      tsbgp_http_bind: eT.address,
      'tsbgp.http.names': path.join(dir, 'names.json'),
      ...o.env,
    },
  });
  await t.ready();
  const base = `http://${eT.address}:${httpPort}`;
  await waitFor(() => t.established(eB.address), 20_000, 'session up');
  await waitFor(
    async () => {
      const r = await fetch(`${base}/api/v1/neighbors/${eB.address}`);
      const n = (await r.json()) as { prefixes: { received: Record<string, number> } };
      return (n.prefixes.received['ipv4-unicast'] ?? 0) === o.routes.length;
    },
    20_000,
    `${o.routes.length} routes at tsbgp`,
  );
  return { bird, t, base, birdAddress: eB.address, tsbgpAddress: eT.address };
}

/** Debian's chromium driven by playwright-core (no browser download), for the looking glass page. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
}
