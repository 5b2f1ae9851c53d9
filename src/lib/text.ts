// Typed routes and FlowSpec rules (lib/types.ts) written as ExaBGP's text, so that the library's values go
// through the very parsers the configuration and the API use (config/route.ts, flowspec/parse.ts): one set of
// rules and error messages for the three. Every value is checked to be one word first, so a value can never
// add a statement of its own.

import { ConfigError } from '../config/tokenizer';
import { TsbgpError } from './errors';
import type { FlowSpec, Route } from './types';

/** One word of ExaBGP's grammar: none of its separators, quotes or comment sign. */
const WORD = /^[^\s;{}[\]()"'#]+$/;

/** The value as one word, or a TsbgpError naming the field. */
export function word(v: unknown, what: string): string {
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof s !== 'string' || !WORD.test(s))
    throw new TsbgpError(`${what}: ${JSON.stringify(v)} is not a single value (no spaces, quotes or ;{}[]()#)`);
  return s;
}

/** A whole number in [min, max], as text. */
export function integer(v: unknown, what: string, min: number, max: number): string {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new TsbgpError(`${what}: ${JSON.stringify(v)} is not a whole number from ${min} to ${max}`);
  return String(v);
}

const list = (vs: unknown, what: string): string => {
  if (!Array.isArray(vs)) throw new TsbgpError(`${what}: expected a list`);
  return `[ ${vs.map((v, i) => word(v, `${what}[${i}]`)).join(' ')} ]`;
};

/** A route as `PREFIX next-hop ... community [ ... ]`, what `announce route` takes after the word `route`. */
export function routeText(r: Route): string {
  if (r === null || typeof r !== 'object') throw new TsbgpError('a route is an object with at least a prefix');
  const parts = [word(r.prefix, 'prefix')];
  if (r.nextHop !== undefined) parts.push('next-hop', word(r.nextHop, 'nextHop'));
  if (r.origin !== undefined) parts.push('origin', word(r.origin, 'origin'));
  if (r.asPath !== undefined) {
    if (!Array.isArray(r.asPath)) throw new TsbgpError('asPath: expected a list of AS numbers');
    const seg = r.asPath.map((a, i) =>
      Array.isArray(a)
        ? `( ${a.map((x, j) => integer(x, `asPath[${i}][${j}]`, 0, 0xffffffff)).join(' ')} )`
        : integer(a, `asPath[${i}]`, 0, 0xffffffff),
    );
    parts.push('as-path', `[ ${seg.join(' ')} ]`);
  }
  if (r.med !== undefined) parts.push('med', integer(r.med, 'med', 0, 0xffffffff));
  if (r.localPreference !== undefined)
    parts.push('local-preference', integer(r.localPreference, 'localPreference', 0, 0xffffffff));
  if (r.atomicAggregate) parts.push('atomic-aggregate');
  if (r.aggregator !== undefined) parts.push('aggregator', `( ${word(r.aggregator, 'aggregator')} )`);
  if (r.communities !== undefined) parts.push('community', list(r.communities, 'communities'));
  if (r.largeCommunities !== undefined) parts.push('large-community', list(r.largeCommunities, 'largeCommunities'));
  if (r.extendedCommunities !== undefined)
    parts.push('extended-community', list(r.extendedCommunities, 'extendedCommunities'));
  if (r.originatorId !== undefined) parts.push('originator-id', word(r.originatorId, 'originatorId'));
  if (r.clusterList !== undefined) parts.push('cluster-list', list(r.clusterList, 'clusterList'));
  if (r.pathId !== undefined) parts.push('path-information', integer(r.pathId, 'pathId', 0, 0xffffffff));
  return parts.join(' ');
}

/** A redirect target may be `[2001:db8::1]:9`: the brackets are part of the value there. */
const REDIRECT = /^(\[[0-9A-Fa-f:.]+\]:\d+|[^\s;{}[\]()"'#]+)$/;

/** A rule as `{ match { ... } then { ... } }`, what `announce flow route` takes after the word `route`. */
export function flowText(f: FlowSpec): string {
  if (f === null || typeof f !== 'object' || f.match === null || typeof f.match !== 'object')
    throw new TsbgpError('a FlowSpec rule is an object with a match');
  const out: string[] = ['{'];
  if (f.rd !== undefined) out.push(`rd ${word(f.rd, 'rd')};`);
  if (f.nextHop !== undefined) out.push(`next-hop ${word(f.nextHop, 'nextHop')};`);
  out.push('match {');
  for (const [k, v] of Object.entries(f.match)) {
    if (v === undefined) continue;
    const key = word(k, 'match');
    // One term is written bare: prefixes take no list.
    const one = Array.isArray(v) && v.length === 1 ? v[0] : v;
    out.push(Array.isArray(one) ? `${key} ${list(one, `match.${k}`)};` : `${key} ${word(one, `match.${k}`)};`);
  }
  out.push('}', 'then {');
  for (const [k, v] of Object.entries(f.then ?? {})) {
    if (v === undefined) continue;
    const key = word(k, 'then');
    if (v === true) out.push(`${key};`);
    else if (Array.isArray(v)) out.push(`${key} ${list(v, `then.${k}`)};`);
    else if (k === 'redirect' && typeof v === 'string' && REDIRECT.test(v)) out.push(`${key} ${v};`);
    else out.push(`${key} ${word(v, `then.${k}`)};`);
  }
  if (f.expires !== undefined) out.push(`expires ${integer(f.expires, 'expires', 1, 0xffffffff)};`);
  if (f.allowUnsafe) out.push('allow-unsafe;');
  out.push('}', '}');
  return out.join(' ');
}

/** A parser's error about a value written by this module, with the text it read. */
export function parseError(e: unknown, text: string): TsbgpError {
  if (e instanceof ConfigError || e instanceof Error) return new TsbgpError(`${e.message} (in: ${text})`);
  return new TsbgpError(`${String(e)} (in: ${text})`);
}
