// The outside programs tests drive (BIRD, GoBGP, FRR, ExaBGP, tshark) and the one rule for when one is missing:
// a skip with the reason on a developer's machine, a failure naming the binary under CI. No side effects on import,
// so unit tests can use it too.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every outside program a test may need, by the name tests ask for: the binaries it runs (a bare name is looked up
 * in PATH, as spawn does) and, where only one version will do, a check of its `--version` output.
 */
const PROGRAMS: Record<
  string,
  { bins: string[]; paths?: string[]; version?: { args: string[]; want: RegExp; wanted: string } }
> = {
  bird: { bins: ['bird', 'birdc'] },
  gobgp: { bins: ['gobgpd', 'gobgp'] },
  frr: { bins: ['/usr/lib/frr/bgpd', 'vtysh'] },
  // The differential tests compare against ExaBGP 4.2 (the version tsbgp is compatible with); 4.3 and 5 differ.
  exabgp: { bins: ['exabgp'], version: { args: ['--version'], want: /ExaBGP\s*:\s*4\.2\./, wanted: '4.2.x' } },
  exabgpcli: { bins: ['exabgpcli'] },
  // The example configurations Debian's exabgp package ships.
  'exabgp-examples': { bins: [], paths: ['/usr/share/doc/exabgp/examples'] },
  tshark: { bins: ['tshark', 'text2pcap'] },
  // RPKI-to-Router cache (RFC 6810/8210) serving a VRP file written by the test.
  stayrtr: { bins: ['stayrtr'] },
};

/**
 * True under CI (`CI` set, as CI services do, and not "0"/"false") or with `TSBGP_REQUIRE_PEERS=1`: a peer program
 * that is missing or broken then fails the test that needs it instead of skipping it, so a broken install step cannot
 * turn the run green without interop coverage.
 */
export function peersRequired(): boolean {
  const ci = process.env.CI ?? '';
  return process.env.TSBGP_REQUIRE_PEERS === '1' || (ci !== '' && ci !== '0' && ci !== 'false');
}

const problems = new Map<string, string | undefined>();

/** What is wrong with one program (missing binaries, wrong version), or undefined if it can be used. */
function problemWith(name: string): string | undefined {
  if (problems.has(name)) return problems.get(name);
  const p = PROGRAMS[name] ?? { bins: [name] };
  const missing = p.bins.filter((b) => !findBinary(b));
  let why: string | undefined;
  const absent = (p.paths ?? []).filter((f) => !fs.existsSync(f));
  if (missing.length > 0) why = `${name}: ${missing.join(', ')} not found (PATH=${process.env.PATH ?? ''})`;
  else if (absent.length > 0) why = `${name}: ${absent.join(', ')} not found`;
  else if (p.version) {
    const r = spawnSync(p.bins[0]!, p.version.args, { encoding: 'utf8', timeout: 30_000 });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.status !== 0)
      why = `${name}: \`${p.bins[0]} ${p.version.args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}): ${out.slice(-300)}`;
    else if (!p.version.want.test(out))
      why = `${name}: version ${p.version.wanted} needed, found: ${out.split('\n')[0]}`;
  }
  problems.set(name, why);
  return why;
}

/** True when the named program (see PROGRAMS, or any command) is present and usable; never fails a test. */
export function isInstalled(name: string): boolean {
  return problemWith(name) === undefined;
}

/** A bare name is looked up in PATH only, the way spawn will look it up. */
function findBinary(bin: string): boolean {
  if (bin.includes('/')) return isExecutable(bin);
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((d) => d !== '' && isExecutable(path.join(d, bin)));
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The one gate for tests that need outside programs ('bird', 'gobgp', 'frr', 'exabgp', 'exabgpcli', 'tshark'):
 * undefined when all can be used; otherwise the reason, for `{ skip }` / `t.skip()`. When peers are required
 * (peersRequired()), it throws that reason instead, so the file or test fails naming the missing binary.
 */
export function skipReason(...names: string[]): string | undefined {
  const why = names.map(problemWith).filter((w) => w !== undefined);
  if (why.length === 0) return undefined;
  const text = why.join('; ');
  if (peersRequired()) throw new Error(`peer program required (CI / TSBGP_REQUIRE_PEERS=1) but unusable: ${text}`);
  return `not usable: ${text}`;
}

/** ExaBGP's exact version ("4.2.21"): part of the keys of cached ExaBGP answers, so another ExaBGP never reuses them. */
export function exabgpVersion(): string {
  const r = spawnSync('exabgp', ['--version'], { encoding: 'utf8' });
  const m = /ExaBGP\s*:\s*(\S+)/.exec(`${r.stdout}${r.stderr}`);
  if (!m) throw new Error(`exabgp --version printed no version: ${r.stdout}${r.stderr}`);
  return m[1]!;
}
