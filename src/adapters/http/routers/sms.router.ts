/**
 * Text messages of a work order: who was sent what, and what became of it (queued, sent, delivered,
 * failed, with tries and the last error). The same access as the order (404 otherwise); a
 * confidential caller's number masked and the text left out for anyone not handling the order.
 */
import { z } from 'zod';
import type { SmsService, SmsView } from '../../../app/sms/sms.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';
import { smsListResponse } from '../response-schemas';

const orderParams = z.strictObject({ orderId: id });

const view = (m: SmsView) => ({
  id: m.id, kind: m.kind, to: m.to, text: m.text, masked: m.masked, status: m.status, attempts: m.attempts,
  createdAt: m.createdAt, nextAttemptAt: m.status === 'queued' ? m.nextAttemptAt : null, sentAt: m.sentAt, finishedAt: m.finishedAt,
  gatewayMessageId: m.gatewayMessageId, lastError: m.lastError,
});

export function smsRouter(auth: Authenticator, sms: SmsService): DocumentedRouter {
  const r = new DocumentedRouter();
  r.route(
    {
      method: 'get', path: '/api/work-orders/:orderId/sms', response: smsListResponse, tag: 'work-orders', params: orderParams,
      summary: 'The order\'s text messages to the citizen with their state (queued, sent, delivered, failed); a confidential caller\'s for the handlers only',
    },
    requireAuth(auth),
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      res.json((await sms.forOrder(authOf(res).actor, p.orderId)).map(view));
    },
  );
  return r;
}
