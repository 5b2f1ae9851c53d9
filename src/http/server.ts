// The daemon's one HTTP server (off unless tsbgp.http.port is set): the JSON API (docs/HTTP.md, web/openapi.json),
// /metrics for Prometheus, /healthz and /readyz, and the looking glass page (web/). Read-only unless a bearer
// token is configured; the write API then announces and withdraws routes and flow rules through the same
// command parser and FlowSpec guard as an API process. It listens on loopback unless told otherwise: put a
// reverse proxy in front to publish it (docs/OPERATIONS.md).

import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { type HttpSettings, readToken } from '../config/http';
import type { Daemon } from '../daemon/daemon';
import { CommunityNames } from './communities';
import { serveRoutes } from './handlers';
import { daemonMetrics } from './metrics';
import type { ViewContext } from './route-view';

export interface HttpOptions {
  port: number;
  /** Address to listen on (default 127.0.0.1). */
  bind: string;
  /** Bearer token of the write API; '' keeps the server read-only. */
  token: string;
  names: CommunityNames;
  /** False while the daemon is not (or no longer) ready: /readyz answers 503. */
  ready: () => boolean;
}

/**
 * Whether an Authorization header carries the token. Both sides are hashed first so that the comparison takes
 * the same time whatever the lengths, and timingSafeEqual takes the same time whatever the bytes.
 */
export function tokenMatches(header: string | undefined, token: string): boolean {
  if (token === '' || header === undefined) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** The addresses that stand for every address of their family. */
const WILDCARD = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

export class HttpServer {
  private server: http.Server;
  readonly metrics: Registry;
  /** Community names and the RPKI validator, for route views. */
  readonly view: ViewContext;

  constructor(
    readonly d: Daemon,
    readonly opts: HttpOptions,
  ) {
    this.metrics = daemonMetrics(d);
    this.view = { names: opts.names, rpki: d.rpki };
    this.server = this.makeServer();
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => {
      serveRoutes(this, req, res).catch((e: Error) => {
        this.d.log.error(`http: ${req.method} ${req.url}: ${e.message}`, { component: 'http' });
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'internal error' }));
        } else res.destroy();
      });
    });
    // A slow or idle client must not hold sockets for long: the looking glass asks small questions.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    return server;
  }

  /** Whether a request may use the write API. */
  authorized(req: http.IncomingMessage): boolean {
    return tokenMatches(req.headers.authorization, this.opts.token);
  }

  listen(): Promise<void> {
    return this.listenOn(this.server, this.opts.bind, this.opts.port);
  }

  private listenOn(server: http.Server, bind: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(new Error(`http: can not listen on ${bind}:${port}: ${e.message}`));
      server.once('error', fail);
      server.listen(port, bind, () => {
        server.off('error', fail);
        server.on('error', (e) => this.d.log.error(`http: ${e.message}`, { component: 'http' }));
        resolve();
      });
    });
  }

  /**
   * Listens on another address and port. The new socket is opened before the old one closes, so that a port
   * that cannot be taken leaves the server where it was. On the same port, the wildcard address and one of its
   * addresses exclude each other: that move is refused, and the error says that it needs a restart.
   */
  async move(bind: string, port: number): Promise<void> {
    const next = this.makeServer();
    try {
      await this.listenOn(next, bind, port);
    } catch (e) {
      if (port !== this.opts.port || !(WILDCARD.has(bind) || WILDCARD.has(this.opts.bind))) throw e;
      throw new Error(
        `${(e as Error).message} (port ${port} is held by the current address: restart tsbgp to move it)`,
      );
    }
    const old = this.server;
    this.server = next;
    this.opts.bind = bind;
    this.opts.port = port;
    old.close();
    old.closeAllConnections();
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

const mode = (token: string): string => (token === '' ? 'read-only' : 'write API on (bearer token)');

/** The server the settings ask for (tsbgp.http.*, the configuration's http section), listening; null when the port is 0 (off). */
export async function startHttp(d: Daemon, env: HttpSettings, ready: () => boolean): Promise<HttpServer | null> {
  if (env.port === 0) return null;
  const token = readToken(env.token, env.tokenfile);
  const s = new HttpServer(d, { port: env.port, bind: env.bind, token, names: CommunityNames.load(env.names), ready });
  await s.listen();
  d.log.info(`http: listening on ${env.bind} port ${s.address.port}, ${mode(token)}`, { component: 'http' });
  return s;
}

/**
 * The server after a reload, as `want` now asks: started, stopped, moved to another address or port, or given
 * its token and community names read again; each change is logged. A change that fails (a port taken, a file
 * gone since the configuration was checked) is logged as an error and the server goes on as it was: a reload
 * never takes the HTTP server down by mistake.
 */
export async function reloadHttp(
  d: Daemon,
  s: HttpServer | null,
  want: HttpSettings,
  ready: () => boolean,
): Promise<HttpServer | null> {
  const log = d.log.with({ component: 'http' });
  try {
    if (s === null) return await startHttp(d, want, ready);
    if (want.port === 0) {
      await s.close();
      log.info('http: stopped: the configuration turns the server off (port 0)');
      return null;
    }
    const token = readToken(want.token, want.tokenfile);
    const names = CommunityNames.load(want.names);
    const was = `${s.opts.bind} port ${s.opts.port}`;
    if (want.bind !== s.opts.bind || want.port !== s.opts.port) {
      await s.move(want.bind, want.port);
      log.info(`http: now listening on ${want.bind} port ${s.address.port} (was ${was})`);
    }
    if (token !== s.opts.token)
      log.info(s.opts.token !== '' && token !== '' ? 'http: bearer token replaced' : `http: ${mode(token)}`);
    s.opts.token = token;
    s.opts.names = names;
    s.view.names = names;
    return s;
  } catch (e) {
    log.error(
      `http: reload not applied to the HTTP server: ${(e as Error).message}; ${s === null ? 'it stays off' : `it stays on ${s.opts.bind} port ${s.opts.port}, ${mode(s.opts.token)}`}`,
    );
    return s;
  }
}
