// ExaBGP 4.2 environment settings (the names and defaults ExaBGP documents with `exabgp --help` /
// `exabgp.env`), read from: the process environment as `exabgp.section.key` or `exabgp_section_key`,
// the same under the `tsbgp` prefix (which wins), and an INI file with `[exabgp.section]` (or
// `[tsbgp.section]`) headers. Precedence, highest first: tsbgp env, exabgp env, INI file, default.

import * as fs from 'node:fs';
import type { GuardMode, ProtectedPrefix } from '../flowspec/guard';
import { ipToString, parsePrefix } from '../wire/ip';
import type { Ipv6OffsetLayout } from '../wire/nlri/flowspec';

export interface Env {
  profile: { enable: boolean; file: string };
  pdb: { enable: boolean };
  daemon: { pid: string; user: string; daemonize: boolean; drop: boolean; umask: number };
  log: {
    enable: boolean;
    /** Syslog level name: EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG. */
    level: string;
    /** syslog, stdout, stderr, host:<address> or a file name. */
    destination: string;
    all: boolean;
    configuration: boolean;
    reactor: boolean;
    daemon: boolean;
    processes: boolean;
    network: boolean;
    packets: boolean;
    rib: boolean;
    message: boolean;
    timers: boolean;
    routes: boolean;
    parser: boolean;
    short: boolean;
    /** tsbgp: `text` (ExaBGP's lines) or `json` (one JSON object a line) for stdout, stderr and files. */
    format: 'text' | 'json';
  };
  tcp: { once: boolean; delay: number; bind: string[]; port: number; acl: boolean };
  bgp: { openwait: number };
  cache: { attributes: boolean; nexthops: boolean };
  api: {
    ack: boolean;
    chunk: number;
    encoder: 'json' | 'text';
    compact: boolean;
    respawn: boolean;
    terminate: boolean;
    cli: boolean;
    pipename: string;
    /** tsbgp: bytes queued for one API process past which its own commands wait until it reads (api/process.ts). */
    buffer: number;
    /** tsbgp: seconds a congested API process may consume nothing before it is cut off (api/process.ts stallMs). */
    stall: number;
  };
  reactor: { speed: number };
  /** tsbgp only: the FlowSpec guard (docs/FLOWSPEC.md, src/flowspec/guard.ts). */
  flowspec: {
    guard: GuardMode;
    /** Prefixes of BGP speakers (loopbacks, link networks) protected besides the configuration's addresses. */
    protect: ProtectedPrefix[];
    /** Shortest destination prefix a rule that acts on traffic may have: IPv4 and IPv6 (length - offset). */
    shortest4: number;
    shortest6: number;
    /** How IPv6 prefixes with an offset are sent (src/wire/nlri/flowspec.ts): ExaBGP's layout or RFC 8956's. */
    offset6: Ipv6OffsetLayout;
  };
  /** tsbgp only: the HTTP server (JSON API, /metrics, looking glass; src/http/, docs/HTTP.md). Port 0: off. */
  http: {
    port: number;
    bind: string;
    /** Bearer token that turns the write API on ('' = read-only). */
    token: string;
    /** A file holding the token (its first line), so that it need not be in the environment. */
    tokenfile: string;
    /** A JSON file naming communities ({"65000:666": "blackhole at the edge", "65000:1:2": "..."}). */
    names: string;
  };
  debug: {
    pdb: boolean;
    memory: boolean;
    configuration: boolean;
    selfcheck: boolean;
    route: string;
    defensive: boolean;
    rotate: boolean;
  };
}

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

type Kind =
  | 'bool'
  | 'int'
  | 'real'
  | 'string'
  | 'level'
  | 'umask'
  | 'iplist'
  | 'encoder'
  | 'guard'
  | 'prefixes'
  | 'len4'
  | 'len6'
  | 'layout6'
  | 'port'
  | 'logformat';

/** section -> key -> [kind, default text]. Defaults as ExaBGP 4.2 ships them. */
export const ENV_SCHEMA: Readonly<Record<string, Readonly<Record<string, readonly [Kind, string]>>>> = {
  profile: { enable: ['bool', 'false'], file: ['string', ''] },
  pdb: { enable: ['bool', 'false'] },
  daemon: {
    pid: ['string', ''],
    user: ['string', 'nobody'],
    daemonize: ['bool', 'false'],
    drop: ['bool', 'true'],
    umask: ['umask', '0137'],
  },
  log: {
    enable: ['bool', 'true'],
    level: ['level', 'INFO'],
    destination: ['string', 'stdout'],
    all: ['bool', 'false'],
    configuration: ['bool', 'true'],
    reactor: ['bool', 'true'],
    daemon: ['bool', 'true'],
    processes: ['bool', 'true'],
    network: ['bool', 'true'],
    packets: ['bool', 'false'],
    rib: ['bool', 'false'],
    message: ['bool', 'false'],
    timers: ['bool', 'false'],
    routes: ['bool', 'false'],
    parser: ['bool', 'false'],
    short: ['bool', 'false'],
    // tsbgp only: ExaBGP reads only the keys it knows.
    format: ['logformat', 'text'],
  },
  tcp: {
    once: ['bool', 'false'],
    delay: ['int', '0'],
    bind: ['iplist', ''],
    port: ['int', '179'],
    acl: ['bool', ''],
  },
  // tsbgp: 5 s (ExaBGP 60) for a connection the neighbor opened to send its OPEN (session/peer.ts accept()).
  bgp: { openwait: ['int', '5'] },
  cache: { attributes: ['bool', 'true'], nexthops: ['bool', 'true'] },
  api: {
    ack: ['bool', 'true'],
    chunk: ['int', '1'],
    encoder: ['encoder', 'json'],
    compact: ['bool', 'false'],
    respawn: ['bool', 'true'],
    terminate: ['bool', 'false'],
    cli: ['bool', 'true'],
    pipename: ['string', 'exabgp'],
    // tsbgp only (ExaBGP has no bound and blocks instead): see api/process.ts maxWriteBuffer.
    buffer: ['int', '67108864'],
    stall: ['int', '30'],
  },
  reactor: { speed: ['real', '1.0'] },
  // tsbgp only (ExaBGP reads only the sections it knows, so an exabgp.env with [tsbgp.flowspec] still works there).
  flowspec: {
    guard: ['guard', 'refuse'],
    protect: ['prefixes', ''],
    shortest4: ['len4', '8'],
    shortest6: ['len6', '32'],
    offset6: ['layout6', 'exabgp'],
  },
  // tsbgp only: off unless a port is given; on loopback unless told otherwise (docs/OPERATIONS.md).
  http: {
    port: ['port', '0'],
    bind: ['string', '127.0.0.1'],
    token: ['string', ''],
    tokenfile: ['string', ''],
    names: ['string', ''],
  },
  debug: {
    pdb: ['bool', 'false'],
    memory: ['bool', 'false'],
    configuration: ['bool', 'false'],
    selfcheck: ['bool', 'false'],
    route: ['string', ''],
    defensive: ['bool', 'false'],
    rotate: ['bool', 'false'],
  },
};

const LEVELS = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

const unquote = (s: string): string => s.trim().replace(/^['"]+|['"]+$/g, '');

function convert(kind: Kind, raw: string, where: string): unknown {
  const v = unquote(raw);
  const bad = (what: string): never => {
    throw new EnvError(`${where}: invalid value '${raw}', expected ${what}`);
  };
  switch (kind) {
    case 'bool': {
      const l = v.toLowerCase();
      if (['1', 'yes', 'on', 'enable', 'enabled', 'true'].includes(l)) return true;
      if (['', '0', 'no', 'off', 'disable', 'disabled', 'false'].includes(l)) return false;
      return bad('true/false, yes/no, on/off, enable/disable or 1/0');
    }
    case 'int':
      if (!/^-?\d+$/.test(v)) bad('an integer');
      return Number(v);
    case 'real':
      if (!/^-?\d+(\.\d*)?$/.test(v)) bad('a number');
      return Number(v);
    case 'string':
      return v;
    case 'level': {
      let u = v.toUpperCase();
      if (u === 'CRITICAL') u = 'CRIT';
      if (u === 'ERROR') u = 'ERR';
      if (!LEVELS.includes(u)) bad(`a syslog level (${LEVELS.join(', ')})`);
      return u;
    }
    case 'umask': {
      // Python's int(x, 8) takes `0137` and `0o137` (the form ExaBGP writes back).
      const o = v.replace(/^0o/i, '');
      if (!/^[0-7]+$/.test(o)) bad('an octal umask such as 0137');
      return parseInt(o, 8);
    }
    case 'encoder': {
      const l = v.toLowerCase();
      if (l !== 'json' && l !== 'text') bad("'json' or 'text'");
      return l;
    }
    case 'port':
      if (!/^\d+$/.test(v) || Number(v) > 65535) bad('a TCP port 0-65535 (0: off)');
      return Number(v);
    case 'len4':
    case 'len6': {
      const max = kind === 'len4' ? 32 : 128;
      if (!/^\d+$/.test(v) || Number(v) > max) bad(`a prefix length 0-${max}`);
      return Number(v);
    }
    case 'logformat': {
      const l = v.toLowerCase();
      if (l !== 'text' && l !== 'json') bad("'text' or 'json'");
      return l;
    }
    case 'layout6': {
      const l = v.toLowerCase();
      if (l !== 'exabgp' && l !== 'rfc8956') bad("'exabgp' or 'rfc8956'");
      return l;
    }
    case 'guard': {
      const l = v.toLowerCase();
      if (l !== 'refuse' && l !== 'warn' && l !== 'off') bad("'refuse', 'warn' or 'off'");
      return l;
    }
    case 'prefixes': {
      const out: ProtectedPrefix[] = [];
      for (const w of v.split(/[\s,]+/)) {
        if (!w) continue;
        const p = parsePrefix(w);
        if (!p) bad('a list of IP prefixes such as 192.0.2.0/24 2001:db8::1');
        else out.push(p);
      }
      return out;
    }
    case 'iplist': {
      const out: string[] = [];
      for (const ip of v.split(/\s+/)) {
        if (!ip) continue;
        if (!IPV4.test(ip) && !(ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip)))
          bad('a space separated list of IP addresses');
        out.push(ip);
      }
      return out;
    }
  }
}

/** Parses an INI text into `section -> key -> {value, line}` (keys lowercased, `=` or `:`). */
export function parseIni(text: string, file: string): Map<string, Map<string, { value: string; line: number }>> {
  const out = new Map<string, Map<string, { value: string; line: number }>>();
  let section: Map<string, { value: string; line: number }> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    if (t.startsWith('[')) {
      if (!t.endsWith(']'))
        throw new EnvError(`${file}:${i + 1}:${line.indexOf('[') + 1}: found '${t}', expected a section header [name]`);
      const name = t.slice(1, -1).trim();
      section = out.get(name) ?? new Map();
      out.set(name, section);
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(t);
    const key = m ? m[1].trim().toLowerCase() : t.toLowerCase();
    if (!section)
      throw new EnvError(`${file}:${i + 1}:1: found '${t}', expected a section header such as [exabgp.tcp] first`);
    // A bare name (no value) means the default, as Python's ConfigParser with allow_no_value.
    if (m) section.set(key, { value: m[2], line: i + 1 });
  }
  return out;
}

export interface LoadEnvOptions {
  /** INI file given with --env. */
  file?: string;
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Also read /etc/exabgp/exabgp.env when no file is given, as ExaBGP does (default false). */
  systemFile?: boolean;
}

/** The settings, typed. Throws EnvError naming the setting and its source on a bad value. */
export function loadEnv(opts: LoadEnvOptions = {}): Env {
  const env = opts.env ?? process.env;
  let iniFile = opts.file;
  if (!iniFile && opts.systemFile && fs.existsSync('/etc/exabgp/exabgp.env')) iniFile = '/etc/exabgp/exabgp.env';
  let ini = new Map<string, Map<string, { value: string; line: number }>>();
  if (iniFile) {
    let text: string;
    try {
      text = fs.readFileSync(iniFile, 'utf8');
    } catch (e) {
      throw new EnvError(`${iniFile}: can not read the environment file: ${(e as Error).message}`);
    }
    ini = parseIni(text, iniFile);
  }
  const result: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(ENV_SCHEMA)) {
    const sec: Record<string, unknown> = {};
    for (const [key, [kind, dflt]] of Object.entries(keys)) {
      let raw: string | undefined;
      let where = '';
      for (const app of ['tsbgp', 'exabgp']) {
        const dotted = `${app}.${section}.${key}`;
        const under = `${app}_${section}_${key}`;
        if (env[dotted] !== undefined) {
          raw = env[dotted];
          where = `environment variable ${dotted}`;
        } else if (env[under] !== undefined) {
          raw = env[under];
          where = `environment variable ${under}`;
        }
        if (raw !== undefined) break;
      }
      if (raw === undefined) {
        for (const app of ['tsbgp', 'exabgp']) {
          const hit = ini.get(`${app}.${section}`)?.get(key);
          if (hit) {
            raw = hit.value;
            where = `${iniFile}:${hit.line}: ${app}.${section}.${key}`;
            break;
          }
        }
      }
      if (raw === undefined) {
        raw = dflt;
        where = `default of exabgp.${section}.${key}`;
      }
      sec[key] = convert(kind, raw, where);
    }
    result[section] = sec;
  }
  return result as unknown as Env;
}

/** The settings as `exabgp.section.key=value` lines (for `--env` dumps and tests). */
export function envLines(e: Env): string[] {
  const out: string[] = [];
  const rec = e as unknown as Record<string, Record<string, unknown>>;
  for (const section of Object.keys(ENV_SCHEMA)) {
    for (const key of Object.keys(ENV_SCHEMA[section])) {
      const v = rec[section][key];
      // The write API's token is a secret: a dump says whether one is set, never what it is.
      const secret = section === 'http' && key === 'token' && v !== '';
      const text = secret
        ? '(set)'
        : section === 'flowspec' && key === 'protect'
          ? (v as ProtectedPrefix[]).map(prefixText).join(' ')
          : Array.isArray(v)
            ? v.join(' ')
            : key === 'umask'
              ? `0${(v as number).toString(8)}`
              : String(v);
      const own = TSBGP_ONLY.has(section) || TSBGP_ONLY.has(`${section}.${key}`);
      out.push(`${own ? 'tsbgp' : 'exabgp'}.${section}.${key}=${text}`);
    }
  }
  return out;
}

/** Sections (and keys of ExaBGP's sections) ExaBGP does not have, dumped under the tsbgp prefix. */
const TSBGP_ONLY = new Set(['flowspec', 'http', 'log.format']);

const prefixText = (p: ProtectedPrefix): string => `${ipToString(p.addr)}/${p.len}`;
