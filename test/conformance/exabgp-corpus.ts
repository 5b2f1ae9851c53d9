// ExaBGP's own test corpus, read at run time from a local ExaBGP git repository ($TSBGP_EXABGP_REPO: a clone, a
// bare repository or a mirror): none of it is kept in tsbgp's tree (docs/CONFORMANCE.md). Two parts:
// - branch 4.2, qa/ci/NAME.msg: the raw messages of ExaBGP's functional tests, lines "N:raw:HEX:HEX:..." (a line
//   starting with '#' is commented out). qa/ci/NAME.ci names the configuration that test runs with (under
//   etc/exabgp/); the decoding context of its messages comes from that file's first neighbor.
// - branch 5.0, qa/decoding/NAME: one message each: "update AFI SAFI" (or "nlri AFI SAFI", or "open"), the hex,
//   the JSON ExaBGP 5 printed.
import { spawnSync } from 'node:child_process';

/** How a message is to be decoded: what ExaBGP's configuration for it says. */
export interface DecodeContext {
  /** Family names ("ipv4 unicast") of the family block, in its order; empty when the file has none. */
  families: string[];
  /** add-path in the capability block (other than disable): path identifiers in every family. */
  addPath?: boolean;
  /** An add-path block: path identifiers in these families only. */
  addPathFamilies?: string[];
  /** false for asn4 disable: 2-octet AS numbers. */
  asn4?: boolean;
  /** The nexthop block: "AFI SAFI NEXTHOP-AFI" conversions (RFC 8950). */
  nexthop?: string[];
}

export interface CorpusMessage extends DecodeContext {
  /** Where the message comes from in ExaBGP's repository, with its position among the file's raw lines. */
  id: string;
  /** The whole message in hex, upper case, as the file gives it without separators. */
  hex: string;
}

/** What to tell someone who runs the suite without a repository. */
export const HOW_TO_GET_ONE =
  'set TSBGP_EXABGP_REPO to a local ExaBGP git repository with branches 4.2 and 5.0, for example:\n' +
  '  git clone https://github.com/Exa-Networks/exabgp /some/where/exabgp\n' +
  '  TSBGP_EXABGP_REPO=/some/where/exabgp npm run conformance\n' +
  '(a clone, a bare clone or a mirror; see docs/CONFORMANCE.md)';

/** The repository named by $TSBGP_EXABGP_REPO, or why it cannot be used. */
export function exabgpRepo(): { repo: string } | { problem: string } {
  const repo = process.env.TSBGP_EXABGP_REPO ?? '';
  if (repo === '') return { problem: `TSBGP_EXABGP_REPO is not set: ${HOW_TO_GET_ONE}` };
  const r = spawnSync('git', ['-C', repo, 'rev-parse', '--git-dir'], { encoding: 'utf8' });
  if (r.status !== 0) return { problem: `TSBGP_EXABGP_REPO=${repo} is not a git repository: ${HOW_TO_GET_ONE}` };
  for (const branch of ['4.2', '5.0'])
    if (branchRef(repo, branch) === undefined)
      return { problem: `TSBGP_EXABGP_REPO=${repo} has no branch ${branch} (nor origin/${branch}): ${HOW_TO_GET_ONE}` };
  return { repo };
}

function git(repo: string, args: string[]): string {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The branch as a local branch (a bare clone or mirror) or as origin's (a clone's checkout). */
function branchRef(repo: string, branch: string): string | undefined {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const r = spawnSync('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      encoding: 'utf8',
    });
    if (r.status === 0) return r.stdout.trim();
  }
  return undefined;
}

/** The commits read: part of the keys of cached answers and of the report. */
export function corpusCommits(repo: string): { '4.2': string; '5.0': string } {
  return { '4.2': branchRef(repo, '4.2')!, '5.0': branchRef(repo, '5.0')! };
}

function show(repo: string, commit: string, file: string): string {
  return git(repo, ['show', `${commit}:${file}`]);
}

function list(repo: string, commit: string, dir: string): string[] {
  return git(repo, ['ls-tree', '--name-only', `${commit}:${dir}`])
    .split('\n')
    .filter((f) => f !== '');
}

/** Every message of both parts of the corpus, each with its decoding context. */
export function readCorpus(repo: string): CorpusMessage[] {
  const commits = corpusCommits(repo);
  return [...functionalMessages(repo, commits['4.2']), ...decodingMessages(repo, commits['5.0'])];
}

function functionalMessages(repo: string, commit: string): CorpusMessage[] {
  const out: CorpusMessage[] = [];
  for (const name of list(repo, commit, 'qa/ci').filter((f) => f.endsWith('.msg'))) {
    const raws = show(repo, commit, `qa/ci/${name}`)
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#') && l.includes(':raw:'));
    if (raws.length === 0) continue;
    // The .ci file lists the configuration(s) the test runs with; reloads give several, all with one neighbor set.
    const confs = show(repo, commit, `qa/ci/${name.replace(/\.msg$/, '.ci')}`)
      .split(/\s+/)
      .filter((w) => w.endsWith('.conf'));
    if (confs.length === 0) throw new Error(`qa/ci/${name.replace(/\.msg$/, '.ci')} names no configuration`);
    const context = neighborContext(show(repo, commit, `etc/exabgp/${confs[0]}`), `etc/exabgp/${confs[0]}`);
    raws.forEach((line, i) => {
      const hex = line
        .slice(line.indexOf(':raw:') + ':raw:'.length)
        .replace(/[:\s]/g, '')
        .toUpperCase();
      out.push({ id: `qa/ci/${name}#${i + 1}`, ...context, hex });
    });
  }
  return out;
}

function decodingMessages(repo: string, commit: string): CorpusMessage[] {
  return list(repo, commit, 'qa/decoding').map((name) => {
    const [head = '', packet = ''] = show(repo, commit, `qa/decoding/${name}`).split('\n');
    const words = head.trim().split(/\s+/);
    // "open" comes with no family; ExaBGP's decoder then works with ipv4 unicast, its default.
    const families = words[0] === 'open' ? ['ipv4 unicast'] : [`${words[1]} ${words[2]}`];
    return { id: `qa/decoding/${name}`, families, hex: packet.replace(/[:\s]/g, '').toUpperCase() };
  });
}

/** A section of an ExaBGP configuration: its words ("neighbor 127.0.0.1"), statements and subsections. */
interface Section {
  words: string[];
  statements: string[][];
  sections: Section[];
}

/** ExaBGP's configuration grammar as far as the context needs it: words, '{', '}', ';', # comments. */
function parseSections(text: string, file: string): Section {
  const root: Section = { words: [], statements: [], sections: [] };
  const stack = [root];
  let words: string[] = [];
  const tokens = text.replace(/#[^\n]*/g, ' ').match(/"[^"]*"|'[^']*'|[{};]|[^\s{};]+/g) ?? [];
  for (const t of tokens) {
    const top = stack[stack.length - 1]!;
    if (t === '{') {
      const s: Section = { words, statements: [], sections: [] };
      top.sections.push(s);
      stack.push(s);
      words = [];
    } else if (t === '}') {
      if (words.length > 0) top.statements.push(words);
      words = [];
      if (stack.length === 1) throw new Error(`${file}: unbalanced '}'`);
      stack.pop();
    } else if (t === ';') {
      if (words.length > 0) top.statements.push(words);
      words = [];
    } else words.push(t);
  }
  return root;
}

/**
 * The decoding context of the first neighbor of an ExaBGP configuration: its own family, capability, add-path and
 * nexthop blocks after those of the templates it inherits (template { neighbor NAME { ... } }, inherit NAME;).
 */
export function neighborContext(text: string, file: string): DecodeContext {
  const root = parseSections(text, file);
  const neighbor = root.sections.find((s) => s.words[0] === 'neighbor');
  if (!neighbor) throw new Error(`${file}: no neighbor`);
  const templates = root.sections
    .filter((s) => s.words[0] === 'template')
    .flatMap((t) => t.sections.filter((s) => s.words[0] === 'neighbor'));
  const inherited = neighbor.statements
    .filter((st) => st[0] === 'inherit')
    .flatMap((st) => st.slice(1))
    .map((name) => {
      const t = templates.find((s) => s.words[1] === name);
      if (!t) throw new Error(`${file}: inherit ${name}: no such template`);
      return t;
    });
  const blocks = (name: string): string[] =>
    [...inherited, neighbor]
      .flatMap((n) => n.sections.filter((s) => s.words[0] === name))
      .flatMap((s) => s.statements.map((st) => st.join(' ')));
  const context: DecodeContext = { families: [...new Set(blocks('family'))] };
  const capabilities = blocks('capability').map((c) => c.split(' '));
  if (capabilities.some(([k, v]) => k === 'add-path' && v !== 'disable')) context.addPath = true;
  if (capabilities.some(([k, v]) => k === 'asn4' && v === 'disable')) context.asn4 = false;
  const addPath = blocks('add-path');
  if (addPath.length > 0) context.addPathFamilies = addPath;
  const nexthop = blocks('nexthop');
  if (nexthop.length > 0) context.nexthop = nexthop;
  return context;
}
