/** Lets a polling loop sleep until a producer says there is new work, or a timeout passes. */
export class Wakeup {
  private waiter: (() => void) | undefined;

  /** Ends the current wait (if any) at once. */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Resolves on the next wake(), or after `ms` at the latest. One waiter at a time. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.waiter === done) this.waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiter = done;
    });
  }
}
