// IX route server (RFC 7947, RFC 7948) over the Loc-RIB. The neighbors that take part are the configuration's
// `route-server-client`s. What a client sends passes its import filters (src/policy/import.ts; a refused route is
// kept with its reason for the looking glass); accepted paths go into the Loc-RIB. Every destination that changed
// is then exported to each client on its own: the best of the paths that may go to that client (not its own, and
// allowed by the action communities), so that no client loses a route because the overall best may not reach it
// (RFC 7947 §2.3.2.1, path hiding). The route server is transparent (§2.2): its AS is not added and NEXT_HOP, MED
// and communities go out as received; only the prepends a client asked for (action communities) change the path.
// The routes written for a client (configuration, programs) are local paths of a source of that client's: they
// go to that client only, as written, and win over the other clients' paths by the decision (local-origin).
// A client whose session negotiated ADD-PATH with us sending (RFC 7911) for a family gets every path it may have
// instead of one (RFC 7947 §2.3.2.2), each under a path identifier from PathIds, kept in its own Adj-RIB-Out:
// such clients are few, and the others keep their compact column (export.ts).
import { ipBytes } from '../../config/addr';
import type { NeighborConfig } from '../../config/model';
import { exportAction, hasActions } from '../../policy/actions';
import { checkImport, type FilterReason, type ImportPolicy } from '../../policy/import';
import type { AdjRibOut, RouteOrigin } from '../../rib/adj-rib-out';
import type { AttrInterner, AttrSet } from '../../rib/attr-intern';
import { type Candidate, Decision, type DecisionOptions } from '../../rib/decision';
import { ClientView, DestTable, MAX_SOURCES, MIXED } from '../../rib/dest-table';
import { LocRib, type RibPath } from '../../rib/loc-rib';
import { passOnSet } from '../../rib/pass-on';
import { PathIds } from '../../rib/path-ids';
import { NOT_FOUND, type OriginState, VALID, type VrpTable } from '../../rpki/vrp-table';
import { readU32 } from '../../wire/bytes';
import { CeaseSubcode } from '../../wire/notification';
import {
  AFI,
  afiOf,
  type FamilyKey,
  familyKey,
  type NlriBlock,
  SAFI,
  SegmentType,
  type Update,
} from '../../wire/types';
import { ClientRoutes } from './client-routes';

/** The prefix families a route server handles: IPv4 and IPv6 unicast. */
const RS_FAMILIES: ReadonlySet<FamilyKey> = new Set([
  familyKey(AFI.IPV4, SAFI.UNICAST),
  familyKey(AFI.IPV6, SAFI.UNICAST),
]);

/** What the route server needs of a configured neighbor (the daemon's Neighbor is one). */
export interface ServerNeighbor {
  readonly cfg: NeighborConfig;
  readonly ribOut: AdjRibOut;
  readonly localAs: number;
  readonly peer: { stop(data?: Uint8Array, subcode?: number): Promise<void>; start(): void };
  readonly log: { info(m: string): void; warning(m: string): void };
}

export interface Client {
  neighbor: ServerNeighbor;
  source: number;
  /** The source of the routes written for this client (configuration, programs), and how they reach it. */
  localSource: number;
  origin: RouteOrigin;
  /** Its column in the DestTables' cells. */
  slot: number;
  peerAs: number;
  policy: ImportPolicy;
  /** Every route the client sent, with its verdict. */
  routes: ClientRoutes;
  /** NLRI announced to us since the session came up (each announcement counts). */
  received: number;
  accepted: number;
  filtered: number;
  /** Over the max-prefix limit: told once per session. */
  overLimit: boolean;
  /**
   * Keys of the routes carrying RFC 7999 BLACKHOLE, by family: judged again when a route of the client that covers
   * them is accepted or leaves (a blackhole is only taken for the client's own space, whatever order they came in).
   */
  blackholes: Map<FamilyKey, Set<string>>;
  /** The families its session negotiated ADD-PATH for with us sending: every path, in its own Adj-RIB-Out. */
  addPath: ReadonlySet<FamilyKey>;
  restartTimer?: NodeJS.Timeout;
}

/** RFC 7947-style informational large community for `rpki tag`: RS:1000:1 valid, :2 not-found, :3 invalid. */
export const RPKI_TAG = 1000;

export class RouteServer {
  readonly rib: LocRib;
  private readonly clients = new Map<ServerNeighbor, Client>();
  private readonly bySource: (Client | undefined)[] = [];
  /** The client whose written routes a local source holds, by source id. */
  private readonly localOf: (Client | undefined)[] = [];
  private readonly decision: Decision;
  /** Clients by slot (their column in the DestTables), and each one's source id (-1: free slot). */
  private readonly slots: (Client | undefined)[] = [];
  private slotSource: number[] = [];
  /** The destinations of each family, numbered, with what each client is to have. */
  private readonly dests = new Map<FamilyKey, DestTable>();
  /** The route server's AS towards each client (usually one value): what action communities name. */
  private rsAses: number[] = [];
  /** Whether a set carries action communities for any of rsAses, per set. */
  private acts = new WeakMap<AttrSet, boolean>();
  private scratch = new Int32Array(64);
  /** Sets with the announcing client's AS prepended N times, per received set. */
  private readonly prepended = new WeakMap<AttrSet, AttrSet[]>();
  private readonly tagged = new WeakMap<AttrSet, AttrSet[]>();
  private readonly addr = new Uint8Array(16);
  /** Destinations changed by the work under way, as (destination, source that changed) pairs: exported once it is done. */
  private readonly touched = new Map<DestTable, number[]>();
  /** The clients with some ADD-PATH family, and the path identifiers they are sent. */
  private addPathClients: Client[] = [];
  private readonly ids = new PathIds();

  constructor(
    private readonly interner: AttrInterner,
    /** RFC 6811 state of a route (NOT_FOUND without RPKI). */
    private readonly rpki: (v6: boolean, buf: Uint8Array, off: number, len: number, origin: number) => OriginState,
    /** The top-level `always-compare-med;` (RFC 4271 §9.1.2.2 c), for the Loc-RIB and each client's own best. */
    opts: DecisionOptions = {},
  ) {
    this.decision = new Decision(opts);
    this.rib = new LocRib(interner, opts);
    for (const f of RS_FAMILIES) this.dests.set(f, new DestTable(f));
  }

  list(): Client[] {
    return [...this.clients.values()];
  }

  client(n: ServerNeighbor): Client | undefined {
    return this.clients.get(n);
  }

  /** Make the clients the `route-server-client` neighbors (after start or a reload). */
  sync(neighbors: readonly ServerNeighbor[]): void {
    const keep = new Set<ServerNeighbor>();
    for (const n of neighbors) {
      if (!n.cfg.routeServerClient) continue;
      keep.add(n);
      const c = this.clients.get(n);
      if (c) {
        // A reload may change the filters (or the list files): every route the client sent is judged again.
        c.policy = policyOf(n);
        // With `peer-as auto` the AS is the one the session learned (up()), not the configuration's.
        if (n.cfg.peerAs === 'auto') c.policy.peerAs = c.peerAs;
        c.routes.each((f, pathId, e, slot) => this.judge(c, f, pathId, e, 0, slot));
        continue;
      }
      const address = ipBytes(n.cfg.peerAddress) ?? new Uint8Array(4);
      if (this.rib.sourceCount + 1 >= MAX_SOURCES)
        throw new RangeError(`route server: more than ${MAX_SOURCES >> 1} clients over the daemon's life`);
      const source = this.rib.addSource({ name: n.cfg.peerAddress, kind: 'ebgp', routerId: 0, address });
      const localSource = this.rib.addSource({
        name: `local (to ${n.cfg.peerAddress})`,
        kind: 'local',
        routerId: readU32(ipBytes(n.cfg.routerId) ?? new Uint8Array(4), 0),
        address,
      });
      let slot = this.slots.indexOf(undefined);
      if (slot < 0) slot = this.slots.length;
      const client: Client = {
        neighbor: n,
        source,
        slot,
        peerAs: n.cfg.peerAs === 'auto' ? 0 : n.cfg.peerAs,
        policy: policyOf(n),
        routes: new ClientRoutes(),
        received: 0,
        accepted: 0,
        filtered: 0,
        overLimit: false,
        blackholes: new Map(),
        addPath: new Set(),
        localSource,
        origin: undefined as unknown as RouteOrigin,
      };
      client.origin = this.originFor(client);
      this.clients.set(n, client);
      this.bySource[source] = client;
      this.localOf[localSource] = client;
      // Before its views: clearing its table's routes must not clear them.
      this.adopt(client);
      this.slots[slot] = client;
      this.slotSource[slot] = source;
      for (const [f, t] of this.dests) {
        const v = new ClientView(t, slot, (d, src) => this.resolve(client, t, d, src));
        t.addView(slot, v);
        n.ribOut.setView(f, v);
      }
      this.rsAses = [...new Set([...this.clients.values()].map((c) => c.neighbor.localAs))];
      this.acts = new WeakMap();
      // A new client gets what the others hold.
      this.exportAll(client);
    }
    for (const [n, c] of this.clients) {
      if (keep.has(n)) continue;
      this.down(n);
      if (n.ribOut.origin === c.origin) n.ribOut.origin = null;
      this.rib.withdrawSource(c.localSource, undefined, false, (f, e) => this.touch(f, e, 0, e.length, c.localSource));
      this.localOf[c.localSource] = undefined;
      this.flush();
      clearTimeout(c.restartTimer);
      this.clients.delete(n);
      this.bySource[c.source] = undefined;
      this.slots[c.slot] = undefined;
      this.slotSource[c.slot] = -1;
      for (const [f, t] of this.dests) {
        // The view's routes are read (and withdrawn from a session still up) before its column is cleared.
        n.ribOut.setView(f, null);
        t.dropView(c.slot);
      }
    }
    this.addPathClients = [...this.clients.values()].filter((c) => c.addPath.size > 0);
    this.flush();
  }

  /**
   * A new client: the routes already written for it (loaded before the role existed) move from its Adj-RIB-Out's
   * table to the Loc-RIB, where the routes written from now on go too (its `origin`); they reach it through its
   * view like every other route, so none is sent twice.
   */
  private adopt(c: Client): void {
    const out = c.neighbor.ribOut;
    for (const f of RS_FAMILIES) {
      out.forEachAt(f, (buf, off, len, pathId, set) => {
        if (this.rib.announce(f, buf, off, len, c.localSource, pathId, set))
          this.touch(f, buf, off, len, c.localSource);
      });
      out.withdrawAll(f);
    }
    out.origin = c.origin;
  }

  /** The client's written routes, as its Adj-RIB-Out hands them over (see AdjRibOut.origin). */
  private originFor(c: Client): RouteOrigin {
    const rib = this.rib;
    const src = c.localSource;
    const touch = (f: FamilyKey, e: Uint8Array) => this.touch(f, e, 0, e.length, src);
    return {
      takes: (f) => RS_FAMILIES.has(f),
      announce: (f, buf, off, len, set, pathId) => {
        if (!rib.announce(f, buf, off, len, src, pathId, set)) return;
        this.touch(f, buf, off, len, src);
        this.flush();
      },
      withdraw: (f, entry, pathId) => {
        if (!rib.withdraw(f, entry, 0, entry.length, src, pathId)) return false;
        touch(f, entry);
        this.flush();
        return true;
      },
      withdrawAll: (family) => {
        const n = rib.withdrawSource(src, family, false, touch);
        this.flush();
        return n;
      },
    };
  }

  /**
   * The client's session is up: its BGP identifier breaks ties (RFC 4271 §9.1.2.2 f); the families it negotiated
   * ADD-PATH for with us sending decide how it is exported. Called before its Adj-RIB-Out is attached, so a
   * change of way is sent as the session's initial table.
   */
  up(
    n: ServerNeighbor,
    peerRouterId: Uint8Array,
    peerAs: number,
    addPathSend: ReadonlySet<FamilyKey> = new Set(),
  ): void {
    const c = this.clients.get(n);
    if (!c) return;
    this.rib.source(c.source).routerId = readU32(peerRouterId, 0);
    c.peerAs = peerAs;
    c.policy.peerAs = peerAs;
    c.received = 0;
    c.overLimit = false;
    const had = c.addPath;
    c.addPath = new Set([...RS_FAMILIES].filter((f) => addPathSend.has(f)));
    this.addPathClients = [...this.clients.values()].filter((x) => x.addPath.size > 0);
    for (const [f, t] of this.dests) {
      if (had.has(f) === c.addPath.has(f)) continue;
      if (c.addPath.has(f)) {
        // Its column is given up: the cells stay zero and exportDest skips it.
        t.dropView(c.slot);
        n.ribOut.setView(f, null);
        for (let d = 0; d < t.n; d++) if (t.best[d] !== 0) this.placeAll(c, t, d);
        continue;
      }
      // Its table holds only what placeAll put there (the written routes are in the Loc-RIB: adopt()).
      const held: [Uint8Array, number][] = [];
      n.ribOut.forEachAt(f, (buf, off, len, pathId) => held.push([buf.slice(off, off + len), pathId]));
      for (const [entry, pathId] of held) n.ribOut.withdraw(f, entry, pathId, always);
      const v = new ClientView(t, c.slot, (d, src) => this.resolve(c, t, d, src));
      t.addView(c.slot, v);
      n.ribOut.setView(f, v);
      this.exportTable(c, t);
    }
  }

  /** The client's session went down: its paths leave the Loc-RIB and every other client's Adj-RIB-Out. */
  down(n: ServerNeighbor): void {
    const c = this.clients.get(n);
    if (!c) return;
    c.routes.each((f, _pathId, e, slot) => {
      if (c.routes.accepted(slot)) this.touch(f, e, 0, e.length, c.source);
      this.interner.release(c.routes.set(slot));
    });
    c.routes.clear();
    c.blackholes.clear();
    c.accepted = 0;
    c.filtered = 0;
    this.rib.withdrawSource(c.source);
    this.flush();
  }

  /** An UPDATE from a client, with the attribute set interned for it (null: nothing announced). */
  receive(n: ServerNeighbor, u: Update, set: AttrSet | null): void {
    const c = this.clients.get(n);
    if (!c || u.eorFamily !== undefined) return;
    if (u.withdrawn.count > 0) this.walk(c, u.withdrawn, null);
    const mpu = u.attributes.mpUnreach;
    if (mpu && mpu.nlri.count > 0) this.walk(c, mpu.nlri, null);
    const mpr = u.attributes.mpReach;
    // RFC 7606 treat-as-withdraw: every NLRI of the UPDATE is withdrawn.
    const use = u.issues.some((i) => i.action === 'treat-as-withdraw') ? null : set;
    if (u.nlri.count > 0) this.walk(c, u.nlri, use);
    if (mpr && mpr.nlri.count > 0) this.walk(c, mpr.nlri as NlriBlock, use);
    this.flush();
  }

  /** VRPs changed: every route the change covers is judged again (and exported or withdrawn). */
  revalidate(changed: VrpTable): number {
    let n = 0;
    for (const c of this.clients.values()) {
      if (c.policy.rpki === 'off') continue;
      c.routes.each((f, pathId, e, slot) => {
        const v6 = afiOf(f) === AFI.IPV6;
        this.loadAddress(e, 0, v6);
        if (!changed.covers(v6, this.addr, 0, e[0]!)) return;
        n++;
        this.judge(c, f, pathId, e, 0, slot);
      });
    }
    this.flush();
    return n;
  }

  /** The prefix's address bytes of the NLRI entry at buf[off], zero-filled to the family's size, in `addr`. */
  private loadAddress(buf: Uint8Array, off: number, v6: boolean): void {
    const a = this.addr;
    a.fill(0);
    for (let i = 0, n = (buf[off]! + 7) >> 3; i < n && i < (v6 ? 16 : 4); i++) a[i] = buf[off + 1 + i]!;
  }

  /** Each NLRI of a received block: stored, judged, and (when accepted) put in the Loc-RIB. */
  private walk(c: Client, b: NlriBlock, set: AttrSet | null): void {
    if (!RS_FAMILIES.has(b.family)) return;
    const f = b.family;
    const routes = c.routes;
    const d = b.data;
    let off = 0;
    while (off < d.length) {
      let pathId = 0;
      if (b.addPath) {
        pathId = readU32(d, off);
        off += 4;
      }
      const at = off;
      off += 1 + ((d[at]! + 7) >> 3);
      const slot = routes.find(f, pathId, d, at);
      if (set === null) {
        if (slot < 0) continue;
        const old = routes.set(slot);
        const accepted = routes.accepted(slot);
        routes.remove(f, pathId, d, at, slot);
        this.forget(c, f, pathId, d, at, accepted);
        this.interner.release(old);
        continue;
      }
      c.received++;
      this.interner.ref(set);
      if (slot >= 0) {
        this.interner.release(routes.set(slot));
        routes.replaceSet(slot, set);
        this.judge(c, f, pathId, d, at, slot);
      } else this.judge(c, f, pathId, d, at, routes.add(f, pathId, d, at, set, NOT_FOUND), true);
    }
  }

  /** A route that was `accepted` (or not) left: out of the Loc-RIB if it was in, out of the counters. */
  private forget(c: Client, f: FamilyKey, pathId: number, buf: Uint8Array, off: number, accepted: boolean): void {
    if (accepted) {
      c.accepted--;
      this.ribWithdraw(c, f, pathId, buf, off);
    } else c.filtered--;
    const holes = c.blackholes.get(f);
    if (holes !== undefined && holes.size > 0 && holes.delete(keyOf(pathId, buf, off))) return;
    if (accepted) this.spaceChanged(c, f, pathId, buf, off);
  }

  /**
   * A route of the client that is not a blackhole was accepted or left: the client's blackholes it covers are
   * judged again (RFC 7999 §3.2: accepted only inside the client's own space).
   */
  private spaceChanged(c: Client, f: FamilyKey, pathId: number, buf: Uint8Array, off: number): void {
    const holes = c.blackholes.get(f);
    if (!holes || holes.size === 0) return;
    const k = keyOf(pathId, buf, off);
    for (const h of holes) {
      if (!keyCovers(k, h)) continue;
      const e = Buffer.from(h, 'latin1');
      const slot = c.routes.find(f, readU32(e, 0), e, 4);
      if (slot >= 0) this.judge(c, f, readU32(e, 0), e, 4, slot);
    }
  }

  private ribWithdraw(c: Client, f: FamilyKey, pathId: number, buf: Uint8Array, off: number): void {
    const len = 1 + ((buf[off]! + 7) >> 3);
    if (this.rib.withdraw(f, buf, off, len, c.source, pathId)) this.touch(f, buf, off, len, c.source);
  }

  /**
   * Runs the import filters on the stored route in `slot` (NLRI entry at buf[off]) and applies the verdict (the
   * route's counters follow). `fresh`: just added, never judged.
   */
  private judge(
    c: Client,
    f: FamilyKey,
    pathId: number,
    buf: Uint8Array,
    off: number,
    slot: number,
    fresh = false,
  ): void {
    const routes = c.routes;
    const set = routes.set(slot);
    const v6 = afiOf(f) === AFI.IPV6;
    const len = buf[off]!;
    this.loadAddress(buf, off, v6);
    const wasAccepted = !fresh && routes.accepted(slot);
    if (!fresh) {
      if (wasAccepted) c.accepted--;
      else c.filtered--;
    }
    const a = set.attributes;
    const verdict = checkImport(
      { v6, buf: this.addr, off: 0, len, attributes: a, nextHop: v6 ? set.nextHop : a.nextHop },
      c.policy,
      { rpki: this.rpki, ownCovering: (v, b, o, l) => this.ownCovering(c, f, v, b, o, l) },
    );
    let reason = verdict.reason;
    if (reason === undefined && !wasAccepted) reason = this.overLimit(c, f, slot);
    routes.judged(f, slot, reason, verdict.rpki);
    let holes = c.blackholes.get(f);
    if (verdict.blackhole) {
      if (!holes) c.blackholes.set(f, (holes = new Set()));
      holes.add(keyOf(pathId, buf, off));
    } else if (holes !== undefined && holes.size > 0) holes.delete(keyOf(pathId, buf, off));
    if (reason !== undefined) {
      c.filtered++;
      if (wasAccepted) {
        this.ribWithdraw(c, f, pathId, buf, off);
        if (!verdict.blackhole) this.spaceChanged(c, f, pathId, buf, off);
      }
      return;
    }
    c.accepted++;
    const use = c.policy.rpki === 'tag' ? this.tag(set, c.neighbor.localAs, verdict.rpki) : set;
    const n = 1 + ((len + 7) >> 3);
    if (this.rib.announce(f, buf, off, n, c.source, pathId, use)) this.touch(f, buf, off, n, c.source);
    if (!wasAccepted && !verdict.blackhole) this.spaceChanged(c, f, pathId, buf, off);
  }

  /**
   * RFC 7999 blackholes: does the client have an accepted route covering the prefix (its own space)? Its other
   * blackholes are not its space.
   */
  private ownCovering(c: Client, f: FamilyKey, v6: boolean, buf: Uint8Array, off: number, len: number): boolean {
    const routes = c.routes;
    const holes = c.blackholes.get(f);
    const e = new Uint8Array(1 + (v6 ? 16 : 4));
    for (let l = len - 1; l >= 0; l--) {
      e.fill(0);
      e[0] = l;
      for (let i = 0; i < (l + 7) >> 3; i++) e[1 + i] = buf[off + i]!;
      if (l & 7) e[(l >> 3) + 1]! &= (0xff << (8 - (l & 7))) & 0xff;
      const slot = routes.find(f, 0, e, 0);
      if (slot >= 0 && routes.accepted(slot) && !holes?.has(keyOf(0, e, 0))) return true;
    }
    return false;
  }

  /**
   * The max-prefix rule (RFC 7948 §4.6) for one more accepted route (in `slot`) of family `f`: a reason to refuse
   * it, or undefined. The limit is per family, as FRR and BIRD count and as the Cease data names one AFI/SAFI
   * (RFC 4486 §4); the total over the families is a cheap first look (it is never below one family's count).
   */
  private overLimit(c: Client, f: FamilyKey, slot: number): FilterReason | undefined {
    const mp = c.neighbor.cfg.filter?.maxPrefix;
    if (!mp || c.accepted < mp.limit) return undefined;
    if (c.routes.acceptedIn(f) - (c.routes.accepted(slot) ? 1 : 0) < mp.limit) return undefined;
    const n = c.neighbor;
    if (!c.overLimit) {
      c.overLimit = true;
      n.log.warning(`route server: ${n.cfg.peerAddress} is over its max-prefix ${mp.limit} (${mp.action})`);
      if (mp.action === 'teardown') {
        // RFC 4486 §4: Cease, Maximum Number of Prefixes Reached, with AFI, SAFI and the limit as data.
        const data = new Uint8Array(7);
        data[0] = f >> 16;
        data[1] = (f >> 8) & 0xff;
        data[2] = f & 0xff;
        new DataView(data.buffer).setUint32(3, mp.limit);
        // Not from inside the UPDATE being read: stopping the session takes the client's routes away (down()) at
        // once, and the rest of this UPDATE (refused as over the limit meanwhile) would find them gone.
        queueMicrotask(() => void n.peer.stop(data, CeaseSubcode.MAX_PREFIXES));
        clearTimeout(c.restartTimer);
        c.restartTimer = setTimeout(() => n.peer.start(), mp.restartMinutes * 60_000);
        c.restartTimer.unref();
      }
    }
    return mp.action === 'warn' ? undefined : 'max-prefix';
  }

  private tag(set: AttrSet, rsAs: number, state: OriginState): AttrSet {
    let by = this.tagged.get(set);
    if (!by) this.tagged.set(set, (by = []));
    const hit = by[state];
    if (hit) return hit;
    const a = set.attributes;
    const tag = state === VALID ? 1 : state === NOT_FOUND ? 2 : 3;
    const large: [number, number, number][] = [...(a.largeCommunities ?? []), [rsAs, RPKI_TAG, tag]];
    const out = this.interner.intern({ ...a, largeCommunities: large }, set.nextHop);
    by[state] = out;
    return out;
  }

  /** The path of `source` at the destination buf[off, off + len) changed. */
  private touch(f: FamilyKey, buf: Uint8Array, off: number, len: number, source: number): void {
    const t = this.dests.get(f);
    if (!t) return;
    let log = this.touched.get(t);
    if (!log) this.touched.set(t, (log = []));
    log.push(t.number(buf, off, len), source);
  }

  /** Export every destination touched since the last flush to every client. */
  private flush(): void {
    if (this.touched.size === 0) return;
    for (const [t, log] of this.touched) {
      for (let i = 0; i < log.length; i += 2) this.exportDest(t, log[i]!, log[i + 1]!);
      for (const c of this.addPathClients) {
        if (!c.addPath.has(t.family)) continue;
        for (let i = 0; i < log.length; i += 2) this.placeAll(c, t, log[i]!);
      }
      for (const v of t.views) if (v?.woke) v.wake();
      t.reclaim();
    }
    this.touched.clear();
  }

  /** Does the set carry action communities (for any AS the route server has towards a client)? */
  private hasActs(set: AttrSet): boolean {
    let a = this.acts.get(set);
    if (a === undefined) {
      const attrs = set.attributes;
      a = this.rsAses.some((rs) => hasActions(attrs, rs));
      this.acts.set(set, a);
    }
    return a;
  }

  private grabScratch(n: number): Int32Array {
    if (n >= this.scratch.length) {
      const g = new Int32Array(this.scratch.length * 2);
      g.set(this.scratch);
      this.scratch = g;
    }
    return this.scratch;
  }

  /**
   * Destination d changed (the path of source `changed`): what each client is to have is decided again, and a
   * client whose choice differs, or is the path that changed, gets d queued. When no path carries action
   * communities (the common case), every client gets the best path but the best path's own client, which gets
   * the best of the others: one decision per destination, not one per client.
   */
  private exportDest(t: DestTable, d: number, changed: number): void {
    const rib = this.rib;
    const h = rib.headAt(t.family, t.keys, t.entryOff(d), t.entryLen(d));
    const views = t.views;
    const slotSource = this.slotSource;
    const mark = changed + 1;
    if (h < 0) {
      t.best[d] = 0;
      t.bestSet[d] = undefined;
      for (let ci = 0; ci < views.length; ci++) {
        const v = views[ci];
        if (v) v.put(d, 0, mark);
      }
      t.toLimbo(d);
      return;
    }
    const best = rib.slotSource(h);
    const bestSet = rib.slotSet(h);
    // A route written for one client goes to that client only: each client's choice differs then too.
    let plain = !this.hasActs(bestSet) && this.localOf[best] === undefined;
    let n = 0;
    for (let s = rib.slotNext(h); s >= 0; s = rib.slotNext(s)) {
      if (plain && (this.hasActs(rib.slotSet(s)) || this.localOf[rib.slotSource(s)] !== undefined)) plain = false;
      if (rib.slotSource(s) !== best) this.grabScratch(n)[n++] = s;
    }
    t.bestSet[d] = bestSet;
    t.best[d] = (best + 1) | (plain ? 0 : MIXED);
    if (plain) {
      const alt = n === 0 ? 0 : rib.slotSource(this.scratch[n === 1 ? 0 : rib.bestOf(this.scratch, n)]!) + 1;
      for (let ci = 0; ci < views.length; ci++) {
        const v = views[ci];
        if (v) v.put(d, slotSource[ci] === best ? alt : best + 1, mark);
      }
      return;
    }
    for (let ci = 0; ci < views.length; ci++) {
      const v = views[ci];
      if (v) v.put(d, this.chooseAt(this.slots[ci]!, h), mark);
    }
  }

  /**
   * The source (+ 1, 0: none) of the best of the paths from list head `h` that may go to client `c`
   * (RFC 7947 §2.3.2.1: chosen per client, so that a path the client may not have does not hide the others).
   */
  private chooseAt(c: Client, h: number): number {
    const rib = this.rib;
    const rsAs = c.neighbor.localAs;
    let n = 0;
    for (let s = h; s >= 0; s = rib.slotNext(s)) {
      const src = rib.slotSource(s);
      if (src === c.source || (src !== c.localSource && this.localOf[src] !== undefined)) continue;
      if (
        src !== c.localSource &&
        this.hasActs(rib.slotSet(s)) &&
        !exportAction(rib.slotSet(s).attributes, rsAs, c.peerAs).send
      )
        continue;
      // The overall best, when it may go, is also the best of any subset holding it (RFC 4271 §9.1.2.2).
      if (s === h) return rib.slotSource(h) + 1;
      this.grabScratch(n)[n++] = s;
    }
    if (n === 0) return 0;
    return rib.slotSource(this.scratch[n === 1 ? 0 : rib.bestOf(this.scratch, n)]!) + 1;
  }

  /** A client that joined gets every destination the route server holds. */
  private exportAll(c: Client): void {
    for (const t of this.dests.values()) this.exportTable(c, t);
  }

  private exportTable(c: Client, t: DestTable): void {
    const v = t.views[c.slot]!;
    for (let d = 0; d < t.n; d++) {
      if (t.best[d] === 0) continue;
      const h = this.rib.headAt(t.family, t.keys, t.entryOff(d), t.entryLen(d));
      if (h >= 0) v.put(d, this.chooseAt(c, h), 0);
    }
  }

  /**
   * What an ADD-PATH client's Adj-RIB-Out holds for destination d of `t`: every other client's path that its
   * action communities let go to it, with the prepends they ask for, each under its PathIds identifier (RFC 7947
   * §2.3.2.2), and the routes written for it, as written under their own path ids; whatever else it held there
   * is withdrawn.
   */
  private placeAll(c: Client, t: DestTable, d: number): void {
    const rib = this.rib;
    const out = c.neighbor.ribOut;
    const f = t.family;
    const entry = t.entry(d);
    const rsAs = c.neighbor.localAs;
    const want = new Map<number, AttrSet>();
    for (let s = rib.headAt(f, entry, 0, entry.length); s >= 0; s = rib.slotNext(s)) {
      const src = rib.slotSource(s);
      let set = rib.slotSet(s);
      if (src === c.localSource) {
        want.set(rib.slotPathId(s), set);
        continue;
      }
      if (src === c.source || this.localOf[src] !== undefined) continue;
      if (this.hasActs(set)) {
        const act = exportAction(set.attributes, rsAs, c.peerAs);
        if (!act.send) continue;
        const from = this.bySource[src];
        if (from && act.prepend > 0) set = this.prepend(set, from.peerAs, act.prepend);
      }
      want.set(this.ids.id(src, rib.slotPathId(s)), passOnSet(this.interner, set));
    }
    for (const p of out.paths(f, entry)) if (!want.has(p.pathId)) out.withdraw(f, entry, p.pathId, always);
    for (const [id, set] of want) out.announceAt(f, entry, 0, entry.length, set, id, always);
  }

  /**
   * The set client `c` is sent for destination d of `t`, whose cell names source `src`: the best path's set
   * when that is the source and no action community makes clients differ, else the best of that source's paths
   * that may go to the client, with the prepends it asks for. Transparent (RFC 7947 §2.2) but for unknown
   * optional non-transitive attributes (RFC 4271 §9.1.3).
   */
  private resolve(c: Client, t: DestTable, d: number, src: number): AttrSet | undefined {
    const best = t.best[d]!;
    if (best === src + 1) return passOnSet(this.interner, t.bestSet[d]!);
    const rib = this.rib;
    // A route written for the client goes as written (the best of them when several path ids were written).
    if (src === c.localSource) {
      let n = 0;
      for (let s = rib.headAt(t.family, t.keys, t.entryOff(d), t.entryLen(d)); s >= 0; s = rib.slotNext(s))
        if (rib.slotSource(s) === src) this.grabScratch(n)[n++] = s;
      return n === 0 ? undefined : rib.slotSet(this.scratch[n === 1 ? 0 : rib.bestOf(this.scratch, n)]!);
    }
    const rsAs = c.neighbor.localAs;
    let n = 0;
    for (let s = rib.headAt(t.family, t.keys, t.entryOff(d), t.entryLen(d)); s >= 0; s = rib.slotNext(s)) {
      if (rib.slotSource(s) !== src) continue;
      if (this.hasActs(rib.slotSet(s)) && !exportAction(rib.slotSet(s).attributes, rsAs, c.peerAs).send) continue;
      this.grabScratch(n)[n++] = s;
    }
    if (n === 0) return undefined;
    let set = rib.slotSet(this.scratch[n === 1 ? 0 : rib.bestOf(this.scratch, n)]!);
    const from = this.bySource[src];
    if (from && this.hasActs(set)) {
      const prepend = exportAction(set.attributes, rsAs, c.peerAs).prepend;
      if (prepend > 0) set = this.prepend(set, from.peerAs, prepend);
    }
    return passOnSet(this.interner, set);
  }

  /** The path client `c` gets of a destination's paths, and the prepends its action communities ask for. */
  private choose(c: Client, paths: RibPath[]): { path: RibPath; prepend: number } | undefined {
    const rsAs = c.neighbor.localAs;
    const cand: RibPath[] = [];
    let prepend = 0;
    // The routes written for the client go as written, action communities or not.
    const action = (p: RibPath) =>
      p.source === c.localSource ? { send: true, prepend: 0 } : exportAction(p.set.attributes, rsAs, c.peerAs);
    for (const p of paths) {
      if (p.source === c.source || (p.source !== c.localSource && this.localOf[p.source] !== undefined)) continue;
      const act = action(p);
      if (!act.send) continue;
      // The overall best, when it may go, is also the best of any subset holding it (RFC 4271 §9.1.2.2).
      if (p.best) return { path: p, prepend: act.prepend };
      cand.push(p);
      prepend = act.prepend;
    }
    if (cand.length <= 1) return cand.length === 0 ? undefined : { path: cand[0]!, prepend };
    const cands: Candidate[] = cand.map((p) => this.rib.candidate(p));
    const chosen = cand[this.decision.best(cands.length, (i) => cands[i]!)]!;
    return { path: chosen, prepend: action(chosen).prepend };
  }

  /** The path with the announcing client's AS `n` more times in front (action community). */
  private prepend(set: AttrSet, asn: number, n: number): AttrSet {
    let by = this.prepended.get(set);
    if (!by) this.prepended.set(set, (by = []));
    const hit = by[n];
    if (hit) return hit;
    const a = set.attributes;
    const path = (a.asPath ?? []).map((s) => ({ type: s.type, asns: s.asns.slice() }));
    const extra = Array.from({ length: n }, () => asn);
    if (path[0]?.type === SegmentType.AS_SEQUENCE && path[0].asns.length + n <= 255) path[0].asns.unshift(...extra);
    else path.unshift({ type: SegmentType.AS_SEQUENCE, asns: extra });
    const out = this.interner.intern({ ...a, asPath: path }, set.nextHop);
    by[n] = out;
    return out;
  }

  // Read-only views for the looking glass (daemon/show-rib.ts, http/loc-rib.ts): nothing else reads the
  // clients' stored routes, so their storage can change without the looking glass knowing.

  /** Every route the clients sent for one destination (NLRI entry bytes), accepted or refused, with its verdict. */
  sentFor(f: FamilyKey, entry: Uint8Array): SentRoute[] {
    const out: SentRoute[] = [];
    for (const c of this.clients.values()) {
      const routes = c.routes;
      // A client that may send ADD-PATH (RFC 7911) may have several path ids.
      for (const pathId of routes.pathIds(f)) {
        const slot = routes.find(f, pathId, entry, 0);
        if (slot < 0) continue;
        const s: SentRoute = { client: c.neighbor.cfg.peerAddress, source: c.source, pathId, set: routes.set(slot) };
        if (c.policy.rpki !== 'off') s.rpki = routes.rpki(slot);
        const reason = routes.reason(slot);
        if (reason !== undefined) s.reason = reason;
        out.push(s);
      }
    }
    return out;
  }

  /**
   * What the route server sends the client at `address` for a destination: each path of the Loc-RIB with what
   * became of it for that client (sent, with the prepends its action communities ask for; the client's own; a
   * route written for another client; kept away by an action community; beaten among the paths that may go).
   * Undefined when no client has that address.
   */
  exportFor(address: string, f: FamilyKey, entry: Uint8Array): ExportView | undefined {
    const c = [...this.clients.values()].find((x) => x.neighbor.cfg.peerAddress === address);
    if (!c) return undefined;
    const paths = this.rib.paths(f, entry);
    const pick = this.choose(c, paths);
    const view: ExportView = { client: address, paths: [] };
    // An ADD-PATH client is sent every path it may have: its written routes, the other clients' that may go.
    const every = c.addPath.has(f);
    for (const p of paths) {
      const act = exportAction(p.set.attributes, c.neighbor.localAs, c.peerAs);
      const mine = p.source === c.localSource;
      if (every && (mine || (p.source !== c.source && this.localOf[p.source] === undefined && act.send))) {
        const prepend = mine ? 0 : act.prepend;
        view.paths.push({ path: p, fate: 'sent', prepend, prependAs: this.bySource[p.source]?.peerAs ?? 0 });
      } else if (pick !== undefined && p === pick.path) {
        const from = this.bySource[p.source];
        view.paths.push({ path: p, fate: 'sent', prepend: pick.prepend, prependAs: from?.peerAs ?? 0 });
      } else if (p.source === c.source) view.paths.push({ path: p, fate: 'own' });
      else if (p.source !== c.localSource && this.localOf[p.source] !== undefined)
        view.paths.push({ path: p, fate: 'other-client' });
      else if (p.source !== c.localSource && !act.send) view.paths.push({ path: p, fate: 'action-community' });
      else view.paths.push({ path: p, fate: 'beaten' });
    }
    return view;
  }
}

/** A route one client sent, as the looking glass shows it. */
export interface SentRoute {
  client: string;
  /** The client's source number in the Loc-RIB. */
  source: number;
  pathId: number;
  set: AttrSet;
  /** Why the import filters refused it; absent when accepted. */
  reason?: FilterReason;
  /** RFC 6811 state found on import; absent for a client whose filters do not validate (`rpki off`). */
  rpki?: OriginState;
}

/** What became of one Loc-RIB path in the export to one client. */
export type ExportFate =
  | { path: RibPath; fate: 'sent'; prepend: number; prependAs: number }
  /** own: the client's; other-client: written (configuration, program) for another client only. */
  | { path: RibPath; fate: 'own' | 'other-client' | 'action-community' | 'beaten' };

export interface ExportView {
  client: string;
  /** The destination's paths, best first, each with its fate for this client (one `sent`, all under ADD-PATH). */
  paths: ExportFate[];
}

/** The guard of the route server's own Adj-RIB-Out changes for ADD-PATH clients: they decide those routes. */
const always = (): boolean => true;

/** The key of a blackhole route (Client.blackholes): path id (4 bytes) then the NLRI entry at d[off], as latin1. */
function keyOf(pathId: number, d: Uint8Array, off: number): string {
  let s = String.fromCharCode(pathId >>> 24, (pathId >>> 16) & 255, (pathId >>> 8) & 255, pathId & 255);
  for (let i = 0, len = 1 + ((d[off]! + 7) >> 3); i < len; i++) s += String.fromCharCode(d[off + i]!);
  return s;
}

/** True when the NLRI of key `a` is shorter than that of key `b` and covers it (path ids aside). */
function keyCovers(a: string, b: string): boolean {
  const la = a.charCodeAt(4);
  if (la >= b.charCodeAt(4)) return false;
  const whole = la >> 3;
  for (let i = 0; i < whole; i++) if (a.charCodeAt(5 + i) !== b.charCodeAt(5 + i)) return false;
  const rest = la & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a.charCodeAt(5 + whole) & mask) === (b.charCodeAt(5 + whole) & mask);
}

/** A client's import policy from its configuration (`filter { }` with the defaults filled in). */
export function policyOf(n: ServerNeighbor): ImportPolicy {
  const f = n.cfg.filter!;
  const nextHops = f.nextHops === undefined ? [ipBytes(n.cfg.peerAddress)!] : f.nextHops.map((h) => ipBytes(h)!);
  return {
    peerAs: n.cfg.peerAs === 'auto' ? 0 : n.cfg.peerAs,
    nextHops,
    v4Lengths: f.v4Lengths,
    v6Lengths: f.v6Lengths,
    maxAsPathLength: f.maxAsPathLength,
    bogons: f.bogons,
    firstAs: f.firstAs,
    prefixList: f.prefixList?.set,
    asSet: f.asSet?.set,
    rpki: f.rpki,
    blackhole: f.blackhole,
  };
}
