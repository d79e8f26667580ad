/** In-call controls on a live call: hold, resume, one-key emergency transfer (110/119/120/122). */
import { z } from 'zod';
import type { AuthService } from '../../../app/auth/auth.service';
import type { CallControlService } from '../../../app/calls/call-controls.service';
import { EMERGENCY_LINES } from '../../../domain/call/call.settings';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter, type RouteDoc } from '../route-table';
import { id, parse } from '../validate';
import { callControlResponse } from '../response-schemas';

export const liveCallParams = z.strictObject({ callId: id });
export const emergencyTransferBody = z.strictObject({ line: z.enum(EMERGENCY_LINES) });
export const threeWayBody = z.strictObject({ number: z.string().regex(/^[0-9+]{3,20}$/, 'a phone number (3-20 digits)') });
export const monitorBody = z.strictObject({ mode: z.enum(['listen', 'whisper', 'barge']) });

export function callControlsRouter(auth: AuthService, controls: CallControlService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  const doc = { tag: 'calls', permission: 'calls:control', params: liveCallParams, status: 202, errors: [409] } satisfies Partial<RouteDoc>;
  r.route({ ...doc, method: 'post', path: '/api/calls/:callId/hold', response: callControlResponse, summary: 'Put the caller on hold (hold music; the agent stays on the line). Agents: the call they handle' }, authed, (req, res) => {
    const p = parse(liveCallParams, req.params, 'params');
    res.status(202).json(controls.control(authOf(res).actor, p.callId, { type: 'hold' }));
  });
  r.route({ ...doc, method: 'post', path: '/api/calls/:callId/resume', response: callControlResponse, summary: 'Take the caller back from hold' }, authed, (req, res) => {
    const p = parse(liveCallParams, req.params, 'params');
    res.status(202).json(controls.control(authOf(res).actor, p.callId, { type: 'resume' }));
  });
  r.route(
    { ...doc, method: 'post', path: '/api/calls/:callId/emergency-transfer', response: callControlResponse, summary: 'One-key transfer to 110/119/120/122 through the trunk with the caller\'s number; the caller returns to the agent when the line is busy or does not answer', body: emergencyTransferBody },
    authed,
    (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(emergencyTransferBody, req.body, 'body');
      res.status(202).json(controls.control(authOf(res).actor, p.callId, { type: 'emergency-transfer', line: b.line }));
    },
  );
  r.route(
    { ...doc, method: 'post', path: '/api/calls/:callId/three-way', response: callControlResponse, summary: 'Three-way call (三方通话): add a handling unit\'s number to the call through the trunk; the agent may then leave the caller with the unit', body: threeWayBody },
    authed,
    (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(threeWayBody, req.body, 'body');
      res.status(202).json(controls.control(authOf(res).actor, p.callId, { type: 'three-way', number: b.number }));
    },
  );
  const monitorDoc = { tag: 'calls', permission: 'calls:monitor', params: liveCallParams, status: 202, errors: [409] } satisfies Partial<RouteDoc>;
  r.route(
    { ...monitorDoc, method: 'post', path: '/api/calls/:callId/monitor', response: callControlResponse, summary: 'Supervisor listen / whisper (only the agent hears) / barge (all hear): the supervisor\'s own phone (its seat) is called first. Supervisors of the call\'s queue only; audited', body: monitorBody },
    authed,
    (req, res) => {
      const p = parse(liveCallParams, req.params, 'params');
      const b = parse(monitorBody, req.body, 'body');
      res.status(202).json(controls.monitor(authOf(res).actor, p.callId, b.mode));
    },
  );
  r.route({ ...monitorDoc, method: 'delete', path: '/api/calls/:callId/monitor', response: callControlResponse, summary: 'End the monitoring of a call' }, authed, (req, res) => {
    const p = parse(liveCallParams, req.params, 'params');
    res.status(202).json(controls.stopMonitor(authOf(res).actor, p.callId));
  });
  return r;
}
