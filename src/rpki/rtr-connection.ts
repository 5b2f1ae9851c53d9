// One connection to one RPKI cache (RFC 8210 §8 and RFC 6810 §6): the queries, the answers, version fallback.
// The connection buffers an answer from Cache Response to End of Data and hands it over whole, so the VRP table
// never holds half an update (RFC 8210 §5.8: the data is consistent at End of Data).
import * as net from 'node:net';
import {
  decodePdu,
  errorName,
  errorReport,
  PDU,
  pduLength,
  RTR_ERROR,
  RtrDecodeError,
  resetQuery,
  serialQuery,
} from './pdu';

/** What one complete answer carried: prefix PDUs back to back (20 bytes IPv4, 32 bytes IPv6) and End of Data. */
export interface RtrAnswer {
  /** True when it answered a Reset Query (the whole set), false for a Serial Query (changes). */
  reset: boolean;
  prefixes: Uint8Array;
  session: number;
  serial: number;
  version: number;
  refresh?: number;
  retry?: number;
  expire?: number;
}

export interface RtrConnectionEvents {
  answer(a: RtrAnswer): void;
  /** The cache cannot answer a Serial Query and wants a Reset Query (Cache Reset, RFC 8210 §5.9). */
  cacheReset(): void;
  /**
   * Connection lost or refused; `why` for the log. `fallback` = reconnect with this lower version. `desync`: the
   * cache's session is not the one our Serial Query named (RFC 8210 §5.1, a restarted cache): what we knew of
   * it is no use, only a Reset Query can resynchronise.
   */
  closed(why: string, fallback?: number, desync?: boolean): void;
  /** Serial Notify (RFC 8210 §5.2): the cache has newer data. */
  notify(session: number, serial: number): void;
}

export interface RtrState {
  session: number;
  serial: number;
}

export class RtrConnection {
  private sock: net.Socket | undefined;
  private inBuf = new Uint8Array(64 * 1024);
  private inLen = 0;
  private pending: Uint8Array | undefined;
  private pendingLen = 0;
  private pendingReset = false;
  private pendingSession = 0;
  /** Version the cache answered with: fixed after the first PDU (RFC 8210 §7). */
  private agreed: number | undefined;
  private closedOnce = false;
  /** The session our Serial Query named; undefined after a Reset Query. */
  private askedSession: number | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    /** Version to offer: 1 (RFC 8210), or 0 (RFC 6810) after a cache refused 1. */
    readonly version: number,
    private readonly ev: RtrConnectionEvents,
  ) {}

  /** Connects and asks: Serial Query when `state` is known (RFC 8210 §8.2), else Reset Query (§8.1). */
  open(state: RtrState | undefined, timeoutMs: number): void {
    const s = net.connect({ host: this.host, port: this.port });
    this.sock = s;
    s.setNoDelay(true);
    s.setTimeout(timeoutMs, () => this.close(`no connection within ${timeoutMs} ms`));
    s.on('connect', () => {
      s.setTimeout(0);
      this.query(state);
    });
    s.on('data', (d: Buffer) => this.receive(d));
    s.on('error', (e) => this.close(e.message));
    s.on('close', () => this.close('connection closed by the cache'));
  }

  /** Serial Query for `state`, or Reset Query without one. */
  query(state: RtrState | undefined): void {
    const v = this.agreed ?? this.version;
    this.pendingReset = state === undefined;
    this.askedSession = state?.session;
    this.send(state ? serialQuery(v, state.session, state.serial) : resetQuery(v));
  }

  private send(b: Uint8Array): void {
    if (this.sock && !this.sock.destroyed) this.sock.write(b);
  }

  close(why: string, fallback?: number, desync?: boolean): void {
    if (this.closedOnce) return;
    this.closedOnce = true;
    this.sock?.destroy();
    this.ev.closed(why, fallback, desync);
  }

  private receive(d: Buffer): void {
    if (this.inLen + d.length > this.inBuf.length) {
      const n = new Uint8Array(Math.max(this.inBuf.length * 2, this.inLen + d.length));
      n.set(this.inBuf.subarray(0, this.inLen));
      this.inBuf = n;
    }
    this.inBuf.set(d, this.inLen);
    this.inLen += d.length;
    let off = 0;
    try {
      for (;;) {
        const len = pduLength(this.inBuf, off, this.inLen);
        if (len === 0 || off + len > this.inLen) break;
        this.onPdu(off, len);
        if (this.closedOnce) return;
        off += len;
      }
    } catch (e) {
      if (!(e instanceof RtrDecodeError)) throw e;
      this.fail(e.code, e.pdu, e.message);
      return;
    }
    this.inBuf.copyWithin(0, off, this.inLen);
    this.inLen -= off;
  }

  /** Report an error to the cache (RFC 8210 §5.11) and drop the connection (§8.4: errors are fatal). */
  private fail(code: number, pdu: Uint8Array, why: string, desync?: boolean): void {
    // RFC 8210 §5.11: an Error Report is never answered with one (a bad one only ends the connection).
    if (pdu[1] !== PDU.ERROR_REPORT) this.send(errorReport(this.agreed ?? this.version, code, pdu, why));
    this.close(`${errorName(code)}: ${why}`, undefined, desync);
  }

  private onPdu(off: number, len: number): void {
    const buf = this.inBuf;
    const version = buf[off]!;
    const type = buf[off + 1]!;
    if (this.agreed === undefined && type !== PDU.ERROR_REPORT) {
      // RFC 8210 §7: a cache that speaks only a lower version answers in it; we continue in that version.
      if (version > this.version) {
        this.fail(RTR_ERROR.UNEXPECTED_VERSION, buf.slice(off, off + len), `version ${version} not offered`);
        return;
      }
      this.agreed = version;
    } else if (this.agreed !== undefined && version !== this.agreed && type !== PDU.ERROR_REPORT) {
      this.fail(RTR_ERROR.UNEXPECTED_VERSION, buf.slice(off, off + len), `version ${version} after ${this.agreed}`);
      return;
    }
    if (type === PDU.IPV4_PREFIX || type === PDU.IPV6_PREFIX) {
      if (this.pending === undefined) {
        this.fail(RTR_ERROR.CORRUPT_DATA, buf.slice(off, off + len), 'prefix outside a Cache Response');
        return;
      }
      decodePdu(buf, off, len); // checks lengths; the bytes are kept raw for the table
      this.keep(buf.subarray(off, off + len));
      return;
    }
    const p = decodePdu(buf, off, len);
    switch (p.type) {
      case 'cache-response':
        // RFC 8210 §5.1: a session other than the one asked about means the cache restarted; incremental data
        // from it would be applied to a set it never had.
        if (this.askedSession !== undefined && p.session !== this.askedSession) {
          const why = `session ${p.session} answered a Serial Query for session ${this.askedSession}`;
          this.fail(RTR_ERROR.CORRUPT_DATA, buf.slice(off, off + len), why, true);
          return;
        }
        this.pending = new Uint8Array(64 * 1024);
        this.pendingLen = 0;
        this.pendingSession = p.session;
        return;
      case 'end-of-data': {
        if (this.pending === undefined) {
          this.fail(RTR_ERROR.CORRUPT_DATA, buf.slice(off, off + len), 'End of Data without Cache Response');
          return;
        }
        if (p.session !== this.pendingSession) {
          this.fail(RTR_ERROR.CORRUPT_DATA, buf.slice(off, off + len), 'session id changed within an answer');
          return;
        }
        const prefixes = this.pending.subarray(0, this.pendingLen);
        this.pending = undefined;
        this.ev.answer({
          reset: this.pendingReset,
          prefixes,
          session: p.session,
          serial: p.serial,
          version: p.version,
          refresh: p.refresh,
          retry: p.retry,
          expire: p.expire,
        });
        return;
      }
      case 'serial-notify':
        // RFC 8210 §8.2: a hint to ask now; mid-answer it is ignored (the answer under way ends with End of Data).
        if (this.pending === undefined) this.ev.notify(p.session, p.serial);
        return;
      case 'cache-reset':
        this.pending = undefined;
        this.ev.cacheReset();
        return;
      case 'router-key':
        return;
      case 'error-report':
        if (p.code === RTR_ERROR.UNSUPPORTED_VERSION && this.agreed === undefined && this.version > 0) {
          // RFC 8210 §7: an RFC 6810 cache refuses version 1; reconnect speaking version 0.
          this.close(`cache refused version ${this.version}: ${p.text}`, this.version - 1);
          return;
        }
        // RFC 8210 §5.1: a cache that finds the session of our Serial Query is not its own reports Corrupt Data.
        this.close(
          `cache reported ${errorName(p.code)}: ${p.text}`,
          undefined,
          p.code === RTR_ERROR.CORRUPT_DATA && this.askedSession !== undefined,
        );
        return;
      case 'query':
        this.fail(RTR_ERROR.INVALID_REQUEST, buf.slice(off, off + len), 'a cache sent a query');
        return;
      default:
        return;
    }
  }

  /** True between Cache Response and End of Data. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  private keep(pdu: Uint8Array): void {
    let p = this.pending!;
    if (this.pendingLen + pdu.length > p.length) {
      const n = new Uint8Array(p.length * 2);
      n.set(p.subarray(0, this.pendingLen));
      this.pending = p = n;
    }
    p.set(pdu, this.pendingLen);
    this.pendingLen += pdu.length;
  }
}
