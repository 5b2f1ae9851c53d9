// Neighbors for driving the route server and the route reflector in-process: the configuration's neighbors,
// each with a real Adj-RIB-Out, and for the route server a session that does nothing when stopped or started.
import type { NeighborConfig } from '../../src/config/model';
import { AdjRibOut } from '../../src/rib/adj-rib-out';
import type { AttrInterner } from '../../src/rib/attr-intern';
import type { ReflectorNeighbor } from '../../src/roles/route-reflector/reflector';
import type { ServerNeighbor } from '../../src/roles/route-server/server';

export function serverNeighbors(cfgs: NeighborConfig[], interner: AttrInterner, localAs: number): ServerNeighbor[] {
  return cfgs.map((cfg) => ({
    cfg,
    ribOut: new AdjRibOut(interner),
    localAs,
    peer: { stop: async () => {}, start: () => {} },
    log: { info: () => {}, warning: () => {} },
  }));
}

export function reflectorNeighbors(
  cfgs: NeighborConfig[],
  interner: AttrInterner,
  localAs: number,
): ReflectorNeighbor[] {
  return cfgs.map((cfg) => ({ cfg, ribOut: new AdjRibOut(interner), localAs }));
}
