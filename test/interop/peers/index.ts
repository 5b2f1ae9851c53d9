// One import for tests and benchmarks: every daemon class plus the shared plumbing.
import { Bird } from './bird';
import type { BgpDaemon } from './common';
import { ExaBgp } from './exabgp';
import { Frr } from './frr';
import { GoBgp } from './gobgp';

export * from './common';
export { Bird, ExaBgp, Frr, GoBgp };

export type DaemonKind = BgpDaemon['kind'];

/** A daemon object of the given kind (not started). */
export function createDaemon(kind: 'bird'): Bird;
export function createDaemon(kind: 'gobgp'): GoBgp;
export function createDaemon(kind: 'frr'): Frr;
export function createDaemon(kind: 'exabgp'): ExaBgp;
export function createDaemon(kind: DaemonKind): Bird | GoBgp | Frr | ExaBgp;
export function createDaemon(kind: DaemonKind): Bird | GoBgp | Frr | ExaBgp {
  switch (kind) {
    case 'bird':
      return new Bird();
    case 'gobgp':
      return new GoBgp();
    case 'frr':
      return new Frr();
    case 'exabgp':
      return new ExaBgp();
  }
}
