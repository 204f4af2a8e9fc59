/** Tracks background work (sealing) so tests and shutdown can wait for it. */
export class TaskTracker {
  #pending = new Set<Promise<unknown>>();
  run(fn: () => Promise<unknown>): void {
    const p: Promise<unknown> = fn()
      .catch((err: unknown) => console.error('[countersign] background task failed:', err))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }
}
