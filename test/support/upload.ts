/** Multipart uploads and raw downloads of evidence files, as a browser would send them. */
import type { Login, WorkOrderApp } from './work-order-harness';

export interface Uploaded {
  id: string; name: string; mime: string; kind: string; size: number; step: string; metadataStripped: boolean;
}

export async function upload(app: { baseUrl: string }, who: Login | null, orderId: string, step: string, name: string, data: Buffer): Promise<{ status: number; body: Uploaded & { code?: string; reasonCode?: string; field?: string; message?: string } }> {
  const form = new FormData();
  form.append('file', new Blob([data]), name);
  const res = await fetch(`${app.baseUrl}/api/work-orders/${orderId}/attachments?step=${step}`, {
    method: 'POST', headers: who ? { authorization: `Bearer ${who.token}` } : {}, body: form, signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, body: (await res.json()) as Uploaded };
}

export async function download(app: WorkOrderApp, who: Login, orderId: string, attachmentId: string, range?: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = { authorization: `Bearer ${who.token}` };
  if (range) headers['range'] = range;
  const res = await fetch(`${app.baseUrl}/api/work-orders/${orderId}/attachments/${attachmentId}`, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
