/** A connection URL fit for logs: its password replaced (the user name kept, it helps diagnosis). */
export function withoutPassword(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
