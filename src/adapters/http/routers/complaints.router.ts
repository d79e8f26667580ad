/**
 * Complaints against handling units (监督投诉): recorded by hotline staff (complaints:record), read
 * and judged by supervisors and administrators (complaints:read, complaints:judge). 403 for other
 * roles and for judging a complaint one recorded oneself, 409 when it was already judged.
 */
import { z } from 'zod';
import { COMPLAINT_GROUNDS } from '../../../domain/work-order';
import type { ComplaintService } from '../../../app/work-orders/lifecycle/complaint.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, instant, page, pageSize, parse } from '../validate';
import { complaintListResponse, complaintResponse } from '../response-schemas';

const text = z.string().trim().min(1).max(4000);

export const complaintBody = z.strictObject({
  unitId: id,
  orderId: id.optional(),
  ground: z.enum(COMPLAINT_GROUNDS),
  description: text,
  complainedAt: instant.optional(),
});
export const judgementBody = z.strictObject({
  decision: z.enum(['upheld', 'rejected']),
  finding: text,
  rev: z.number().int().min(1).optional(),
});
export const complaintListQuery = z.strictObject({
  unitId: id.optional(),
  status: z.enum(['pending', 'upheld', 'rejected']).optional(),
  from: instant.optional(),
  to: instant.optional(),
  page,
  pageSize,
});
export const complaintParams = z.strictObject({ complaintId: id });

export function complaintsRouter(auth: Authenticator, complaints: ComplaintService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'post', path: '/api/complaints', response: complaintResponse, summary: 'Record a citizen\'s complaint against a handling unit (监督投诉), pending until judged', tag: 'complaints', permission: 'complaints:record', body: complaintBody, status: 201 }, authed, async (req, res) => {
    const b = parse(complaintBody, req.body, 'body');
    res.status(201).json(
      await complaints.record(authOf(res).actor, {
        unitId: b.unitId, ground: b.ground, description: b.description,
        ...(b.orderId !== undefined ? { orderId: b.orderId } : {}),
        ...(b.complainedAt !== undefined ? { complainedAt: new Date(b.complainedAt) } : {}),
      }),
    );
  });
  r.route({ method: 'get', path: '/api/complaints', response: complaintListResponse, summary: 'List complaints against units, newest first', tag: 'complaints', permission: 'complaints:read', query: complaintListQuery }, authed, async (req, res) => {
    const q = parse(complaintListQuery, req.query, 'query');
    res.json(
      await complaints.list(
        authOf(res).actor,
        {
          ...(q.unitId !== undefined ? { unitId: q.unitId } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
          ...(q.from !== undefined ? { from: new Date(q.from) } : {}),
          ...(q.to !== undefined ? { to: new Date(q.to) } : {}),
        },
        q.page,
        q.pageSize,
      ),
    );
  });
  r.route({ method: 'get', path: '/api/complaints/:complaintId', response: complaintResponse, summary: 'One complaint', tag: 'complaints', permission: 'complaints:read', params: complaintParams }, authed, async (req, res) => {
    const p = parse(complaintParams, req.params, 'params');
    res.json(await complaints.get(authOf(res).actor, p.complaintId));
  });
  r.route(
    {
      method: 'post', path: '/api/complaints/:complaintId/judgement', response: complaintResponse, tag: 'complaints', permission: 'complaints:judge', params: complaintParams, body: judgementBody, errors: [409],
      summary: 'Judge a pending complaint upheld (经查属实: −0.01 of the unit\'s Beijing score) or rejected; not by the person who recorded it',
    },
    authed,
    async (req, res) => {
      const p = parse(complaintParams, req.params, 'params');
      const b = parse(judgementBody, req.body, 'body');
      res.json(await complaints.judge(authOf(res).actor, p.complaintId, b.decision, b.finding, b.rev));
    },
  );
  return r;
}
