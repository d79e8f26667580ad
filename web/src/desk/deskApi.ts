/** The work-order desk's REST reads and writes (工单中心, 承办单位工作台, 审核与回访). */
import { api, upload } from '../api';

export type Level = 'overdue' | 'warning' | 'normal';

export interface RadarRow {
  id: string;
  number: string;
  status: string;
  category: string;
  urgency: string;
  areaCode: string;
  leadUnitId: string | null;
  coUnitIds: string[];
  createdAt: string;
  callerName: string | null;
  callerPhone: string | null;
  callerMasked: boolean;
  repeatOf: string | null;
  escalated: boolean;
  rev: number;
  stage: string | null;
  dueAt: string | null;
  remindAt: string | null;
  level: Level | null;
  chainRootId: string;
  repeatNumber: number;
}

export interface RadarPage {
  items: RadarRow[];
  total: number;
  page: number;
  pageSize: number;
  now: string;
}

export interface RadarQuery {
  unitId?: string;
  category?: string;
  urgency?: string;
  status?: string[];
  level?: 'overdue' | 'warning';
  page?: number;
  pageSize?: number;
}

export interface Deadline {
  stage: string;
  startAt: string;
  dueAt: string;
  provisional: boolean;
  extendedBy: number;
  metAt?: string;
  rule: { limit: number; unit: string; source: string };
}

export interface HistoryEntry {
  seq: number;
  action: string;
  actor: string;
  role: string;
  at: string;
  fromStatus: string;
  toStatus: string;
  comment?: string;
}

export interface Order {
  id: string;
  number: string;
  status: string;
  rev: number;
  category: string;
  urgency: string;
  content: string;
  areaCode: string;
  location?: string;
  createdAt: string;
  caller: { name?: string; phone?: string; address?: string; confidential: boolean };
  callerMasked: boolean;
  leadUnitId?: string;
  coUnitIds: string[];
  deadlines: Record<string, Deadline | undefined>;
  contactAttempts: Array<{ at: string; channel: 'phone' | 'sms'; reached: boolean; note?: string }>;
  firstContactAt?: string;
  extensions: Array<{ requestedAt: string; step: { value: number; unit: string }; reason: string; decision?: 'approved' | 'rejected' }>;
  returns: Array<{ requestedAt: string; reason: string; explanation: string; decision?: 'approved' | 'rejected' }>;
  completionReport?: Record<string, string>;
  callbacks: Array<{ at: string; result: string; level?: string }>;
  repeatOf?: string;
  repeatNumber: number;
  escalated: boolean;
  sentNoticeKeys: string[];
  history: HistoryEntry[];
}

export interface Limits {
  extension: {
    maxCount: number | null;
    counts: 'applications' | 'approved';
    unit: string;
    allowedSteps?: number[] | null;
    maxStep: number | null;
    maxTotal: number | null;
    notWithinWorkingDaysOfDeadline: number;
  };
  return: { maxCount: number | null };
}

export type Preview = { limits: Limits } & ({ allowed: true; status: string; deadlines: Record<string, Deadline | undefined> } | { allowed: false; code: string; reason: string });

export function radar(q: RadarQuery): Promise<RadarPage> {
  const p = new URLSearchParams();
  if (q.unitId) p.set('unitId', q.unitId);
  if (q.category) p.set('category', q.category);
  if (q.urgency) p.set('urgency', q.urgency);
  if (q.status && q.status.length > 0) p.set('status', q.status.join(','));
  if (q.level) p.set('level', q.level);
  p.set('page', String(q.page ?? 1));
  p.set('pageSize', String(q.pageSize ?? 20));
  return api<RadarPage>('GET', `/api/work-order-radar?${p.toString()}`);
}

export const getOrder = (id: string): Promise<Order> => api<Order>('GET', `/api/work-orders/${encodeURIComponent(id)}`);

export const act = (id: string, action: Record<string, unknown>): Promise<Order> => api<Order>('POST', `/api/work-orders/${encodeURIComponent(id)}/actions`, action);

export const preview = (id: string, action: Record<string, unknown>): Promise<Preview> => api<Preview>('POST', `/api/work-orders/${encodeURIComponent(id)}/preview`, action);

export interface Supervised {
  notice: { key: string; kind: 'reminder' | 'supervision'; stage: string; level: string; dueAt: string; at: string; unitIds: string[] };
  number: string;
}

/** 催办 (before the current stage's deadline) or 督办 (after it), sent by hand to the order's units. */
export const supervise = (id: string, kind: 'reminder' | 'supervision'): Promise<Supervised> =>
  api<Supervised>('POST', `/api/work-orders/${encodeURIComponent(id)}/supervise`, { kind });

/** An evidence file of an order (附件), as the server stored it: its kind is judged from its content. */
export interface EvidenceFile {
  id: string;
  name: string;
  mime: string;
  kind: 'photo' | 'recording' | 'document' | 'other';
  size: number;
  step: string;
  uploadedAt: string;
}

export const uploadEvidence = (orderId: string, step: 'return' | 'extension' | 'reply' | 'completion' | 'intake', file: File): Promise<EvidenceFile> =>
  upload<EvidenceFile>(`/api/work-orders/${encodeURIComponent(orderId)}/attachments?step=${step}`, file, file.name);

export const orderFiles = (orderId: string): Promise<EvidenceFile[]> => api<EvidenceFile[]>('GET', `/api/work-orders/${encodeURIComponent(orderId)}/attachments`);
