/**
 * A simulator's clock: the time its charges are stamped with and its searches count from. Tests can move it
 * (`setOffset`) to make something happen "two hours ago" or "a day later" without waiting. Each reading is later
 * than the previous one (at least by a millisecond), as a gateway's own timestamps never tie for one account.
 */
export class SimClock {
  private offsetMs = 0;
  private last = 0;

  now(): number {
    this.last = Math.max(Date.now() + this.offsetMs, this.last + 1);
    return this.last;
  }

  /** Unix seconds (Conekta's timestamps). */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  setOffset(ms: number): void {
    this.offsetMs = ms;
    this.last = 0;
  }

  offset(): number {
    return this.offsetMs;
  }
}
