// A budget of log lines for something a peer can repeat at will (RFC 7606 errors in its UPDATEs): the first few
// of each period are logged in full, the rest only counted, and the count is told with the next line logged.

export class LogBudget {
  private periodStart = -Infinity;
  private used = 0;
  private notLogged = 0;

  constructor(
    /** Lines logged in full per period. */
    readonly perPeriod = 10,
    readonly periodMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether this occurrence may be logged: null when not (it is counted), otherwise how many were counted but
   * not logged since the last one that was (to say so in this line).
   */
  take(): number | null {
    const t = this.now();
    if (t - this.periodStart >= this.periodMs) {
      this.periodStart = t;
      this.used = 0;
    }
    if (this.used >= this.perPeriod) {
      this.notLogged++;
      return null;
    }
    this.used++;
    const skipped = this.notLogged;
    this.notLogged = 0;
    return skipped;
  }

  /** True for the first occurrence past the budget of a period: the moment to say that lines are now counted. */
  get justExhausted(): boolean {
    return this.used === this.perPeriod && this.notLogged === 1;
  }
}
