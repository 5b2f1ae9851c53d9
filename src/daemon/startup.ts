// What the daemon checks before it starts, and before it applies a reloaded configuration: the file parsed,
// every static route and flow rule built as it will be sent, the FlowSpec guard run over each rule. `tsbgp
// validate` calls this same function, so a configuration validate accepts is one the daemon starts with; only
// what needs the sockets themselves (an address already in use, a port below 1024 without the capability) is
// left for `run` to find.

import type { Env } from '../config/env';
import { flowFindings, guardOptions } from '../config/flow-check';
import type { Config } from '../config/model';
import { type ParseOptions, parseConfig, parseConfigFile } from '../config/parser';
import { ConfigError } from '../config/tokenizer';
import type { GuardOptions } from '../flowspec/guard';
import { unsupported } from '../session/sockopt';
import { staticErrors } from './routes';

export interface StartupOptions extends ParseOptions {
  /** tsbgp.flowspec: the guard's mode, limits and protected prefixes (default: the settings' defaults). */
  flowspec?: Env['flowspec'];
  /** The configuration's text, when it does not come from `file` (the library's Speaker builds one); `file` then names it in errors. */
  text?: string;
}

/** The configuration would be refused: every reason, one `file:line:col: ...` line each. */
export class ConfigRefused extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
    this.name = 'ConfigRefused';
  }
}

export interface CheckedConfig {
  config: Config;
  /** The parser's warnings, then the guard's (a rule sent although unusual, allow-unsafe overrides). */
  warnings: string[];
  /** The FlowSpec guard's settings for this configuration, what it protects included: API rules use them too. */
  guard: GuardOptions;
}

/** Parse and check a configuration file; throws ConfigRefused with every reason the daemon would refuse it. */
export function loadConfiguration(file: string, opts: StartupOptions = {}): CheckedConfig {
  let config: Config;
  try {
    config = opts.text === undefined ? parseConfigFile(file, opts) : parseConfig(opts.text, file, opts);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigRefused([e.message]);
    throw e;
  }
  const errors: string[] = [];
  const warnings = [...config.warnings];
  const guard = guardOptions(config, opts.flowspec);
  for (const f of flowFindings(config, guard)) (f.severity === 'error' ? errors : warnings).push(f.text);
  for (const n of config.neighbors) for (const e of staticErrors(n.routes)) errors.push(e);
  // TCP MD5 and TTL security need Linux and a kernel with TCP_MD5SIG: tried once on a scratch socket.
  const secured = config.neighbors.filter((n) => n.md5Key || n.outgoingTtl || n.incomingTtl);
  const why = secured.length > 0 ? unsupported() : undefined;
  for (const n of why ? secured : [])
    errors.push(
      `${n.pos.file}:${n.pos.line}:${n.pos.col}: neighbor ${n.peerAddress}: md5-password, outgoing-ttl and incoming-ttl cannot be used here: ${why}`,
    );
  // A route or rule shared by several neighbors (a template, a group) is checked once per neighbor: its
  // finding is said once.
  if (errors.length > 0) throw new ConfigRefused([...new Set(errors)]);
  return { config, warnings: [...new Set(warnings)], guard };
}
