/** Polls until `check` stops throwing (or returns a truthy value), instead of sleeping a guessed time. */
type Falsy = false | null | undefined;

export async function eventually<T>(
  check: () => Promise<T | Falsy> | T | Falsy,
  timeoutMs = 10_000,
  everyMs = 100,
  /** What to show when it times out (the state the condition was waiting on). */
  explain?: () => unknown,
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = new Error('condition not met');
  for (;;) {
    try {
      const v = await check();
      if (v !== false && v !== undefined && v !== null) return v as Exclude<T, Falsy>;
      lastErr = new Error('condition returned falsy');
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      if (explain && lastErr instanceof Error) lastErr.message += `; state: ${JSON.stringify(explain())}`;
      throw lastErr;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
