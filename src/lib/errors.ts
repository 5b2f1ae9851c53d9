// The library's exceptions: one class per kind of refusal, each with the reasons a program can show or test.

/** Every error the library throws on purpose is a TsbgpError (bad values, a refused route or configuration). */
export class TsbgpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsbgpError';
  }
}

/** The speaker's options make a configuration the daemon would refuse: every reason, one line each. */
export class ConfigurationError extends TsbgpError {
  constructor(readonly reasons: string[]) {
    super(reasons.join('\n'));
    this.name = 'ConfigurationError';
  }
}

/** The FlowSpec guard refused a rule (docs/FLOWSPEC.md): nothing was sent. `reasons` lists why, one each. */
export class FlowSpecRefused extends TsbgpError {
  constructor(
    readonly reasons: string[],
    hint: string,
  ) {
    super(`flow rule refused: ${reasons.join('; ')} (${hint})`);
    this.name = 'FlowSpecRefused';
  }
}

/** A call that needs a running speaker (announce, withdraw) came before start() or after stop(). */
export class NotRunning extends TsbgpError {
  constructor(what: string) {
    super(`${what}: the speaker is not running (call start() first)`);
    this.name = 'NotRunning';
  }
}
