// Command acknowledgements, as ExaBGP sends them to API processes.
//
// ExaBGP 4.2 (reactor/api/processes.py, response/answer.py) writes one plain line after each command:
// `done` or `error` — also to processes whose encoder is JSON: 4.2 has no JSON form of the ack, and programs
// written for it (the bundled healthcheck among them) read a line and compare it with "done". The
// answer `shutdown` goes to the CLI when the daemon is stopping. `exabgp.api.ack=false` turns acks off.
//
// ExaBGP 5.0 adds three commands, per process: `enable-ack` (acks on; this command is acked),
// `disable-ack` (this command is still acked with `done`, later ones are not) and `silence-ack` (acks off at
// once: not even this command is answered). 5.0 also has a JSON form of the answers,
// `{ "answer": "done", "message": "command completed" }`.
//
// tsbgp's choice: plain text is the default for every process, JSON or not, so 4.2 programs keep working.
// The JSON form is sent only to a process configured with `format: 'json'` (opt-in), never guessed from its
// encoder. An error answer in JSON carries the reason; the text form cannot (4.2 programs expect the bare word).

export type Answer = 'done' | 'error' | 'shutdown';
export type AckFormat = 'text' | 'json';

const JSON_MESSAGES: Record<Answer, string> = {
  done: 'command completed',
  error: 'command failed',
  shutdown: 'tsbgp is shutting down',
};

/** The line (without newline) that carries an answer. */
export function answerLine(answer: Answer, format: AckFormat = 'text', message?: string): string {
  if (format === 'text') return answer;
  return JSON.stringify({ answer, message: message ?? JSON_MESSAGES[answer] });
}

/** True for the lines that end a command's output in the text protocol (what exabgpcli waits for). */
export function isAnswerLine(line: string): line is Answer {
  return line === 'done' || line === 'error' || line === 'shutdown';
}

export interface AckOptions {
  /** exabgp.api.ack (default true). The starting state of every process; enable-ack can still turn it on. */
  enabled?: boolean;
  /** Per-process answer format; processes not listed get 'text'. */
  formats?: Record<string, AckFormat>;
}

/** Per-process ack state. The daemon asks it what line (if any) to write after each command. */
export class AckPolicy {
  private readonly defaultEnabled: boolean;
  private readonly formats: Map<string, AckFormat>;
  private readonly enabled = new Map<string, boolean>();

  constructor(opts: AckOptions = {}) {
    this.defaultEnabled = opts.enabled ?? true;
    this.formats = new Map(Object.entries(opts.formats ?? {}));
  }

  setFormat(process: string, format: AckFormat): void {
    this.formats.set(process, format);
  }

  format(process: string): AckFormat {
    return this.formats.get(process) ?? 'text';
  }

  isEnabled(process: string): boolean {
    return this.enabled.get(process) ?? this.defaultEnabled;
  }

  /** A process that is (re)started begins again with the configured default, as a new ExaBGP process would. */
  reset(process: string): void {
    this.enabled.delete(process);
  }

  /** The line to write for this answer, or null when acks are off for the process. */
  answer(process: string, answer: Answer, message?: string): string | null {
    if (!this.isEnabled(process)) return null;
    return answerLine(answer, this.format(process), message);
  }

  /**
   * Apply enable-ack / disable-ack / silence-ack and return the line to answer the command itself with
   * (null: no answer), following ExaBGP 5.0.
   */
  control(process: string, kind: 'enable-ack' | 'disable-ack' | 'silence-ack'): string | null {
    switch (kind) {
      case 'enable-ack':
        this.enabled.set(process, true);
        return answerLine('done', this.format(process));
      case 'disable-ack': {
        const line = this.answer(process, 'done');
        this.enabled.set(process, false);
        return line;
      }
      case 'silence-ack':
        this.enabled.set(process, false);
        return null;
    }
  }
}
