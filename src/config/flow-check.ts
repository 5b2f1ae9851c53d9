// The FlowSpec routes of a configuration checked as the daemon will send them: built from the route block
// (parseFlowBlock) and run through the guard. Shared by `tsbgp validate` and the daemon's start and reload,
// so a rule is refused in the same words everywhere.

import { checkRule, type GuardOptions } from '../flowspec/guard';
import { parseFlowBlock } from '../flowspec/parse';
import type { Config, FlowRouteConfig } from './model';
import { ConfigError } from './tokenizer';

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
 * (including refusals overridden by allow-unsafe) are warnings. A route shared by several neighbors (a
 * template or group) is reported once.
 */
export function flowFindings(c: Config, opts: GuardOptions = {}): FlowFinding[] {
  const out: FlowFinding[] = [];
  const seen = new Set<string>();
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
      if (f.scope.length > 0) {
        add('error', f.scope[0]!, f, 'scope { } (interface-set) is not supported by tsbgp');
        continue;
      }
      let route: ReturnType<typeof parseFlowBlock>;
      try {
        route = parseFlowBlock({
          name: f.name,
          rd: f.rd,
          statements: f.statements,
          match: f.match,
          then: f.then,
          file: f.pos.file,
          line: f.pos.line,
          col: f.pos.col,
        });
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
          x.severity === 'refuse' ? `refused: ${x.message} (add allow-unsafe to send it anyway)` : x.message,
        );
      }
    }
  }
  return out;
}
