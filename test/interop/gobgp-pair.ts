// tsbgp connecting to a passive GoBGP 3 on loopback over one session with the families under test: the set-up
// the family interop tests with GoBGP share (VPN, labeled unicast, FlowSpec VPN, VPLS, EVPN, Prefix-SID, RTC, MUP).

import * as path from 'node:path';
import { allocEndpoint, GoBgp, makeTempDir, type NeighborOpts, waitFor } from './peers';
import { neighbor, recorder, startTsbgp, type Tsbgp } from './tsbgp-launch';

type Endpoint = { address: string; port: number };

export interface GoBgpPair {
  dir: string;
  t: Tsbgp;
  g: GoBgp;
  /** tsbgp's address and port. */
  eT: Endpoint;
  /** GoBGP's address and port. */
  eG: Endpoint;
  /** Where the events tsbgp's API process received are written (JSON lines), when `record` is set. */
  events: string;
}

/** Starts both and waits for the session to be Established (the error carries both logs' tails otherwise). */
export async function startGoBgpPair(o: {
  name: string;
  asT: number;
  asG: number;
  /** The session's families at GoBGP. */
  families: Pick<NeighborOpts, 'vpnFamilies' | 'afiSafiNames'>;
  /** The body of tsbgp's neighbor block. */
  body: string[];
  /** Record the events of the session in `events` through an API process. */
  record?: boolean;
}): Promise<GoBgpPair> {
  const dir = makeTempDir(o.name);
  const [eT, eG] = await Promise.all([allocEndpoint(), allocEndpoint()]);
  const g = new GoBgp();
  const tsbgpPeer: NeighborOpts = { ...eT, as: o.asT, passive: true, families: [], ...o.families };
  await g.start({ ...eG, as: o.asG, holdTime: 30, neighbors: [tsbgpPeer] });
  const events = path.join(dir, 'events.jsonl');
  const rec = o.record ? recorder(dir, events) : { process: [], api: [] };
  const body = [...o.body, ...rec.api];
  const conf = [
    ...rec.process,
    neighbor({ peer: eG.address, port: eG.port, local: eT.address, localAs: o.asT, peerAs: o.asG, body }),
  ];
  const t = await startTsbgp(dir, `${conf.join('\n')}\n`);
  try {
    await waitFor(() => t.established(eG.address), 20_000, 'tsbgp session Established', 200);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-3000)}\n--- gobgp ---\n${g.logText().slice(-1500)}`,
    );
  }
  return { dir, t, g, eT, eG, events };
}
