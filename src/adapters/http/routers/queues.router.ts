/** Queues and their settings; monitoring settings (service level, thresholds). */
import { z } from 'zod';
import type { AuthService } from '../../../app/auth/auth.service';
import type { QueuesService } from '../../../app/queues/queues.service';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';
import { queueResponse, settingsResponse } from '../response-schemas';

const queueFields = {
  name: z.string().min(1).max(100),
  unitId: id.nullable(),
  serviceLevelThresholdSec: z.number().int().min(1).max(600),
  waitAlertSec: z.number().int().min(5).max(3600),
  priority: z.number().int().min(0).max(100),
  active: z.boolean(),
};
export const createQueueBody = z.strictObject({
  queueId: id,
  name: queueFields.name,
  unitId: queueFields.unitId.default(null),
  serviceLevelThresholdSec: queueFields.serviceLevelThresholdSec.default(15),
  waitAlertSec: queueFields.waitAlertSec.default(60),
  priority: queueFields.priority.default(0),
  active: queueFields.active.default(true),
});
export const updateQueueBody = z.strictObject(queueFields).partial();
export const queueParams = z.strictObject({ queueId: id });
export const settingsBody = z.strictObject({
  serviceLevelThresholdSec: z.number().int().min(1).max(600),
  serviceLevelDenominator: z.enum(['answered', 'queued']),
  shortAbandonSec: z.number().int().min(0).max(60),
  ringAnswerThresholdSec: z.number().int().min(1).max(120),
  waitAlertSec: z.number().int().min(5).max(3600),
  notReadyAlertSec: z.number().int().min(30).max(86_400),
  missedStreakAlert: z.number().int().min(1).max(100),
});

export function queuesRouter(auth: AuthService, queues: QueuesService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'get', path: '/api/queues', response: z.object({ items: z.array(queueResponse) }), summary: 'List queues', tag: 'queues', permission: 'queues:read' }, authed, async (_req, res) => {
    res.json({ items: await queues.list(authOf(res).actor) });
  });
  r.route({ method: 'post', path: '/api/queues', response: queueResponse, summary: 'Create a queue', tag: 'queues', permission: 'queues:manage', body: createQueueBody, status: 201, errors: [409] }, authed, async (req, res) => {
    const b = parse(createQueueBody, req.body, 'body');
    res.status(201).json(await queues.create(authOf(res).actor, b));
  });
  r.route({ method: 'get', path: '/api/queues/:queueId', response: queueResponse, summary: 'One queue', tag: 'queues', permission: 'queues:read', params: queueParams }, authed, async (req, res) => {
    const p = parse(queueParams, req.params, 'params');
    res.json(await queues.get(authOf(res).actor, p.queueId));
  });
  r.route({ method: 'patch', path: '/api/queues/:queueId', response: queueResponse, summary: 'Change a queue\'s settings', tag: 'queues', permission: 'queues:manage', params: queueParams, body: updateQueueBody }, authed, async (req, res) => {
    const p = parse(queueParams, req.params, 'params');
    const b = parse(updateQueueBody, req.body, 'body');
    res.json(await queues.update(authOf(res).actor, p.queueId, b));
  });
  r.route({ method: 'get', path: '/api/settings', response: settingsResponse, summary: 'Monitoring settings (service level, alert thresholds)', tag: 'queues', permission: 'settings:read' }, authed, async (_req, res) => {
    res.json(queues.getSettings(authOf(res).actor));
  });
  r.route({ method: 'put', path: '/api/settings', response: settingsResponse, summary: 'Replace the monitoring settings', tag: 'queues', permission: 'settings:manage', body: settingsBody }, authed, async (req, res) => {
    const b = parse(settingsBody, req.body, 'body');
    res.json(await queues.putSettings(authOf(res).actor, b));
  });
  return r;
}
