/**
 * Schemas owned by the domain strip unknown keys; the API rejects them. This finds the first key
 * present in the input but absent from the parsed value, so the 400 can name it.
 */
export function firstUnknownField(input: unknown, parsed: unknown, path: readonly string[] = []): string | undefined {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    for (let i = 0; i < input.length; i += 1) {
      const found = firstUnknownField(input[i], parsed[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(input) || !isPlainObject(parsed)) return undefined;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(parsed, key)) return [...path, key].join('.');
    const found = firstUnknownField(input[key], parsed[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v);
}
