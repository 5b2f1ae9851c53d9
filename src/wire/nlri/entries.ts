// The walk shared by the families whose codec delimits entries one by one (BGP-LS, RT constraint, MVPN, MUP, SR
// Policy): `entryEnd` checks the entry at an offset (its path id first under ADD-PATH) and says where it ends,
// throwing the family's DecodeError when it cannot be delimited.

import { readU32 } from '../bytes';
import type { NlriBlock } from '../types';

export type EntryEnd = (data: Uint8Array, off: number, addPath: boolean) => number;

/** How many entries `data` holds. */
export function countEntries(data: Uint8Array, addPath: boolean, entryEnd: EntryEnd): number {
  let n = 0;
  for (let off = 0; off < data.length; n++) off = entryEnd(data, off, addPath);
  return n;
}

/**
 * Each entry of the block read by `read(start, end)`, `start` being past the path id, with its path id added
 * under ADD-PATH.
 */
export function readEntries<T extends { pathId?: number }>(
  block: NlriBlock,
  entryEnd: EntryEnd,
  read: (d: Uint8Array, start: number, end: number) => T,
): T[] {
  const d = block.data;
  const out: T[] = [];
  for (let off = 0; off < d.length; ) {
    const end = entryEnd(d, off, block.addPath);
    const v = read(d, off + (block.addPath ? 4 : 0), end);
    if (block.addPath) v.pathId = readU32(d, off);
    out.push(v);
    off = end;
  }
  return out;
}
