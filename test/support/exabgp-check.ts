// ExaBGP 4.2's verdict on a configuration file (`exabgp -t FILE` parses it and exits 1 on any error) and
// `tsbgp validate` over many files at once, read back per file: the two halves of every configuration sweep.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TSBGP } from './tsbgp';

const run = promisify(execFile);

/** Does ExaBGP 4.2 accept FILE (relative to CWD)? */
export async function exabgpAccepts(file: string, cwd: string): Promise<boolean> {
  try {
    await run('exabgp', ['-t', file], {
      cwd,
      env: { ...process.env, 'exabgp.log.level': 'CRIT', 'exabgp.api.cli': 'false' },
      timeout: 60_000,
    });
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') throw e;
    return false;
  }
}

/** ExaBGP's verdict on each file, four at a time: ExaBGP's start-up is most of the cost. */
export async function exabgpVerdicts(files: string[], cwd: string): Promise<Map<string, boolean>> {
  const accepted = new Map<string, boolean>();
  for (let i = 0; i < files.length; i += 4) {
    const batch = files.slice(i, i + 4);
    const verdicts = await Promise.all(batch.map((f) => exabgpAccepts(f, cwd)));
    for (let j = 0; j < batch.length; j++) accepted.set(batch[j]!, verdicts[j]!);
  }
  return accepted;
}

export interface ValidateVerdict {
  ok: boolean;
  /** The lines of stderr that name the file (errors and warnings, as file:line:col: ...). */
  messages: string[];
}

/** `tsbgp validate FILES...` in CWD with tsbgp.flowspec.guard=GUARD: per file, `ok` or the messages naming it. */
export async function tsbgpValidate(
  files: string[],
  cwd: string,
  guard: string,
): Promise<Map<string, ValidateVerdict>> {
  let out = '';
  let err = '';
  try {
    ({ stdout: out, stderr: err } = await run(process.execPath, [TSBGP, 'validate', ...files], {
      cwd,
      env: { ...process.env, 'tsbgp.flowspec.guard': guard },
      timeout: 120_000,
      maxBuffer: 16 << 20,
    }));
  } catch (e) {
    ({ stdout: out, stderr: err } = e as { stdout: string; stderr: string });
  }
  const verdicts = new Map(files.map((f) => [f, { ok: false, messages: [] as string[] }]));
  for (const line of out.split('\n')) {
    const m = /^(.+?): ok, /.exec(line);
    if (m && verdicts.has(m[1]!)) verdicts.get(m[1]!)!.ok = true;
  }
  for (const line of err.split('\n')) {
    const f = line.slice(0, line.indexOf(':'));
    verdicts.get(f)?.messages.push(line);
  }
  return verdicts;
}

/** A file ExaBGP accepts and tsbgp refuses on purpose: the text its message must give, and why. */
export interface Pin {
  reason: RegExp;
  why: string;
}

/**
 * What is wrong with tsbgp's verdict on FILE, which ExaBGP accepts: refused when not pinned, accepted when pinned
 * (the pin is stale), or refused for another reason than the pin's or not at file:line:col.
 */
export function verdictProblems(file: string, v: ValidateVerdict, pin: Pin | undefined): string[] {
  if (!pin) return v.ok ? [] : [`${file}: ExaBGP accepts it, tsbgp validate refuses it: ${v.messages.join(' | ')}`];
  if (v.ok) return [`${file}: pinned as refused (${pin.why}) but tsbgp accepts it: remove the pin`];
  if (!v.messages.some((m) => pin.reason.test(m) && /^[^:]+:\d+:\d+: /.test(m)))
    return [`${file}: refused, but not for ${pin.why} at file:line:col: ${v.messages.join(' | ')}`];
  return [];
}
