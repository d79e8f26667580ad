/**
 * The agent directory (administrators): agents with their 工号, name, extension, queues, enabled,
 * and their phones' SIP secrets set or rotated. Asterisk follows every change at once. Answers that
 * carry a generated secret are never stored (no idempotency replay, `Cache-Control: no-store`).
 */
import type { Response } from 'express';
import { z } from 'zod';
import type { AgentDirectory } from '../../../app/agents/agent-directory.service';
import type { AuthService } from '../../../app/auth/auth.service';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';

const agentNumber = z.string().regex(/^[0-9]{1,8}$/, '工号: 1-8 digits');
const extension = z.string().regex(/^[0-9]{3,8}$/, '3-8 digits');
const sipSecret = z.string().min(16).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces');
const queues = z.array(id).min(1).max(50);

export const directoryParams = z.strictObject({ agentId: id });
export const createDirectoryAgentBody = z.strictObject({
  agentNumber,
  name: z.string().min(1).max(50),
  extension,
  queues,
  /** Omitted: a secret is generated and returned once. */
  sipSecret: sipSecret.optional(),
});
export const changeDirectoryAgentBody = z.strictObject({
  name: z.string().min(1).max(50).optional(),
  extension: extension.optional(),
  queues: queues.optional(),
  enabled: z.boolean().optional(),
  /** Only with a new extension (the digest binds the SIP user name). */
  sipSecret: sipSecret.optional(),
});
export const sipSecretBody = z.strictObject({
  /** Omitted: rotated, a new secret is generated and returned once. */
  secret: sipSecret.optional(),
});

const agentView = z.object({
  agentId: z.string(),
  agentNumber: z.string(),
  name: z.string(),
  extension: z.string().nullable(),
  sipUsername: z.string().nullable(),
  queues: z.array(z.string()),
  enabled: z.boolean(),
  hasSipSecret: z.boolean(),
});
const sipResult = z.object({ username: z.string(), realm: z.string(), secret: z.string().optional().describe('Only when generated: shown this once') });
const directoryResult = z.object({ agent: agentView, sip: sipResult.optional(), applied: z.boolean().describe('False when Asterisk could not be reached: it follows at its next connection') });
const auditList = z.object({
  items: z.array(z.object({ agentId: z.string(), action: z.enum(['created', 'changed', 'disabled', 'enabled', 'sip-secret-set', 'sip-secret-rotated']), fields: z.array(z.string()), by: z.string(), at: z.number() })),
});

function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
}

export function directoryRouter(auth: AuthService, directory: AgentDirectory): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  const tag = 'agent directory';
  r.route({ method: 'get', path: '/api/directory/agents', summary: 'The agent directory (enabled and disabled agents; never secrets)', tag, permission: 'agents:manage', response: z.object({ items: z.array(agentView) }) }, authed, async (_req, res) => {
    res.json({ items: await directory.list(authOf(res).actor) });
  });
  r.route(
    { method: 'post', path: '/api/directory/agents', summary: 'Create an agent; its phone is put into Asterisk at once (a generated SIP secret is returned once)', tag, permission: 'agents:manage', body: createDirectoryAgentBody, status: 201, errors: [409], response: directoryResult },
    authed,
    async (req, res) => {
      const b = parse(createDirectoryAgentBody, req.body, 'body');
      noStore(res);
      res.status(201).json(await directory.create(authOf(res).actor, b));
    },
  );
  r.route({ method: 'get', path: '/api/directory/agents/:agentId', summary: 'One agent of the directory', tag, permission: 'agents:manage', params: directoryParams, response: agentView }, authed, async (req, res) => {
    const p = parse(directoryParams, req.params, 'params');
    res.json(await directory.get(authOf(res).actor, p.agentId));
  });
  r.route(
    { method: 'patch', path: '/api/directory/agents/:agentId', summary: 'Change an agent (name, extension, queues, enabled); a disabled agent\'s phone is taken out of Asterisk', tag, permission: 'agents:manage', params: directoryParams, body: changeDirectoryAgentBody, errors: [409], response: directoryResult },
    authed,
    async (req, res) => {
      const p = parse(directoryParams, req.params, 'params');
      const b = parse(changeDirectoryAgentBody, req.body, 'body');
      noStore(res);
      res.json(await directory.change(authOf(res).actor, p.agentId, b));
    },
  );
  r.route(
    { method: 'post', path: '/api/directory/agents/:agentId/sip-secret', summary: 'Set the phone\'s SIP secret, or rotate it (no secret given: a new one is returned once)', tag, permission: 'agents:manage', params: directoryParams, body: sipSecretBody, errors: [409], response: directoryResult },
    authed,
    async (req, res) => {
      const p = parse(directoryParams, req.params, 'params');
      const b = parse(sipSecretBody, req.body ?? {}, 'body');
      noStore(res);
      res.json(await directory.setSipSecret(authOf(res).actor, p.agentId, b.secret));
    },
  );
  r.route({ method: 'get', path: '/api/directory/agents/:agentId/audit', summary: 'Who changed the agent and when (field names only)', tag, permission: 'agents:manage', params: directoryParams, response: auditList }, authed, async (req, res) => {
    const p = parse(directoryParams, req.params, 'params');
    res.json({ items: await directory.auditOf(authOf(res).actor, p.agentId) });
  });
  return r;
}
