// tsbgp's own top-level `http { ... }` section: the HTTP server's settings (src/http/, docs/HTTP.md) in the
// configuration file, where `tsbgp validate` checks them and a reload applies them. Each statement is one of the
// tsbgp.http.* settings (config/env.ts); the section wins over them, setting by setting, and what it leaves
// out still comes from the environment (docs/CONFIGURATION.md).
//
//   http {
//     port 8179;                          # required; 0 turns the server off
//     bind 127.0.0.1;                     # an IP address (default: tsbgp.http.bind, 127.0.0.1)
//     token-file /etc/tsbgp/http.token;   # or `token WORD;`: the write API's bearer token
//     names communities.json;             # community names for the API and the looking glass
//   }
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommunityNames } from '../http/communities';
import { ipBytes } from './addr';
import { ENV_SCHEMA, type Env } from './env';
import { parseUint } from './route';
import { errorAt, expected, type Location, type Token } from './tokenizer';

/** The HTTP server's settings, as tsbgp.http.* gives them. */
export type HttpSettings = Env['http'];

/** What the `http` section says; a setting it leaves out is undefined. Files are absolute paths. */
export interface HttpConfig {
  port?: number;
  bind?: string;
  token?: string;
  tokenfile?: string;
  names?: string;
  pos: Location;
}

const KEYWORDS = "'port', 'bind', 'token', 'token-file', 'names'";

/** The first line of a token file; throws naming the file when it cannot be read or that line is empty. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: can not read the token file: ${(e as Error).message}`);
  }
  const t = text.split('\n')[0]!.trim();
  if (t === '') throw new Error(`${file}: the token file is empty`);
  return t;
}

/** The token of tsbgp.http.token, else the first line of tsbgp.http.tokenfile, else '' (read-only). */
export function readToken(token: string, tokenFile: string): string {
  if (token !== '') return token;
  return tokenFile === '' ? '' : readTokenFile(tokenFile);
}

/**
 * Applies one statement of the `http` section to `into`; `end` is its `;` (for "missing value" errors) and
 * `confDir` the configuration's folder, which relative file names start from. The files are read here, so a
 * missing or empty token file and a bad names file are errors at their `file:line:col` in `tsbgp validate`.
 */
export function httpStatement(s: Token[], end: Token, into: HttpConfig, confDir: string): void {
  const k = s[0]!;
  const key = k.text === 'token-file' ? 'tokenfile' : k.text;
  if (key !== 'port' && key !== 'bind' && key !== 'token' && key !== 'tokenfile' && key !== 'names')
    throw errorAt(k, `found '${k.text}', expected one of ${KEYWORDS} (in http)`);
  if (into[key] !== undefined) throw errorAt(k, `'${k.text}' is given twice in the http section`);
  const v = s[1];
  if (!v) throw expected(end, `a value after '${k.text}'`);
  if (s.length > 2) throw expected(s[2], `';' (${k.text} takes one value)`);
  switch (key) {
    case 'port':
      into.port = parseUint(v, 65535, 'a TCP port (0-65535, 0: off)');
      return;
    case 'bind':
      if (!ipBytes(v.text)) throw expected(v, 'an IP address to listen on (such as 127.0.0.1 or ::1)');
      into.bind = v.text;
      return;
    case 'token':
    case 'tokenfile': {
      if (into.token !== undefined || into.tokenfile !== undefined)
        throw errorAt(k, "the http section takes 'token' or 'token-file', not both");
      if (key === 'token') {
        if (v.text === '') throw expected(v, 'a token (a word of at least one character)');
        into.token = v.text;
        return;
      }
      const file = path.resolve(confDir, v.text);
      try {
        readTokenFile(file);
      } catch (e) {
        throw errorAt(v, (e as Error).message);
      }
      into.tokenfile = file;
      return;
    }
    case 'names': {
      const file = path.resolve(confDir, v.text);
      try {
        CommunityNames.load(file);
      } catch (e) {
        throw errorAt(v, (e as Error).message);
      }
      into.names = file;
      return;
    }
  }
}

/** A finished `http` section: the port is required, so that the section alone says where the server is. */
export function finishHttp(h: HttpConfig): void {
  if (h.port === undefined) throw errorAt(h.pos, "http section without a 'port' line (0 turns the server off)");
}

/**
 * The settings the server runs with: the configuration's `http` section wins over tsbgp.http.* setting by
 * setting (a token or token file in the section replaces both of the environment's). `overridden` names the
 * environment's settings, given away from their defaults, that the section replaced with another value.
 */
export function httpSettings(
  section: HttpConfig | undefined,
  env: HttpSettings,
): { settings: HttpSettings; overridden: string[] } {
  if (section === undefined) return { settings: env, overridden: [] };
  const tokenGiven = section.token !== undefined || section.tokenfile !== undefined;
  const settings: HttpSettings = {
    port: section.port ?? env.port,
    bind: section.bind ?? env.bind,
    token: tokenGiven ? (section.token ?? '') : env.token,
    tokenfile: tokenGiven ? (section.tokenfile ?? '') : env.tokenfile,
    names: section.names ?? env.names,
  };
  const overridden: string[] = [];
  for (const key of Object.keys(settings) as (keyof HttpSettings)[]) {
    const was = String(env[key]);
    if (was !== ENV_SCHEMA.http[key]![1] && was !== String(settings[key])) overridden.push(`tsbgp.http.${key}`);
  }
  return { settings, overridden };
}
