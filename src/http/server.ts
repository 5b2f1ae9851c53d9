// The daemon's one HTTP server (off unless tsbgp.http.port is set): the JSON API (docs/HTTP.md, web/openapi.json),
// /metrics for Prometheus, /healthz and /readyz, and the looking glass page (web/). Read-only unless a bearer
// token is configured; the write API then announces and withdraws routes and flow rules through the same
// command parser and FlowSpec guard as an API process. It listens on loopback unless told otherwise: put a
// reverse proxy in front to publish it (docs/OPERATIONS.md).

import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Env } from '../config/env';
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

/** The token of tsbgp.http.token, else the first line of tsbgp.http.tokenfile, else '' (read-only). */
export function readToken(token: string, tokenFile: string): string {
  if (token !== '') return token;
  if (tokenFile === '') return '';
  let text: string;
  try {
    text = fs.readFileSync(tokenFile, 'utf8');
  } catch (e) {
    throw new Error(`${tokenFile}: can not read tsbgp.http.tokenfile: ${(e as Error).message}`);
  }
  const t = text.split('\n')[0]!.trim();
  if (t === '') throw new Error(`${tokenFile}: tsbgp.http.tokenfile is empty`);
  return t;
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

export class HttpServer {
  private readonly server: http.Server;
  readonly metrics: Registry;
  /** Community names and the RPKI validator, for route views. */
  readonly view: ViewContext;

  constructor(
    readonly d: Daemon,
    readonly opts: HttpOptions,
  ) {
    this.metrics = daemonMetrics(d);
    this.view = { names: opts.names, rpki: d.rpki };
    this.server = http.createServer((req, res) => {
      serveRoutes(this, req, res).catch((e: Error) => {
        d.log.error(`http: ${req.method} ${req.url}: ${e.message}`, { component: 'http' });
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'internal error' }));
        } else res.destroy();
      });
    });
    // A slow or idle client must not hold sockets for long: the looking glass asks small questions.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Whether a request may use the write API. */
  authorized(req: http.IncomingMessage): boolean {
    return tokenMatches(req.headers.authorization, this.opts.token);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (e: Error) =>
        reject(new Error(`http: can not listen on ${this.opts.bind}:${this.opts.port}: ${e.message}`));
      this.server.once('error', fail);
      this.server.listen(this.opts.port, this.opts.bind, () => {
        this.server.off('error', fail);
        this.server.on('error', (e) => this.d.log.error(`http: ${e.message}`, { component: 'http' }));
        resolve();
      });
    });
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

/** The server the settings ask for (tsbgp.http.*), listening; null when tsbgp.http.port is 0 (off). */
export async function startHttp(d: Daemon, env: Env['http'], ready: () => boolean): Promise<HttpServer | null> {
  if (env.port === 0) return null;
  const token = readToken(env.token, env.tokenfile);
  const s = new HttpServer(d, { port: env.port, bind: env.bind, token, names: CommunityNames.load(env.names), ready });
  await s.listen();
  d.log.info(
    `http: listening on ${env.bind} port ${s.address.port}, ${token === '' ? 'read-only' : 'write API on (bearer token)'}`,
    { component: 'http' },
  );
  return s;
}
