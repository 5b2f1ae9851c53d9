// ExaBGP's own configuration files, read at run time from branch 4.2 of $TSBGP_EXABGP_REPO (none of them is kept
// in tsbgp's tree, docs/CONFORMANCE.md): etc/exabgp/*.conf and every *.conf under qa/, unpacked with `git archive`
// into a temporary directory. Each goes through ExaBGP 4.2's `exabgp -t` (in its own directory, as its relative
// paths expect) and through `tsbgp validate` (tsbgp.flowspec.guard=warn): every file ExaBGP accepts, tsbgp accepts,
// except the pinned ones, each refused for its stated reason at file:line:col. The counts are printed.
// `npm run conformance`, not part of `npm test`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { exabgpVerdicts, type Pin, tsbgpValidate, verdictProblems } from '../support/exabgp-check';
import { skipReason } from '../support/programs';
import { corpusCommits, exabgpRepo } from './exabgp-corpus';

/** Files (relative to the archive) ExaBGP 4.2 accepts and tsbgp refuses, with the text its message must give. */
const PINNED: Record<string, Pin> = {
  'etc/exabgp/conf-split.conf': {
    reason: /section 'neighbor 127\.0\.0\.1' is not closed/,
    why: "its last '}' is missing: ExaBGP reads to the end of the file, tsbgp refuses an unclosed section",
  },
};

function confs(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...confs(root, rel));
    else if (e.name.endsWith('.conf')) out.push(rel);
  }
  return out.sort();
}

test("ExaBGP 4.2's configuration files: every one ExaBGP accepts validates under tsbgp, except the pinned ones", {
  timeout: 600_000,
}, async () => {
  const found = exabgpRepo();
  if ('problem' in found) assert.fail(found.problem);
  // Asked for explicitly (npm run conformance): a missing ExaBGP is a failure here, not a skip.
  const missing = skipReason('exabgp');
  if (missing !== undefined) assert.fail(`${missing}: install ExaBGP 4.2 (README, Testing)`);
  const commit = corpusCommits(found.repo)['4.2'];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-exabgp-configs-'));
  try {
    const tar = execFileSync('git', ['-C', found.repo, 'archive', commit, 'etc/exabgp', 'qa'], {
      maxBuffer: 256 << 20,
    });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    const files = [...confs(root, 'etc/exabgp'), ...confs(root, 'qa')];
    assert.ok(files.length >= 70, `${files.length} configuration files`);
    const byDir = new Map<string, string[]>();
    for (const f of files) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), path.basename(f)]);
    const problems: string[] = [];
    let accepted = 0;
    let validated = 0;
    for (const [dir, names] of byDir) {
      const cwd = path.join(root, dir);
      const exabgp = await exabgpVerdicts(names, cwd);
      const tsbgp = await tsbgpValidate(names, cwd, 'warn');
      for (const name of names) {
        const f = path.join(dir, name);
        if (!exabgp.get(name)) {
          assert.equal(PINNED[f], undefined, `${f}: pinned, but ExaBGP refuses it`);
          continue;
        }
        accepted++;
        if (tsbgp.get(name)!.ok) validated++;
        problems.push(...verdictProblems(f, tsbgp.get(name)!, PINNED[f]));
      }
    }
    process.stdout.write(
      `# exabgp-configs: ExaBGP 4.2 accepts ${accepted} of ${files.length} files, tsbgp validates ${validated} of ` +
        `those (branch 4.2 at ${commit.slice(0, 12)})\n`,
    );
    assert.deepEqual(problems, []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
