// The anycast health check, compatible with ExaBGP 4.2's `exabgp healthcheck` (application/healthcheck.py):
// same options, same state machine, same lines on stdout. It runs as an API process: it checks a service
// with a shell command, and announces its service addresses with a metric that says whether the service is up,
// down or disabled (or withdraws them, with --withdraw-on-down).
//
// States: INIT, then RISING/FALLING while checks agree fewer than --rise/--fall times, UP, DOWN, DISABLED
// (the --disable file exists), EXIT (stopped by a signal: every route is withdrawn) and END (--interval 0:
// exit after the first announcement without withdrawing). Announcements are sent for UP, DOWN, DISABLED and
// EXIT, after every check, so a peer that lost its routes (no adj-rib-out) gets them back.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export type HcState = 'INIT' | 'DISABLED' | 'RISING' | 'FALLING' | 'UP' | 'DOWN' | 'EXIT' | 'END';

export interface HcNetwork {
  /** Canonical address text (IPv6 compressed). */
  address: string;
  len: number;
  v6: boolean;
}

export interface HealthcheckOptions {
  silent: boolean;
  syslogFacility: string;
  noSyslog: boolean;
  noAck: boolean;
  sudo: boolean;
  debug: boolean;
  name?: string;
  pid?: string;
  user?: string;
  group?: string;
  interval: number;
  fastInterval: number;
  timeout: number;
  rise: number;
  fall: number;
  disable?: string;
  command?: string;
  nextHop?: string;
  ips: HcNetwork[];
  localPreference: number;
  deaggregateNetworks: boolean;
  /** Add missing --ip addresses to lo at start (default, as ExaBGP; --no-ip-setup turns it off). */
  ipSetup: boolean;
  ipDynamic: boolean;
  label?: string;
  startIp: number;
  upMetric: number;
  downMetric: number;
  disabledMetric: number;
  increase: number;
  community?: string;
  extendedCommunity?: string;
  largeCommunity?: string;
  disabledCommunity?: string;
  asPath?: string;
  upAsPath?: string;
  downAsPath?: string;
  disabledAsPath?: string;
  withdrawOnDown: boolean;
  pathId?: number;
  neighbors: string[];
  execute: string[];
  upExecute: string[];
  downExecute: string[];
  disabledExecute: string[];
}

export const HEALTHCHECK_USAGE = `usage: tsbgp healthcheck [options]

Announce service addresses to the daemon depending on the result of a check command
(compatible with ExaBGP's healthcheck; use as the run command of a process).

  -s, --silent                 don't log to the console (stderr, when it is a terminal or syslog is off)
  -sF, --syslog-facility [F]   log to syslog (/dev/log) with facility F (default daemon)
  --no-syslog                  don't log to syslog (nor does --debug)
  -a, --no-ack                 do not wait for "done" after each command (exabgp.api.ack=false)
  --sudo                       use sudo to set up addresses
  -d, --debug                  debug logs
  -n, --name NAME              name of this check
  -F, --config FILE            read options from FILE ("name = value" or "flag" per line)
  -p, --pid FILE               write the PID to FILE
  --user USER, --group GROUP   drop privileges after setting up addresses
  -i, --interval N             seconds between checks (default 5; 0: exit after the first announcement)
  -f, --fast-interval N        seconds between checks while a state change is pending (default 1)
  -t, --timeout N              seconds allowed to the check command (default 5)
  --rise N                     successful checks before UP (default 3)
  --fall N                     failed checks before DOWN (default 3)
  --disable FILE               if FILE exists the service is DISABLED
  -c, --cmd, --command CMD     check command (shell); none: always healthy
  -N, --next-hop IP            next hop (default: self)
  --ip IP[/LEN]                address or network to announce (repeatable); default: the addresses of lo
  --local-preference P         announce with local-preference P
  --deaggregate-networks       announce every address of the --ip networks
  --no-ip-setup                don't add missing --ip addresses to lo (by default they are added: needs root
                               or --sudo; --ip-setup, the default, is accepted too)
  --dynamic-ip-setup           remove the addresses from lo when down/disabled, restore them when up
  --label LABEL                only lo addresses whose label starts with lo:LABEL
  --start-ip N                 index of the first address of the list
  --up-metric M                MED when up (default 100)
  --down-metric M              MED when down (default 1000)
  --disabled-metric M          MED when disabled (default 500)
  --increase M                 MED increase for each further address (default 1)
  --community C                community (text inside [ ])
  --extended-community C       extended community
  --large-community C          large community
  --disabled-community C       community when down or disabled
  --as-path P, --up-as-path P, --down-as-path P, --disabled-as-path P
  --withdraw-on-down           withdraw instead of announcing a worse metric
  --path-id N                  path identifier (ADD-PATH)
  --neighbor IP                announce to this neighbor only (repeatable)
  --execute CMD                run CMD on every state change ($STATE holds the state)
  --up-execute CMD, --down-execute CMD, --disabled-execute CMD
`;

// ---------------------------------------------------------------------------------------------------
// Options

type Kind = 'flag' | 'string' | 'int' | 'float' | 'ip' | 'network' | 'append' | 'optional';

interface OptSpec {
  names: string[];
  key: keyof HealthcheckOptions | 'config' | 'noIpSetup';
  kind: Kind;
}

const SPECS: OptSpec[] = [
  { names: ['--silent', '-s'], key: 'silent', kind: 'flag' },
  { names: ['--syslog-facility', '-sF'], key: 'syslogFacility', kind: 'optional' },
  { names: ['--no-syslog'], key: 'noSyslog', kind: 'flag' },
  { names: ['--no-ack', '-a'], key: 'noAck', kind: 'flag' },
  { names: ['--sudo'], key: 'sudo', kind: 'flag' },
  { names: ['--debug', '-d'], key: 'debug', kind: 'flag' },
  { names: ['--name', '-n'], key: 'name', kind: 'string' },
  { names: ['--config', '-F'], key: 'config', kind: 'string' },
  { names: ['--pid', '-p'], key: 'pid', kind: 'string' },
  { names: ['--user'], key: 'user', kind: 'string' },
  { names: ['--group'], key: 'group', kind: 'string' },
  { names: ['--interval', '-i'], key: 'interval', kind: 'float' },
  { names: ['--fast-interval', '-f'], key: 'fastInterval', kind: 'float' },
  { names: ['--timeout', '-t'], key: 'timeout', kind: 'int' },
  { names: ['--rise'], key: 'rise', kind: 'int' },
  { names: ['--fall'], key: 'fall', kind: 'int' },
  { names: ['--disable'], key: 'disable', kind: 'string' },
  { names: ['--command', '--cmd', '-c'], key: 'command', kind: 'string' },
  { names: ['--next-hop', '-N'], key: 'nextHop', kind: 'ip' },
  { names: ['--ip'], key: 'ips', kind: 'network' },
  { names: ['--local-preference'], key: 'localPreference', kind: 'int' },
  { names: ['--deaggregate-networks'], key: 'deaggregateNetworks', kind: 'flag' },
  { names: ['--ip-setup'], key: 'ipSetup', kind: 'flag' },
  { names: ['--no-ip-setup'], key: 'noIpSetup', kind: 'flag' },
  { names: ['--dynamic-ip-setup'], key: 'ipDynamic', kind: 'flag' },
  { names: ['--label'], key: 'label', kind: 'string' },
  { names: ['--start-ip'], key: 'startIp', kind: 'int' },
  { names: ['--up-metric'], key: 'upMetric', kind: 'int' },
  { names: ['--down-metric'], key: 'downMetric', kind: 'int' },
  { names: ['--disabled-metric'], key: 'disabledMetric', kind: 'int' },
  { names: ['--increase'], key: 'increase', kind: 'int' },
  { names: ['--community'], key: 'community', kind: 'string' },
  { names: ['--extended-community'], key: 'extendedCommunity', kind: 'string' },
  { names: ['--large-community'], key: 'largeCommunity', kind: 'string' },
  { names: ['--disabled-community'], key: 'disabledCommunity', kind: 'string' },
  { names: ['--as-path'], key: 'asPath', kind: 'string' },
  { names: ['--up-as-path'], key: 'upAsPath', kind: 'string' },
  { names: ['--down-as-path'], key: 'downAsPath', kind: 'string' },
  { names: ['--disabled-as-path'], key: 'disabledAsPath', kind: 'string' },
  { names: ['--withdraw-on-down'], key: 'withdrawOnDown', kind: 'flag' },
  { names: ['--path-id'], key: 'pathId', kind: 'int' },
  { names: ['--neighbor'], key: 'neighbors', kind: 'append' },
  { names: ['--execute'], key: 'execute', kind: 'append' },
  { names: ['--up-execute'], key: 'upExecute', kind: 'append' },
  { names: ['--down-execute'], key: 'downExecute', kind: 'append' },
  { names: ['--disabled-execute'], key: 'disabledExecute', kind: 'append' },
];

export function defaultOptions(): HealthcheckOptions {
  return {
    silent: false,
    syslogFacility: 'daemon',
    noSyslog: false,
    noAck: false,
    sudo: false,
    debug: false,
    interval: 5,
    fastInterval: 1,
    timeout: 5,
    rise: 3,
    fall: 3,
    ips: [],
    localPreference: -1,
    deaggregateNetworks: false,
    ipSetup: true,
    ipDynamic: false,
    startIp: 0,
    upMetric: 100,
    downMetric: 1000,
    disabledMetric: 500,
    increase: 1,
    withdrawOnDown: false,
    neighbors: [],
    execute: [],
    upExecute: [],
    downExecute: [],
    disabledExecute: [],
  };
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function v4ToBytes(s: string): number[] {
  return s.split('.').map(Number);
}

function v6ToBytes(s: string): number[] | null {
  let head = s;
  let tail4: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = s.slice(lastColon + 1);
    if (!IPV4_RE.test(v4)) return null;
    tail4 = v4ToBytes(v4);
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const parts = head.split('::');
  if (parts.length > 2) return null;
  const left = parts[0] === '' ? [] : parts[0].split(':');
  const right = parts.length === 2 ? (parts[1] === '' ? [] : parts[1].split(':')) : [];
  const groups = parts.length === 2 ? 8 - left.length - right.length : 0;
  if (groups < (parts.length === 2 ? 1 : 0) || (parts.length === 1 && left.length !== 8)) return null;
  const all = [...left, ...Array<string>(groups).fill('0'), ...right];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 0xff);
  }
  if (tail4.length) out.splice(12, 4, ...tail4);
  return out;
}

function bytesToText(b: number[]): string {
  if (b.length === 4) return b.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  // RFC 5952 §4.2: the longest run (>= 2) of zero groups becomes "::", the first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function addressBytes(s: string): number[] | null {
  if (IPV4_RE.test(s)) return v4ToBytes(s);
  if (s.includes(':')) return v6ToBytes(s);
  return null;
}

/** Parse IP or IP/LEN as Python's ip_network (strict: no host bits set). */
export function parseNetwork(s: string): HcNetwork {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const b = addressBytes(addr);
  if (b === null) throw new Error(`'${s}' does not appear to be an IPv4 or IPv6 network`);
  const max = b.length * 8;
  const lenText = slash < 0 ? String(max) : s.slice(slash + 1);
  if (!/^\d+$/.test(lenText) || Number(lenText) > max)
    throw new Error(`'${s}' does not appear to be an IPv4 or IPv6 network`);
  const len = Number(lenText);
  for (let bit = len; bit < max; bit++) {
    if (b[bit >> 3] & (0x80 >> (bit & 7))) throw new Error(`${s} has host bits set`);
  }
  return { address: bytesToText(b), len, v6: b.length === 16 };
}

export function parseAddress(s: string): string {
  const b = addressBytes(s);
  if (b === null) throw new Error(`'${s}' does not appear to be an IPv4 or IPv6 address`);
  return bytesToText(b);
}

export function networkText(n: HcNetwork): string {
  return `${n.address}/${n.len}`;
}

/** Every address of a network, each as a host route (ExaBGP's --deaggregate-networks). */
export function hostsOf(n: HcNetwork, limit = 65536): HcNetwork[] {
  const max = n.v6 ? 128 : 32;
  const count = 2 ** (max - n.len);
  if (count > limit) throw new Error(`${networkText(n)} has more than ${limit} addresses to deaggregate`);
  const base = addressBytes(n.address)!;
  const out: HcNetwork[] = [];
  for (let i = 0; i < count; i++) {
    const b = base.slice();
    let carry = i;
    for (let k = b.length - 1; k >= 0 && carry > 0; k--) {
      const v = b[k] + (carry & 0xff);
      b[k] = v & 0xff;
      carry = (carry >>> 8) + (v >> 8);
    }
    out.push({ address: bytesToText(b), len: max, v6: n.v6 });
  }
  return out;
}

/** Lines of a --config file as arguments: `name = value` becomes --name value, `flag` becomes --flag. */
export function configFileArgs(text: string): string[] {
  const args: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const eq = l.indexOf('=');
    if (eq < 0) args.push(`--${l}`);
    else args.push(`--${l.slice(0, eq).trim()}`, l.slice(eq + 1).trim());
  }
  return args;
}

function findSpec(name: string): OptSpec {
  for (const s of SPECS) if (s.names.includes(name)) return s;
  if (name.startsWith('--')) {
    // argparse accepts any unambiguous prefix of a long option.
    const hits = SPECS.filter((s) => s.names.some((n) => n.startsWith('--') && n.startsWith(name)));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new Error(`ambiguous option: ${name}`);
  }
  throw new Error(`unrecognized argument: ${name}`);
}

function parseInto(o: HealthcheckOptions & { config?: string }, argv: string[], exclusive: Set<string>): void {
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    if (!arg.startsWith('-')) throw new Error(`unrecognized argument: ${arg}`);
    const spec = findSpec(arg);
    if (spec.key === 'silent' || spec.key === 'syslogFacility' || spec.key === 'noSyslog') {
      exclusive.add(spec.key);
      if (exclusive.size > 1) throw new Error('--silent, --syslog-facility and --no-syslog are mutually exclusive');
    }
    const rec = o as unknown as Record<string, unknown>;
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new Error(`${arg} takes no value`);
      if (spec.key === 'noIpSetup') o.ipSetup = false;
      else rec[spec.key] = true;
      continue;
    }
    if (spec.kind === 'optional') {
      const next = inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('-') ? argv[++i] : undefined);
      rec[spec.key] = next ?? 'daemon';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${arg} expects a value`);
    switch (spec.kind) {
      case 'string':
        rec[spec.key] = value;
        break;
      case 'int':
        if (!/^[-+]?\d+$/.test(value)) throw new Error(`${arg}: invalid int value '${value}'`);
        rec[spec.key] = Number(value);
        break;
      case 'float': {
        const n = Number(value);
        if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`${arg}: invalid float value '${value}'`);
        rec[spec.key] = n;
        break;
      }
      case 'ip':
        rec[spec.key] = parseAddress(value);
        break;
      case 'network':
        o.ips.push(parseNetwork(value));
        break;
      case 'append':
        (rec[spec.key] as string[]).push(spec.key === 'neighbors' ? parseAddress(value) : value);
        break;
    }
  }
}

/**
 * Parse the command line as ExaBGP's healthcheck does. With --config, the file's options come first and the
 * command line is applied after them (single values on the command line win; repeatable ones add up).
 * Throws an Error whose message is for the user.
 */
export function parseHealthcheckArgs(
  argv: string[],
  readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8'),
): HealthcheckOptions {
  const first = defaultOptions() as HealthcheckOptions & { config?: string };
  parseInto(first, argv, new Set());
  if (first.config === undefined) return stripConfig(first);
  let text: string;
  try {
    text = readFile(first.config);
  } catch (err) {
    throw new Error(`can't open '${first.config}': ${err instanceof Error ? err.message : String(err)}`);
  }
  const o = defaultOptions() as HealthcheckOptions & { config?: string };
  parseInto(o, [...configFileArgs(text), ...argv], new Set());
  return stripConfig(o);
}

function stripConfig(o: HealthcheckOptions & { config?: string }): HealthcheckOptions {
  delete o.config;
  return o;
}

// ---------------------------------------------------------------------------------------------------
// State machine

export interface StepResult {
  state: HcState;
  checks: number;
  /** The state entered by this check (its commands run), or null when the state did not change. */
  entered: HcState | null;
}

/**
 * One check's effect, as ExaBGP's `one()`: `disabled` (the --disable file exists) wins over everything;
 * `checks` counts consecutive agreeing results while RISING or FALLING.
 */
export function nextState(
  state: HcState,
  checks: number,
  disabled: boolean,
  successful: boolean,
  rise: number,
  fall: number,
): StepResult {
  // RISING with rise <= 1 is UP at once, FALLING with fall <= 1 DOWN at once (ExaBGP's trigger()).
  const enter = (target: HcState, c: number): StepResult => {
    if (target === 'RISING' && rise <= 1) target = 'UP';
    else if (target === 'FALLING' && fall <= 1) target = 'DOWN';
    return { state: target, checks: c, entered: target };
  };
  const stay: StepResult = { state, checks, entered: null };
  if (state !== 'DISABLED' && disabled) return enter('DISABLED', checks);
  switch (state) {
    case 'INIT':
      if (successful && rise <= 1) return enter('UP', checks);
      if (successful) return enter('RISING', 1);
      return enter('FALLING', 1);
    case 'DISABLED':
      return disabled ? stay : enter('INIT', checks);
    case 'RISING':
      if (successful) {
        const c = checks + 1;
        return c >= rise ? enter('UP', c) : { state, checks: c, entered: null };
      }
      return enter('FALLING', 1);
    case 'FALLING':
      if (!successful) {
        const c = checks + 1;
        return c >= fall ? enter('DOWN', c) : { state, checks: c, entered: null };
      }
      return enter('RISING', 1);
    case 'UP':
      return successful ? stay : enter('FALLING', 1);
    case 'DOWN':
      return successful ? enter('RISING', 1) : stay;
    default:
      throw new Error(`Unhandled state: ${state}`);
  }
}

/** The API lines sent for a state (empty for INIT, RISING, FALLING, END), one per address, in order. */
export function announcements(target: HcState, o: HealthcheckOptions): string[] {
  if (target !== 'UP' && target !== 'DOWN' && target !== 'DISABLED' && target !== 'EXIT') return [];
  let metric =
    target === 'UP' ? o.upMetric : target === 'DOWN' ? o.downMetric : target === 'DISABLED' ? o.disabledMetric : 0;
  const statePath =
    target === 'UP'
      ? o.upAsPath
      : target === 'DOWN'
        ? o.downAsPath
        : target === 'DISABLED'
          ? o.disabledAsPath
          : undefined;
  const asPath = statePath ?? o.asPath;
  const lines: string[] = [];
  for (const ip of o.ips) {
    let command = o.withdrawOnDown || target === 'EXIT' ? (target === 'UP' ? 'announce' : 'withdraw') : 'announce';
    let route = `route ${networkText(ip)} next-hop ${o.nextHop ?? 'self'}`;
    if (command === 'announce') {
      route += ` med ${metric}`;
      if (o.localPreference >= 0) route += ` local-preference ${o.localPreference}`;
      if (o.community || o.disabledCommunity) {
        let community = o.community;
        if ((target === 'DOWN' || target === 'DISABLED') && o.disabledCommunity) community = o.disabledCommunity;
        if (community) route += ` community [ ${community} ]`;
      }
      if (o.extendedCommunity) route += ` extended-community [ ${o.extendedCommunity} ]`;
      if (o.largeCommunity) route += ` large-community [ ${o.largeCommunity} ]`;
      if (asPath) route += ` as-path [ ${asPath} ]`;
    }
    if (o.pathId) route += ` path-information ${o.pathId}`;
    if (o.neighbors.length > 0) command = `${o.neighbors.map((n) => `neighbor ${n}`).join(', ')} ${command}`;
    metric += o.increase;
    lines.push(`${command} ${route}`);
  }
  return lines;
}

/** Commands to run on entering a state: the state's own, then the --execute ones (ExaBGP's order). */
export function executesFor(target: HcState, o: HealthcheckOptions): string[] {
  const own =
    target === 'UP' ? o.upExecute : target === 'DOWN' ? o.downExecute : target === 'DISABLED' ? o.disabledExecute : [];
  return [...own, ...o.execute];
}

// ---------------------------------------------------------------------------------------------------
// The loop

export interface HealthcheckIO {
  /** Run the check command; true when it exits 0 within the timeout. */
  check(command: string, timeoutSeconds: number): Promise<boolean>;
  exists(file: string): boolean;
  /** Write one line (newline added) to the daemon. */
  write(line: string): void;
  /** Wait for the daemon's answer line; resolves null at end of input. */
  readAck(): Promise<string | null>;
  /** Sleep; resolves early (true) when stop() was called. */
  sleep(seconds: number): Promise<void>;
  execute(command: string, state: HcState): Promise<void>;
  log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void;
  /** True when acks should not be read (stdout is a terminal: run by hand). */
  interactive: boolean;
  /** True once the parent died (ExaBGP checks getppid() == 1). */
  orphaned(): boolean;
  /** Called around state changes for --dynamic-ip-setup / --ip-setup; may be no-ops. */
  setupIps?(): Promise<void>;
  removeIps?(): Promise<void>;
}

export class Healthcheck {
  state: HcState = 'INIT';
  checks = 0;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly o: HealthcheckOptions,
    private readonly io: HealthcheckIO,
  ) {}

  /** Ask the loop to withdraw everything and end (SIGTERM / SIGINT). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Run until stopped, orphaned, or after the first announcement with --interval 0. Resolves the exit code. */
  async run(): Promise<number> {
    while (!this.io.orphaned()) {
      if (this.stopping) break;
      await this.one();
      if (this.stopping) break;
      if (this.state === 'FALLING' || this.state === 'RISING') await this.pause(this.o.fastInterval);
      else if (this.o.interval === 0) {
        this.io.log('info', 'interval set to zero, exiting after the announcement');
        return 0;
      } else await this.pause(this.o.interval);
    }
    if (this.stopping) await this.announce('EXIT');
    return 0;
  }

  private async pause(seconds: number): Promise<void> {
    if (this.stopping) return;
    await Promise.race([
      this.io.sleep(seconds),
      new Promise<void>((resolve) => {
        this.wake = resolve;
      }),
    ]);
    this.wake = null;
  }

  /** One check, transition, and announcement. */
  async one(): Promise<void> {
    const disabled = this.o.disable !== undefined && this.io.exists(this.o.disable);
    const successful =
      disabled || this.o.command === undefined || (await this.io.check(this.o.command, this.o.timeout));
    const r = nextState(this.state, this.checks, disabled, successful, this.o.rise, this.o.fall);
    this.checks = r.checks;
    if (r.entered !== null) {
      this.state = r.entered;
      this.io.log('debug', `Transition to ${r.entered}`);
      for (const cmd of executesFor(r.entered, this.o)) {
        this.io.log('debug', `Transition to ${r.entered}, execute \`${cmd}\``);
        await this.io.execute(cmd, r.entered);
      }
    }
    await this.announce(this.state);
  }

  private async announce(target: HcState): Promise<void> {
    const lines = announcements(target, this.o);
    if (lines.length === 0) return;
    if (target === 'UP' && this.o.ipDynamic && this.io.setupIps) {
      this.io.log('info', 'service up, restoring loopback ips');
      await this.io.setupIps();
    }
    this.io.log('info', `send announces for ${target} state to ExaBGP`);
    for (const line of lines) {
      this.io.log('debug', `exabgp: ${line}`);
      this.io.write(line);
      if (this.o.noAck || this.io.interactive) continue;
      const ack = await this.io.readAck();
      if (ack !== null && ack !== 'done') this.io.log('warning', `command not accepted (${ack}): ${line}`);
    }
    if (target === 'EXIT' && (this.o.ipDynamic || this.o.ipSetup) && this.io.removeIps) {
      this.io.log('info', 'exiting, deleting loopback ips');
      await this.io.removeIps();
    }
    if ((target === 'DOWN' || target === 'DISABLED') && this.o.ipDynamic && this.io.removeIps) {
      this.io.log('info', 'service down, deleting loopback ips');
      await this.io.removeIps();
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// System side: commands, loopback addresses

/** Run a shell command in its own process group; false on non-zero exit or timeout (the group is killed). */
export function runCheck(command: string, timeoutSeconds: number, log: HealthcheckIO['log']): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => chunks.push(b));
    child.stderr!.on('data', (b: Buffer) => chunks.push(b));
    let timer: NodeJS.Timeout | null = null;
    let timedOut = false;
    if (timeoutSeconds > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        log('warning', `Timeout (${timeoutSeconds}) while running check command ${command}`);
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, timeoutSeconds * 1000);
    }
    child.once('error', (err) => {
      if (timer) clearTimeout(timer);
      log('warning', `Check command could not run: ${err.message}`);
      resolve(false);
    });
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      if (timedOut) return resolve(false);
      const out = Buffer.concat(chunks).toString('utf8');
      if (code !== 0) {
        log('warning', `Check command was unsuccessful: ${code}`);
        if (out.trim()) log('info', `Output of check command: ${out}`);
        return resolve(false);
      }
      log('debug', `Command was executed successfully ${code} ${out}`);
      resolve(true);
    });
  });
}

/** Run a --execute command with STATE in its environment, output discarded; waits for it. */
export function runExecute(command: string, state: HcState): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', env: { ...process.env, STATE: state } });
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

function isLoopbackNet(n: HcNetwork): boolean {
  return n.v6 ? n.address === '::1' : n.address.startsWith('127.');
}

/**
 * Parse `ip -o address show dev lo` output into the non-loopback addresses, as ExaBGP's loopback_ips():
 * an address whose host bits are set is skipped; with a label, only `lo:LABEL...` addresses (labelOnly:
 * without a label nothing matches).
 */
export function parseLoopbackAddresses(output: string, label: string | undefined, labelOnly: boolean): HcNetwork[] {
  const out: HcNetwork[] = [];
  const ipre = /^(\d+):\s+(\S+)\s+inet6?\s+([\da-f.:]+)\/(\d+)\s+.*/;
  const labelre = /.*\s+lo:(\S+).*/;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    const m = ipre.exec(line);
    if (!m) continue;
    let n: HcNetwork;
    try {
      n = parseNetwork(`${m[3]}/${m[4]}`);
    } catch {
      continue;
    }
    if (isLoopbackNet(n)) continue;
    if (label) {
      const lm = labelre.exec(line);
      if (lm?.[1].startsWith(label)) out.push(n);
    } else if (!labelOnly) out.push(n);
  }
  return out;
}

function runIp(args: string[], sudo: boolean): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const argv = sudo ? ['sudo', 'ip', ...args] : ['ip', ...args];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => (stdout += s));
    child.once('error', () => resolve({ code: null, stdout }));
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

/** The addresses configured on lo (read only). */
export async function loopbackAddresses(label: string | undefined, labelOnly: boolean): Promise<HcNetwork[]> {
  const r = await runIp(['-o', 'address', 'show', 'dev', 'lo'], false);
  return parseLoopbackAddresses(r.stdout, label, labelOnly);
}

const same = (a: HcNetwork, b: HcNetwork): boolean => a.address === b.address && a.len === b.len;

/** Add the missing addresses to lo with `ip address add` (only used with --ip-setup / --dynamic-ip-setup). */
export async function setupLoopback(
  ips: HcNetwork[],
  label: string | undefined,
  sudo: boolean,
  log: HealthcheckIO['log'],
): Promise<void> {
  const existing = await loopbackAddresses(label, false);
  for (const ip of ips.flatMap((n) => (n.len === (n.v6 ? 128 : 32) ? [n] : hostsOf(n)))) {
    if (existing.some((e) => same(e, ip))) continue;
    log('debug', `Setup loopback IP address ${networkText(ip)}`);
    const args = ['address', 'add', networkText(ip), 'dev', 'lo'];
    if (label) args.push('label', `lo:${label}`);
    const r = await runIp(args, sudo);
    // Exit code 2: the address is already there.
    if (r.code !== 0 && r.code !== 2)
      throw new Error(`could not add ${networkText(ip)} to lo (ip exited with ${r.code})`);
  }
}

/** Remove the addresses this check added (those carrying its label) from lo. */
export async function removeLoopback(
  ips: HcNetwork[],
  label: string | undefined,
  sudo: boolean,
  log: HealthcheckIO['log'],
): Promise<void> {
  const existing = await loopbackAddresses(label, true);
  for (const ip of ips.flatMap((n) => (n.len === (n.v6 ? 128 : 32) ? [n] : hostsOf(n)))) {
    if (!existing.some((e) => same(e, ip))) continue;
    log('debug', `Remove loopback IP address ${networkText(ip)}`);
    const args = ['address', 'delete', networkText(ip), 'dev', 'lo'];
    if (label) args.push('label', `lo:${label}`);
    const r = await runIp(args, sudo);
    if (r.code !== 0)
      log('warning', `Unable to remove loopback IP address ${networkText(ip)} - is healthcheck running as root?`);
  }
}
