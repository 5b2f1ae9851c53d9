// A Speaker's options written as the ExaBGP configuration they mirror. The daemon's parser and checks then read
// it (daemon/startup.ts): the same defaults, the same validation, the same FlowSpec guard, with nothing kept in
// step by hand. `Speaker.configuration` shows the text, which `tsbgp validate` and `tsbgp run` accept as is.

import { TsbgpError } from './errors';
import { flowText, integer, routeText, word } from './text';
import type { Family, FlowSpec, Route } from './types';

/** One BGP neighbor: the settings of a configuration's `neighbor` block (docs/CONFIGURATION.md), typed. */
export interface NeighborOptions {
  /** The peer's address. */
  peerAddress: string;
  peerAs: number;
  localAs: number;
  /** The address to connect from and to be reached at; `auto` lets the kernel choose (as in the configuration). */
  localAddress: string;
  /** IPv4 router id (default: the local address). */
  routerId?: string;
  /** Families to negotiate (default: ipv4 unicast alone). */
  families?: Family[];
  /** Seconds, 0 or at least 3 (default 180). */
  holdTime?: number;
  /** Wait for the peer to connect, never connect to it. */
  passive?: boolean;
  /** TCP port of the peer (default: the speaker's `port`, 179). */
  port?: number;
  /** TCP port to listen on for this peer (default: the speaker's `port`). */
  listenPort?: number;
  description?: string;
  /** TCP MD5 signature (RFC 2385); Linux only. */
  md5Password?: string;
  /** The password is base64 of the key's bytes. */
  md5Base64?: boolean;
  /** GTSM (RFC 5082): TTL of what is sent, and lowest TTL accepted. */
  outgoingTtl?: number;
  incomingTtl?: number;
  routeRefresh?: boolean;
  /** RFC 4724: true (restart time = hold time) or a restart time in seconds. */
  gracefulRestart?: boolean | number;
  /** RFC 7911 ADD-PATH for every family. */
  addPath?: 'send' | 'receive' | 'send/receive';
  /** RFC 6793 4-octet AS numbers (default true). */
  asn4?: boolean;
  /** RFC 8654 extended messages (default true). */
  extendedMessage?: boolean;
  /** Keep what the peer sends (default true); without it `update` events still come. */
  adjRibIn?: boolean;
  /** Routes announced as soon as the session is up (the configuration's `static` block). */
  routes?: Route[];
  /** FlowSpec rules announced as soon as the session is up, through the FlowSpec guard. */
  flows?: (FlowSpec | string)[];
}

export interface SpeakerOptions {
  neighbors: NeighborOptions[];
  /** Addresses to accept connections on (exabgp.tcp.bind); default none, but passive neighbors' local addresses. */
  listen?: string[];
  /** TCP port to listen on and to connect to (exabgp.tcp.port, default 179). */
  port?: number;
  /**
   * Further settings in the environment's form (docs/CONFIGURATION.md), e.g. `{ 'tsbgp.flowspec.guard': 'warn' }`.
   * Only these are read: the process environment is not.
   */
  settings?: Record<string, string>;
  /** Addresses and prefixes of BGP speakers the FlowSpec guard protects besides the neighbors' (`flow { protect }`). */
  protect?: string[];
}

/** A string between double quotes, as the configuration's tokenizer reads it back. */
function quoted(s: unknown, what: string): string {
  if (typeof s !== 'string' || s === '' || /[\x00-\x1f\x7f]/.test(s))
    throw new TsbgpError(`${what}: expected a non-empty string without control characters`);
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const flag = (v: unknown, what: string): boolean => {
  if (v !== undefined && typeof v !== 'boolean') throw new TsbgpError(`${what}: expected true or false`);
  return v === true;
};

/** The configuration text for the options (TsbgpError for a value of the wrong kind). */
export function configurationText(o: SpeakerOptions): string {
  if (o === null || typeof o !== 'object' || !Array.isArray(o.neighbors) || o.neighbors.length === 0)
    throw new TsbgpError('options.neighbors: expected a list of at least one neighbor');
  const lines: string[] = [];
  if (o.protect !== undefined) {
    if (!Array.isArray(o.protect)) throw new TsbgpError('protect: expected a list of prefixes');
    lines.push(`flow { protect [ ${o.protect.map((p, i) => word(p, `protect[${i}]`)).join(' ')} ]; }`);
  }
  o.neighbors.forEach((n, i) => {
    lines.push(...neighborText(n, `neighbors[${i}]`));
  });
  return `${lines.join('\n')}\n`;
}

function neighborText(n: NeighborOptions, at: string): string[] {
  if (n === null || typeof n !== 'object') throw new TsbgpError(`${at}: expected an object`);
  const w = (v: unknown, k: string) => word(v, `${at}.${k}`);
  const out = [`neighbor ${w(n.peerAddress, 'peerAddress')} {`];
  const set = (k: string, v: string) => out.push(`  ${k} ${v};`);
  set('local-as', integer(n.localAs, `${at}.localAs`, 1, 0xffffffff));
  set('peer-as', integer(n.peerAs, `${at}.peerAs`, 1, 0xffffffff));
  set('local-address', w(n.localAddress, 'localAddress'));
  if (n.routerId !== undefined) set('router-id', w(n.routerId, 'routerId'));
  if (n.holdTime !== undefined) set('hold-time', integer(n.holdTime, `${at}.holdTime`, 0, 65535));
  if (flag(n.passive, `${at}.passive`)) set('passive', 'true');
  if (n.port !== undefined) set('connect', integer(n.port, `${at}.port`, 1, 65535));
  if (n.listenPort !== undefined) set('listen', integer(n.listenPort, `${at}.listenPort`, 1, 65535));
  if (n.description !== undefined) set('description', quoted(n.description, `${at}.description`));
  if (n.md5Password !== undefined) set('md5-password', quoted(n.md5Password, `${at}.md5Password`));
  if (flag(n.md5Base64, `${at}.md5Base64`)) set('md5-base64', 'true');
  if (n.outgoingTtl !== undefined) set('outgoing-ttl', integer(n.outgoingTtl, `${at}.outgoingTtl`, 1, 255));
  if (n.incomingTtl !== undefined) set('incoming-ttl', integer(n.incomingTtl, `${at}.incomingTtl`, 1, 255));
  if (n.adjRibIn !== undefined) set('adj-rib-in', String(flag(n.adjRibIn, `${at}.adjRibIn`)));
  const families = n.families ?? ['ipv4 unicast'];
  if (!Array.isArray(families) || families.length === 0)
    throw new TsbgpError(`${at}.families: expected a list of at least one family`);
  out.push('  family {');
  families.forEach((f, i) => {
    const parts = typeof f === 'string' ? f.trim().split(/\s+/) : [];
    if (parts.length !== 2) throw new TsbgpError(`${at}.families[${i}]: '${f}' is not a family such as 'ipv4 unicast'`);
    out.push(`    ${parts.map((p) => w(p, `families[${i}]`)).join(' ')};`);
  });
  out.push('  }');
  const caps: string[] = [];
  if (n.routeRefresh !== undefined) caps.push(`route-refresh ${flag(n.routeRefresh, `${at}.routeRefresh`)}`);
  if (n.asn4 !== undefined) caps.push(`asn4 ${flag(n.asn4, `${at}.asn4`)}`);
  if (n.extendedMessage !== undefined)
    caps.push(`extended-message ${flag(n.extendedMessage, `${at}.extendedMessage`)}`);
  if (n.gracefulRestart === true) caps.push('graceful-restart');
  else if (typeof n.gracefulRestart === 'number')
    caps.push(`graceful-restart ${integer(n.gracefulRestart, `${at}.gracefulRestart`, 0, 4095)}`);
  else flag(n.gracefulRestart, `${at}.gracefulRestart`);
  if (n.addPath !== undefined) {
    if (!['send', 'receive', 'send/receive'].includes(n.addPath))
      throw new TsbgpError(`${at}.addPath: expected 'send', 'receive' or 'send/receive'`);
    caps.push(`add-path ${n.addPath}`);
  }
  if (caps.length > 0) out.push('  capability {', ...caps.map((c) => `    ${c};`), '  }');
  if (n.routes !== undefined) {
    if (!Array.isArray(n.routes)) throw new TsbgpError(`${at}.routes: expected a list of routes`);
    out.push('  static {', ...n.routes.map((r) => `    route ${routeText(r)};`), '  }');
  }
  if (n.flows !== undefined) {
    if (!Array.isArray(n.flows)) throw new TsbgpError(`${at}.flows: expected a list of FlowSpec rules`);
    out.push('  flow {');
    n.flows.forEach((f, i) => {
      if (typeof f === 'string' && (!f.trim().startsWith('{') || /[\n\r]/.test(f)))
        throw new TsbgpError(`${at}.flows[${i}]: a rule in text is one line '{ match { ... } then { ... } }'`);
      out.push(`    route flow-${i + 1} ${typeof f === 'string' ? f : flowText(f)}`);
    });
    out.push('  }');
  }
  out.push('}');
  return out;
}
