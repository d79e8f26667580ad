/**
 * The unit directory (承办单位): listed for every signed-in role (orders, radars and reports name
 * their units), created and changed by administrators (the service refuses anyone else).
 */
import { z } from 'zod';
import type { UnitDirectoryService } from '../../../app/work-orders/units/unit-directory.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';

const unitParams = z.strictObject({ unitId: id });
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional().transform((v) => (v ? v : null));
const unitFields = {
  name: z.string().trim().min(1).max(64).describe('单位名称, shown wherever the unit appears'),
  shortName: optionalText(16).describe('简称'),
  contact: optionalText(64).describe('联系人及电话'),
  enabled: z.boolean().default(true).describe('Orders may be dispatched to it'),
};
export const createUnitBody = z.strictObject({ id, ...unitFields });
export const updateUnitBody = z.strictObject(unitFields);

const instantOut = z.iso.datetime();
const unitOut = {
  id: z.string(), name: z.string(), shortName: z.string().nullable(), contact: z.string().nullable(), enabled: z.boolean(),
};
export const unitEntryResponse = z.object({ ...unitOut, createdAt: instantOut, updatedAt: instantOut });
export const unitsResponse = z.object({
  items: z.array(z.object({ ...unitOut, handlers: z.array(z.string()).describe('Display names of its active handlers') })),
});

export function unitsRouter(auth: Authenticator, units: UnitDirectoryService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route(
    { method: 'get', path: '/api/units', tag: 'work-orders', response: unitsResponse, summary: 'The unit directory with each unit\'s active handlers (every role); dispatch targets are the enabled ones' },
    authed,
    async (_req, res) => {
      res.json({ items: await units.list(authOf(res).actor) });
    },
  );
  r.route(
    { method: 'post', path: '/api/units', tag: 'work-orders', body: createUnitBody, response: unitEntryResponse, status: 201, errors: [409], summary: 'Add a unit to the directory (administrators)' },
    authed,
    async (req, res) => {
      const { id: unitId, ...input } = parse(createUnitBody, req.body, 'body');
      res.status(201).json(await units.create(authOf(res).actor, unitId, input));
    },
  );
  r.route(
    { method: 'put', path: '/api/units/:unitId', tag: 'work-orders', params: unitParams, body: updateUnitBody, response: unitEntryResponse, summary: 'Change a unit\'s name, short name, contact or whether it takes orders (administrators)' },
    authed,
    async (req, res) => {
      const p = parse(unitParams, req.params, 'params');
      res.json(await units.update(authOf(res).actor, p.unitId, parse(updateUnitBody, req.body, 'body')));
    },
  );
  return r;
}
