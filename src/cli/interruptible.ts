/**
 * Long study steps (adapter training, measurements) stop cleanly on Ctrl-C or SIGTERM: the step gets
 * a signal those abort, and an aborted step ends with one line saying what is kept, instead of a
 * stack trace. The handlers live only as long as the step.
 */
export type Interruptible<T> = { interrupted: true } | { interrupted: false; value: T };

export async function runInterruptible<T>(whenInterrupted: string, step: (signal: AbortSignal) => Promise<T>): Promise<Interruptible<T>> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return { interrupted: false, value: await step(stop.signal) };
  } catch (err) {
    if (!stop.signal.aborted) throw err;
    process.stderr.write(`${whenInterrupted}\n`);
    return { interrupted: true };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
