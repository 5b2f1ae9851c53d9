// The FlowSpec routes of a configuration checked as the daemon will send them: built from the route block
// (parseFlowBlock) and run through the guard. Shared by `tsbgp validate` and the daemon's start and reload,
// so a rule is refused in the same words everywhere.

import * as os from 'node:os';
import { checkRule, type GuardOptions, type ProtectedPrefix, REFUSED_HINT } from '../flowspec/guard';
import { parseFlowBlock } from '../flowspec/parse';
import { parseIp } from '../wire/ip';
import { AFI, afiOf } from '../wire/types';
import { type Env, loadEnv } from './env';
import type { Config, FlowRouteConfig } from './model';
import { ConfigError } from './tokenizer';

/** A configured `flow { route NAME { ... } }` as a rule; errors carry the route's file:line:col. */
export function parseConfiguredFlow(f: FlowRouteConfig): ReturnType<typeof parseFlowBlock> {
  return parseFlowBlock({
    name: f.name,
    rd: f.rd,
    statements: f.statements,
    match: f.match,
    then: f.then,
    scope: f.scope,
    file: f.pos.file,
    line: f.pos.line,
    col: f.pos.col,
  });
}

/**
 * The guard's settings for a configuration: the mode and limits of tsbgp.flowspec, and what it protects: every
 * neighbor address (or range) and local address of the configuration, the `flow { protect [ ] }` lists and
 * tsbgp.flowspec.protect. A neighbor with `local-address auto` (or none) speaks from an address the kernel picks,
 * so every address of this machine is protected then.
 */
export function guardOptions(
  c: Config,
  settings: Omit<Env['flowspec'], 'offset6'> = loadEnv({ env: {} }).flowspec,
): GuardOptions {
  const protect: ProtectedPrefix[] = [...settings.protect, ...c.flowProtect];
  let auto = false;
  for (const n of c.neighbors) {
    protect.push({ addr: n.peerAddressBytes, len: n.peerRangeLength });
    const local = n.localAddress === 'auto' ? null : parseIp(n.localAddress);
    if (local) protect.push({ addr: local, len: local.length * 8 });
    else auto = true;
  }
  if (auto) {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) {
        const addr = parseIp(a.address.replace(/%.*$/, ''));
        if (addr) protect.push({ addr, len: addr.length * 8 });
      }
    }
  }
  return {
    mode: settings.guard,
    minPrefixV4: settings.shortest4,
    minPrefixV6: settings.shortest6,
    protect,
  };
}

/** One message about a flow route of the configuration. */
export interface FlowFinding {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  col: number;
  /** `file:line:col: error|warning: flow route NAME: message`. */
  text: string;
}

/**
 * Build every flow route of the configuration as the daemon's loadStatic does (parseFlowBlock over the route
 * block's statements) and run the guard on it. Syntax errors and refusals are errors; the guard's warnings
 * (including refusals let through by allow-unsafe or the mode 'warn') are warnings. A route shared by several neighbors (a
 * template or group) is reported once. Without options: the default settings and the configuration's addresses.
 */
export function flowFindings(c: Config, opts: GuardOptions = guardOptions(c)): FlowFinding[] {
  const out: FlowFinding[] = [];
  const seen = new Set<string>();
  /** Address lengths whose protected set was looked at already. */
  const looked = new Set<number>();
  const add = (
    severity: FlowFinding['severity'],
    at: { file: string; line: number; col: number },
    f: FlowRouteConfig,
    msg: string,
  ): void => {
    out.push({
      severity,
      file: at.file,
      line: at.line,
      col: at.col,
      text: `${at.file}:${at.line}:${at.col}: ${severity}: flow route ${f.name}: ${msg}`,
    });
  };
  for (const n of c.neighbors) {
    for (const f of n.flows) {
      const key = `${f.pos.file}:${f.pos.line}:${f.pos.col}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let route: ReturnType<typeof parseFlowBlock>;
      try {
        route = parseConfiguredFlow(f);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        add('error', e, f, e.detail);
        continue;
      }
      for (const x of checkRule(route, opts)) {
        add(
          x.severity === 'refuse' ? 'error' : 'warning',
          f.pos,
          f,
          x.severity === 'refuse' ? `refused: ${x.message} (${REFUSED_HINT})` : x.message,
        );
      }
      // IPv6 rules carried over IPv4 sessions are common: with no IPv6 address protected, the guard cannot tell
      // which of them would cut an IPv6 session, and says so once, at the first such rule.
      const bytes = afiOf(route.rule.family) === AFI.IPV6 ? 16 : 4;
      if (opts.mode !== 'off' && opts.protect && !looked.has(bytes)) {
        looked.add(bytes);
        if (!opts.protect.some((p) => p.addr.length === bytes))
          add(
            'warning',
            f.pos,
            f,
            `no IPv${bytes === 16 ? 6 : 4} address is protected, so the guard cannot see which IPv${bytes === 16 ? 6 : 4} rules would cut a BGP session: list your routers' IPv${bytes === 16 ? 6 : 4} loopbacks and links in tsbgp.flowspec.protect or flow { protect [ ] }`,
          );
      }
    }
  }
  return out;
}
