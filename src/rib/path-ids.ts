// Path identifiers a role sends to an ADD-PATH peer (RFC 7911 §3) for the paths it passes on from its Loc-RIB.
// A path is named by where it came from: its Loc-RIB source and the path identifier it was received with. The
// identifier sent for it depends on nothing else, so it stays the same while the best path of the destination
// changes: a new version of a path replaces the old one at the peer instead of standing beside it, and a path
// that leaves is withdrawn by the identifier it was sent with.

/**
 * The identifiers start here, with the top bit set, so that they never meet the small ones the routes written
 * for a neighbor (configuration, programs: `path-information`) usually carry.
 */
export const FIRST_PATH_ID = 0x80000000;

/** Allocates one identifier per (source, received path id), kept for the life of the role. */
export class PathIds {
  private readonly ids = new Map<number, number>();
  private next = FIRST_PATH_ID;

  /** The identifier sent for the path of `source` received with path id `received`. */
  id(source: number, received: number): number {
    const key = source * 0x100000000 + received;
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.next > 0xffffffff) throw new RangeError('ADD-PATH: no path identifier left');
      id = this.next++;
      this.ids.set(key, id);
    }
    return id;
  }
}

/** True for an identifier PathIds gave (as opposed to a written route's own). */
export function allocatedPathId(id: number): boolean {
  return id >= FIRST_PATH_ID;
}
