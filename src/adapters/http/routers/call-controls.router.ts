/** In-call controls on a live call: hold, resume, one-key emergency transfer (110/119/120/122), three-way, transfers, monitoring. */
import { z } from 'zod';
import type { AuthService } from '../../../app/auth/auth.service';
import type { CallControlService } from '../../../app/calls/call-controls.service';
import type { CallControl } from '../../../domain/call/call.controls';
import { EMERGENCY_LINES } from '../../../domain/call/call.settings';
import { asQueueId } from '../../../shared/ids';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter, type RouteDoc } from '../route-table';
import { id, parse } from '../validate';
import { callControlResponse } from '../response-schemas';

export const liveCallParams = z.strictObject({ callId: id });
export const emergencyTransferBody = z.strictObject({ line: z.enum(EMERGENCY_LINES) });
export const threeWayBody = z.strictObject({ number: z.string().regex(/^[0-9+]{3,20}$/, 'a phone number (3-20 digits)') });
export const transferBody = z.strictObject({
  number: z.string().regex(/^[0-9+]{3,20}$/, 'a phone number (3-20 digits)'),
  mode: z.enum(['blind', 'consult']).default('blind'),
});
export const queueTransferBody = z.strictObject({ queueId: id });
export const monitorBody = z.strictObject({ mode: z.enum(['listen', 'whisper', 'barge']) });

export function callControlsRouter(auth: AuthService, controls: CallControlService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  const doc = { tag: 'calls', permission: 'calls:control', params: liveCallParams, status: 202, errors: [409] } satisfies Partial<RouteDoc>;
  /** A control with no body. */
  const bare = (path: string, summary: string, control: Extract<CallControl, { type: 'hold' | 'resume' | 'transfer-complete' | 'transfer-cancel' }>) =>
    r.route({ ...doc, method: 'post', path: `/api/calls/:callId/${path}`, response: callControlResponse, summary }, authed, async (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      res.status(202).json(await controls.control(authOf(res).actor, p.callId, control));
    });
  bare('hold', 'Put the caller on hold (hold music; the agent stays on the line). Agents: the call they handle', { type: 'hold' });
  bare('resume', 'Take the caller back from hold', { type: 'resume' });
  bare('transfer/complete', 'Consultative transfer: hand the caller to the unit the agent is talking with', { type: 'transfer-complete' });
  bare('transfer/cancel', 'Consultative transfer: drop the unit and take the caller back', { type: 'transfer-cancel' });
  r.route(
    { ...doc, method: 'post', path: '/api/calls/:callId/emergency-transfer', response: callControlResponse, summary: 'One-key transfer to 110/119/120/122 through the trunk with the caller\'s number; the caller returns to the agent when the line is busy or does not answer', body: emergencyTransferBody },
    authed,
    async (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(emergencyTransferBody, req.body, 'body');
      res.status(202).json(await controls.control(authOf(res).actor, p.callId, { type: 'emergency-transfer', line: b.line }));
    },
  );
  r.route(
    { ...doc, method: 'post', path: '/api/calls/:callId/three-way', response: callControlResponse, summary: 'Three-way call (三方通话): add a handling unit\'s number to the call through the trunk; the agent may then leave the caller with the unit', body: threeWayBody },
    authed,
    async (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(threeWayBody, req.body, 'body');
      res.status(202).json(await controls.control(authOf(res).actor, p.callId, { type: 'three-way', number: b.number }));
    },
  );
  r.route(
    { ...doc, method: 'post', path: '/api/calls/:callId/transfer', response: callControlResponse, summary: 'Transfer to a handling unit\'s number through the trunk: blind (the caller is handed over when the unit answers; back to the agent when busy or no answer) or consult (the caller on hold while the agent talks to the unit, then complete or cancel)', body: transferBody },
    authed,
    async (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(transferBody, req.body, 'body');
      res.status(202).json(await controls.control(authOf(res).actor, p.callId, { type: 'transfer', number: b.number, mode: b.mode }));
    },
  );
  r.route(
    { ...doc, errors: [404, 409], method: 'post', path: '/api/calls/:callId/queue-transfer', response: callControlResponse, summary: 'Send the caller to another queue: it waits there at its original place (the time it first queued), with that queue\'s ring limit; the record follows the call', body: queueTransferBody },
    authed,
    async (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(queueTransferBody, req.body, 'body');
      res.status(202).json(await controls.control(authOf(res).actor, p.callId, { type: 'queue-transfer', queueId: asQueueId(b.queueId) }));
    },
  );
  const monitorDoc = { tag: 'calls', permission: 'calls:monitor', params: liveCallParams, status: 202, errors: [409] } satisfies Partial<RouteDoc>;
  r.route(
    { ...monitorDoc, method: 'post', path: '/api/calls/:callId/monitor', response: callControlResponse, summary: 'Supervisor listen / whisper (only the agent hears) / barge (all hear): the supervisor\'s own phone (its seat) is called first. Supervisors of the call\'s queue only; audited', body: monitorBody },
    authed,
    async (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(monitorBody, req.body, 'body');
      res.status(202).json(await controls.monitor(authOf(res).actor, p.callId, b.mode));
    },
  );
  r.route({ ...monitorDoc, method: 'delete', path: '/api/calls/:callId/monitor', response: callControlResponse, summary: 'End the monitoring of a call' }, authed, async (req, res) => {
    const p = parse(liveCallParams, req.params, 'params');
    res.status(202).json(await controls.stopMonitor(authOf(res).actor, p.callId));
  });
  return r;
}
