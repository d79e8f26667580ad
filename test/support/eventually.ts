/** Polls until `check` stops throwing (or returns a truthy value), instead of sleeping a guessed time. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = new Error('condition not met');
  for (;;) {
    try {
      const v = await check();
      if (v !== false && v !== undefined && v !== null) return v;
      lastErr = new Error('condition returned falsy');
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw lastErr;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
