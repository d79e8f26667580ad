/** The confidential-caller directory in memory, with its audit, for the app's unit tests. */
import type {
  CallerStanding,
  ConfidentialAuditEntry,
  ConfidentialCallerStore,
  ConfidentialMarkRecord,
  ConfidentialMarkRecords,
  MarkInput,
  MarkListQuery,
  WithdrawInput,
} from '../../../../src/app/callers/callers.ports';
import { maskPhone } from '../../../../src/domain/access';

export class MemoryStore implements ConfidentialCallerStore, ConfidentialMarkRecords {
  readonly docs = new Map<string, string[]>();
  readonly entries = new Map<string, { markId: string; active: boolean; withdrawnAt: number | null; changedAt: Date }>();
  readonly calls = new Map<string, string>();
  readonly audit: ConfidentialAuditEntry[] = [];
  reads = 0;
  late = false;
  async standings(keys: readonly string[]): Promise<Map<string, CallerStanding>> {
    this.reads += 1;
    if (this.late) return new Promise(() => undefined);
    return new Map(keys.flatMap((k) => {
      const e = this.entries.get(k);
      return e ? [[k, { active: e.active, withdrawnAt: e.withdrawnAt }] as const] : [];
    }));
  }
  async add(keys: readonly string[], m: MarkInput): Promise<Array<{ key: string; markId: string }>> {
    return keys.map((k) => {
      const e = this.entries.get(k);
      this.docs.set(k, [...(e?.active === false ? [] : (this.docs.get(k) ?? [])), m.source]);
      const markId = e?.markId ?? `mark-${this.entries.size + 1}`;
      this.entries.set(k, { markId, active: true, withdrawnAt: null, changedAt: m.at });
      this.audit.push({ markId, callerNumber: maskPhone(k), action: 'marked', source: m.source, by: m.by?.userId ?? null, role: m.by?.role ?? null, reason: m.reason, at: m.at });
      return { key: k, markId };
    });
  }
  async withdraw(markId: string, w: WithdrawInput): Promise<{ key: string } | 'absent' | 'withdrawn'> {
    const found = [...this.entries.entries()].find(([, e]) => e.markId === markId);
    if (!found) return 'absent';
    const [key, e] = found;
    if (!e.active) return 'withdrawn';
    this.entries.set(key, { markId, active: false, withdrawnAt: w.at.getTime(), changedAt: w.at });
    this.audit.push({ markId, callerNumber: maskPhone(key), action: 'withdrawn', source: null, by: w.by.userId, role: w.by.role, reason: w.reason, at: w.at });
    return { key };
  }
  async changedSince(since: Date): Promise<Array<{ key: string; changedAt: Date } & CallerStanding>> {
    this.reads += 1;
    return [...this.entries.entries()].filter(([, e]) => e.changedAt >= since).map(([key, e]) => ({ key, changedAt: e.changedAt, active: e.active, withdrawnAt: e.withdrawnAt }));
  }
  async callerOfCall(callId: string): Promise<string | null> {
    return this.calls.get(callId) ?? null;
  }
  async find(markId: string): Promise<ConfidentialMarkRecord | null> {
    const found = [...this.entries.entries()].find(([, e]) => e.markId === markId);
    if (!found) return null;
    const [key, e] = found;
    const last = [...this.audit].reverse().find((a) => a.markId === markId);
    return {
      markId, key, active: e.active, since: e.changedAt, changedAt: e.changedAt, sources: this.docs.get(key) ?? [], reason: e.active ? (last?.reason ?? null) : null, markedBy: null,
      withdrawal: e.active ? null : { at: new Date(e.withdrawnAt ?? 0), by: last?.by ?? '', reason: last?.reason ?? '' },
    };
  }
  async list(q: MarkListQuery): Promise<{ items: ConfidentialMarkRecord[]; total: number }> {
    const all = (await Promise.all([...this.entries.entries()].filter(([k]) => q.key === undefined || k === q.key).map(([, e]) => this.find(e.markId))))
      .filter((r): r is ConfidentialMarkRecord => r !== null && (q.state === 'all' || r.active === (q.state === 'active')));
    return { items: all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize), total: all.length };
  }
  async auditOf(markId: string): Promise<ConfidentialAuditEntry[]> {
    return this.audit.filter((a) => a.markId === markId);
  }
}
