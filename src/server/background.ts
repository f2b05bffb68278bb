import type { Background } from '../ports/background';

/**
 * Runs follow-up work in this process after the answer has gone. Not durable:
 * a crash loses work in flight. The durable job queue replaces it.
 */
export class InProcessBackground implements Background {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly log: (msg: string) => void) {}

  run(label: string, work: () => Promise<unknown>): void {
    const p = work()
      .catch((e) => this.log(`background work "${label}" failed: ${(e as Error).message}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves once nothing is in flight: used on shutdown and by tests. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
