// Neighbors for driving the route server and the route reflector in-process: the configuration's neighbors,
// each with a real Adj-RIB-Out, and for the route server a session that does nothing when stopped or started.
import type { NeighborConfig } from '../../src/config/model';
import { AdjRibOut } from '../../src/rib/adj-rib-out';
import type { AttrInterner } from '../../src/rib/attr-intern';
import type { ReflectorNeighbor } from '../../src/roles/route-reflector/reflector';
import type { ServerNeighbor } from '../../src/roles/route-server/server';
import { forEachPrefix } from '../../src/wire/nlri/prefix';
import type { Attributes } from '../../src/wire/types';
import { decodeUpdate } from '../../src/wire/update';

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

/**
 * Everything an Adj-RIB-Out's session would send now (IPv4, no ADD-PATH), decoded: announced prefixes as
 * `A.B.C/LEN` followed by what `how` says of their attributes, withdrawn prefixes, End-of-RIBs.
 */
export function pulled(out: AdjRibOut, how: (a: Attributes) => string) {
  const announced: string[] = [];
  const withdrawn: string[] = [];
  let eor = 0;
  const text = (len: number, data: Uint8Array, off: number) => `${data[off]}.${data[off + 1]}.${data[off + 2]}/${len}`;
  for (let m = out.pull(); m.length > 0; m = out.pull()) {
    for (const msg of m) {
      const u = decodeUpdate(msg.subarray(19), { asn4: true, addPath: new Set(), maxMessage: 4096 });
      if (u.eorFamily !== undefined) {
        eor++;
        continue;
      }
      const said = how(u.attributes);
      forEachPrefix(u.nlri, (len, data, off) => announced.push(`${text(len, data, off)} ${said}`));
      forEachPrefix(u.withdrawn, (len, data, off) => withdrawn.push(text(len, data, off)));
    }
  }
  return { announced: announced.sort(), withdrawn: withdrawn.sort(), eor };
}
