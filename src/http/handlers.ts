// The HTTP server's endpoints (docs/HTTP.md lists them, web/openapi.json describes them). Each answer is JSON,
// except /metrics (Prometheus text), the NDJSON stream of a whole Adj-RIB and the looking glass's files.

import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import type { Neighbor } from '../daemon/neighbor';
import { parseCommunityQuery } from './communities';
import { filteredRoutes, locRibs, ribLookup, ribRoutes, ribSummary } from './loc-rib';
import { byCommunity, byOriginAs, findRoutes, lookupPrefix, parsePrefixQuery } from './lookup';
import { routeView } from './route-view';
import type { HttpServer } from './server';
import { flowViews, neighborView } from './views';

type Req = http.IncomingMessage;
type Res = http.ServerResponse;

/** A client error: answered with its status and message, logged at debug only. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

function sendJson(res: Res, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' });
  res.end(body);
}

/** Routes per page when none is asked for, and the most a page may hold. */
const PAGE = 100;
const MAX_PAGE = 1000;

function intParam(u: URL, name: string, dflt: number, max: number): number {
  const v = u.searchParams.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d+$/.test(v) || Number(v) > max)
    throw new HttpError(400, `${name}: expected an integer 0-${max}, got '${v}'`);
  return Number(v);
}

function ribParam(u: URL): 'in' | 'out' {
  const v = u.searchParams.get('rib') ?? 'in';
  if (v !== 'in' && v !== 'out') throw new HttpError(400, `rib: expected 'in' or 'out', got '${v}'`);
  return v;
}

function neighborParam(s: HttpServer, u: URL): string | undefined {
  const v = u.searchParams.get('neighbor') ?? undefined;
  if (v !== undefined && v !== '') findNeighbor(s, v);
  return v || undefined;
}

function findNeighbor(s: HttpServer, ip: string): Neighbor {
  const n = s.d.neighbors.find((x) => x.cfg.peerAddress === ip);
  if (!n) throw new HttpError(404, `no neighbor ${ip}`);
  return n;
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': JSON_TYPE,
  '.svg': 'image/svg+xml',
};

/** The package's web/ folder (the looking glass's files): dist/src/http/ → ../../../web. */
const WEB_DIR = path.resolve(__dirname, '..', '..', '..', 'web');

/** A file of web/ by its plain name (no folders, so no path can leave the folder). */
function serveStatic(res: Res, name: string): void {
  const type = STATIC_TYPES[path.extname(name)];
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name) || type === undefined) throw new HttpError(404, 'not found');
  let body: Buffer;
  try {
    body = fs.readFileSync(path.join(WEB_DIR, name));
  } catch {
    throw new HttpError(404, 'not found');
  }
  res.writeHead(200, {
    'content-type': type,
    'cache-control': 'no-cache',
    // The page loads nothing from elsewhere (no CDN): say so to the browser too.
    'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** Reads a JSON body of at most 64 KiB. */
async function jsonBody(req: Req): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 65536) throw new HttpError(413, 'body larger than 64 KiB');
    chunks.push(c as Buffer);
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `body is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'body must be a JSON object');
  return v as Record<string, unknown>;
}

/** Slices of a streamed RIB: small enough to format in a few milliseconds, then the loop yields. */
const SLICE = 2000;

/**
 * A whole Adj-RIB as NDJSON (one route a line), a slice at a time at the reader's pace: a full table never sits
 * in memory as text, and the event loop serves sessions between slices. Routes that change while the stream
 * runs may be shown as they were or as they are.
 */
async function streamRib(s: HttpServer, res: Res, n: Neighbor, rib: 'in' | 'out'): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  const peer = n.cfg.peerAddress;
  const routes = rib === 'in' ? (n.ribIn?.routes() ?? [][Symbol.iterator]()) : n.ribOut.routes();
  let closed = false;
  res.on('close', () => (closed = true));
  for (;;) {
    const lines: string[] = [];
    let done = false;
    while (lines.length < SLICE) {
      const it = routes.next();
      if (it.done) {
        done = true;
        break;
      }
      const r = it.value;
      const stale = 'stale' in r && r.stale === true;
      lines.push(JSON.stringify(routeView(s.view, peer, rib, r.family, r.entry, r.pathId, r.attributes, stale)));
    }
    if (lines.length > 0 && !res.write(`${lines.join('\n')}\n`))
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    if (done || closed) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  res.end();
}

function ribPage(s: HttpServer, u: URL, n: Neighbor, rib: 'in' | 'out'): unknown {
  const offset = intParam(u, 'offset', 0, 2 ** 31);
  const limit = intParam(u, 'limit', PAGE, MAX_PAGE);
  const peer = n.cfg.peerAddress;
  const all = rib === 'in' ? (n.ribIn?.routes() ?? []) : n.ribOut.routes();
  const routes = [];
  let i = 0;
  for (const r of all) {
    if (i++ < offset) continue;
    if (routes.length >= limit) break;
    const stale = 'stale' in r && r.stale === true;
    routes.push(routeView(s.view, peer, rib, r.family, r.entry, r.pathId, r.attributes, stale));
  }
  const total = rib === 'in' ? (n.ribIn?.size ?? 0) : n.ribOut.size;
  return { neighbor: peer, rib, total, offset, limit, routes };
}

function lookup(s: HttpServer, u: URL): unknown {
  const text = u.searchParams.get('prefix') ?? u.searchParams.get('q');
  if (!text) throw new HttpError(400, 'prefix: expected a prefix (10.0.0.0/24) or an address (10.0.0.1)');
  const q = parsePrefixQuery(text.trim());
  if (!q) throw new HttpError(400, `prefix: '${text}' is neither an IP prefix nor an address`);
  const m = u.searchParams.get('match') ?? (q.address ? 'longest' : 'exact');
  if (m !== 'exact' && m !== 'longest') throw new HttpError(400, `match: expected 'exact' or 'longest', got '${m}'`);
  const rib = ribParam(u);
  const neighbor = neighborParam(s, u);
  const routes = lookupPrefix(s.d, s.view, q, { rib, match: m, ...(neighbor ? { neighbor } : {}) });
  return { query: text, match: m, rib, routes };
}

function search(s: HttpServer, u: URL): unknown {
  const asText = u.searchParams.get('origin-as');
  const comm = u.searchParams.get('community');
  if ((asText === null) === (comm === null)) throw new HttpError(400, "give one of 'origin-as' or 'community'");
  let keep: ReturnType<typeof byOriginAs>;
  if (asText !== null) {
    const a = asText.replace(/^as/i, '');
    if (!/^\d+$/.test(a) || Number(a) > 0xffffffff)
      throw new HttpError(400, `origin-as: '${asText}' is not an AS number`);
    keep = byOriginAs(Number(a));
  } else {
    const c = parseCommunityQuery(comm!.trim());
    if (!c) throw new HttpError(400, `community: '${comm}' is not ASN:VALUE, ASN:LOCAL1:LOCAL2 or a well-known name`);
    keep = byCommunity(c);
  }
  const offset = intParam(u, 'offset', 0, 2 ** 31);
  const limit = intParam(u, 'limit', PAGE, MAX_PAGE);
  const rib = ribParam(u);
  const neighbor = neighborParam(s, u);
  const routes = findRoutes(s.d, s.view, keep, { rib, offset, limit, ...(neighbor ? { neighbor } : {}) });
  return { rib, offset, limit, routes };
}

/** `/api/v1/rib`, `/api/v1/rib/lookup`, `/api/v1/rib/routes`: the Loc-RIB, where a role keeps one. */
function locRibAnswer(s: HttpServer, u: URL): unknown {
  const r = locRibs(s.d);
  if (r.length === 0)
    throw new HttpError(404, 'no Loc-RIB: no neighbor is a route-reflector-client or route-server-client');
  const p = u.pathname;
  if (p === '/api/v1/rib') return ribSummary(s.d, r);
  let a: unknown;
  if (p === '/api/v1/rib/lookup') {
    const text = (u.searchParams.get('prefix') ?? '').trim();
    const q = parsePrefixQuery(text);
    if (!q) throw new HttpError(400, `prefix: '${text}' is neither an IP prefix nor an address`);
    const m = u.searchParams.get('match') ?? (q.address ? 'longest' : 'exact');
    if (m !== 'exact' && m !== 'longest') throw new HttpError(400, `match: expected 'exact' or 'longest', got '${m}'`);
    const client = u.searchParams.get('client');
    if (client !== null && parsePrefixQuery(client)?.address !== true)
      throw new HttpError(400, `client: '${client}' is not an IP address`);
    a = ribLookup(s.d, r, text, m, client ?? undefined);
  } else if (p === '/api/v1/rib/routes') {
    const kind = ['origin-as', 'as-path', 'community'].find((k) => u.searchParams.has(k));
    if (!kind) throw new HttpError(400, "give one of 'origin-as', 'as-path' or 'community'");
    a = ribRoutes(s.d, r, kind, u.searchParams.get(kind)!.trim(), intParam(u, 'limit', PAGE, MAX_PAGE));
  } else throw new HttpError(404, 'not found');
  if (a instanceof Error) throw new HttpError(400, a.message);
  return a;
}

/** The write API: `announce`/`withdraw` of a route or a flow rule, as the command an API process would write. */
async function write(s: HttpServer, req: Req, res: Res, verb: 'announce' | 'withdraw'): Promise<void> {
  if (s.opts.token === '')
    throw new HttpError(
      401,
      'the write API is off: no token is configured (token or token-file in the http section, or tsbgp.http.token)',
    );
  if (!s.authorized(req)) {
    res.setHeader('www-authenticate', 'Bearer realm="tsbgp"');
    throw new HttpError(401, 'missing or wrong bearer token');
  }
  const body = await jsonBody(req);
  const { neighbor, route, flow } = body;
  if ((route === undefined) === (flow === undefined)) throw new HttpError(400, "give one of 'route' or 'flow'");
  const text = route ?? flow;
  if (typeof text !== 'string' || text.trim() === '' || /[\r\n]/.test(text))
    throw new HttpError(400, `'${route !== undefined ? 'route' : 'flow'}' must be one line of text`);
  let selector = '';
  if (neighbor !== undefined) {
    if (typeof neighbor !== 'string' || !s.d.neighbors.some((n) => n.cfg.peerAddress === neighbor))
      throw new HttpError(404, `no neighbor ${String(neighbor)}`);
    selector = `neighbor ${neighbor} `;
  }
  // A flow rule is what goes between the braces of `flow route { }`: `match { ... } then { ... }`.
  const what =
    route !== undefined
      ? `route ${text.trim()}`
      : `flow route { ${text
          .trim()
          .replace(/^\{(.*)\}$/s, '$1')
          .trim()} }`;
  const line = `${selector}${verb} ${what}`;
  const r = s.d.runner.write(line);
  if (r.ok) return sendJson(res, 200, { ok: true, command: line });
  if (r.refusal)
    return sendJson(res, 422, {
      error: r.error,
      command: line,
      reasons: r.refusal.map((f) => ({ code: f.code, message: f.message })),
    });
  sendJson(res, 400, { error: r.error, command: line });
}

async function route(s: HttpServer, req: Req, res: Res, u: URL): Promise<void> {
  const p = u.pathname;
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (req.method === 'POST' && (p === '/api/v1/announce' || p === '/api/v1/withdraw'))
    return write(s, req, res, p === '/api/v1/announce' ? 'announce' : 'withdraw');
  if (!get) throw new HttpError(405, `${req.method} is not allowed here`);
  if (p === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (p === '/readyz') {
    const ready = s.opts.ready();
    return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
  }
  if (p === '/metrics') {
    const text = await s.metrics.metrics();
    res.writeHead(200, { 'content-type': s.metrics.contentType });
    res.end(text);
    return;
  }
  if (p === '/' || p === '/index.html') return serveStatic(res, 'index.html');
  if (p === '/openapi.json') return serveStatic(res, 'openapi.json');
  if (p.startsWith('/static/')) return serveStatic(res, p.slice('/static/'.length));
  if (p === '/api/v1/neighbors') return sendJson(res, 200, { neighbors: s.d.neighbors.map((n) => neighborView(n)) });
  const m = /^\/api\/v1\/neighbors\/([^/]+)(?:\/(adj-rib-in|adj-rib-out))?$/.exec(p);
  if (m) {
    let ip: string;
    try {
      ip = decodeURIComponent(m[1]!);
    } catch {
      throw new HttpError(400, `'${m[1]}' is not a valid neighbor address`);
    }
    const n = findNeighbor(s, ip);
    if (m[2] === undefined) return sendJson(res, 200, neighborView(n));
    const rib = m[2] === 'adj-rib-in' ? 'in' : 'out';
    if (rib === 'in' && !n.ribIn)
      throw new HttpError(404, `neighbor ${n.cfg.peerAddress} keeps no Adj-RIB-In (adj-rib-in false)`);
    if (u.searchParams.get('format') === 'ndjson') return streamRib(s, res, n, rib);
    return sendJson(res, 200, ribPage(s, u, n, rib));
  }
  if (p === '/api/v1/lookup') return sendJson(res, 200, lookup(s, u));
  if (p === '/api/v1/routes') return sendJson(res, 200, search(s, u));
  if (p.startsWith('/api/v1/rib')) return sendJson(res, 200, locRibAnswer(s, u));
  if (p === '/api/v1/filtered') {
    if (!s.d.routeServer) throw new HttpError(404, 'no route server: tsbgp filters no routes (no route-server-client)');
    const neighbor = neighborParam(s, u);
    return sendJson(
      res,
      200,
      filteredRoutes(s.d, neighbor, intParam(u, 'offset', 0, 2 ** 31), intParam(u, 'limit', PAGE, MAX_PAGE)),
    );
  }
  if (p === '/api/v1/flows') {
    const neighbor = neighborParam(s, u);
    return sendJson(res, 200, { now: new Date().toISOString(), flows: flowViews(s.d, neighbor) });
  }
  throw new HttpError(404, 'not found');
}

/** Answers one request; client errors become JSON `{ "error": ... }` with their status. */
export async function serveRoutes(s: HttpServer, req: Req, res: Res): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://tsbgp');
  try {
    await route(s, req, res, u);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    s.d.log.debug(`http: ${req.method} ${u.pathname}: ${e.status} ${e.message}`, { component: 'http' });
    sendJson(res, e.status, { error: e.message });
  }
}
