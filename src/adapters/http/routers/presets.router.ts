/**
 * Regulation presets (time limits and policies per deployment) and the official working-day
 * calendar: read by supervisors and administrators, changed by administrators. Bodies are
 * validated by the domain schemas; 400 names the field, 409 for a version that is not newer.
 */
import { z } from 'zod';
import { isValidIsoDate, startOfLocalDay } from '../../../domain/calendar';
import { ValidationError } from '../../../shared/errors';
import type { RegulationService } from '../../../app/work-orders/lifecycle/regulation.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { parse } from '../validate';
import { activePresetResponse, calendarYearResponse, calendarYearsResponse, presetListResponse, presetResponse } from '../response-schemas';

export const presetParams = z.strictObject({ presetId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'lower-case letters, digits and - only') });
export const activeBody = z.strictObject({ presetId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'lower-case letters, digits and - only') });
export const yearParams = z.strictObject({ year: z.coerce.number().int().min(1949).max(2200) });
/** The full preset / calendar year; its fields are checked by the domain schema in the service. */
const jsonObject = z.record(z.string(), z.unknown());
/** `effectiveFrom` beside the preset's own fields: the date (Asia/Shanghai) the version applies from. */
const effectiveDate = z.string().refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && isValidIsoDate(d));

export const presetVersionsResponse = z.object({
  items: z.array(z.object({
    version: z.number().int(), name: z.string(), builtIn: z.boolean(), effectiveFrom: z.string().datetime().nullable(),
    updatedAt: z.string().datetime().nullable(), updatedBy: z.string().nullable(), inEffect: z.boolean(),
  })),
});

export function presetsRouter(auth: Authenticator, regulation: RegulationService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'get', path: '/api/presets', response: presetListResponse, summary: 'Regulation presets (built-in and edited) and which is active', tag: 'presets', permission: 'settings:read' }, authed, (_req, res) => {
    res.json({ items: regulation.listPresets(authOf(res).actor) });
  });
  r.route({ method: 'get', path: '/api/presets/active', response: activePresetResponse, summary: 'The active preset id', tag: 'presets', permission: 'settings:read' }, authed, (_req, res) => {
    res.json(regulation.activePresetId(authOf(res).actor));
  });
  r.route({ method: 'put', path: '/api/presets/active', response: activePresetResponse, summary: 'Select the active preset (new orders use it)', tag: 'presets', permission: 'settings:manage', body: activeBody }, authed, async (req, res) => {
    const b = parse(activeBody, req.body, 'body');
    res.json(await regulation.setActivePreset(authOf(res).actor, b.presetId));
  });
  r.route({ method: 'get', path: '/api/presets/:presetId', response: presetResponse, summary: 'One preset with every rule and its source', tag: 'presets', permission: 'settings:read', params: presetParams }, authed, (req, res) => {
    const p = parse(presetParams, req.params, 'params');
    res.json(regulation.getPreset(authOf(res).actor, p.presetId));
  });
  r.route({ method: 'get', path: '/api/presets/:presetId/versions', summary: 'Every version of a preset with its effective date, newest first', tag: 'presets', permission: 'settings:read', params: presetParams, response: presetVersionsResponse }, authed, (req, res) => {
    const p = parse(presetParams, req.params, 'params');
    res.json({ items: regulation.presetVersions(authOf(res).actor, p.presetId) });
  });
  r.route({
    method: 'put', path: '/api/presets/:presetId', response: presetResponse, tag: 'presets', permission: 'settings:manage', params: presetParams, body: jsonObject, errors: [409],
    summary: 'Store a new version of a preset (version must exceed every stored one); optional effectiveFrom YYYY-MM-DD (Asia/Shanghai, not before today; default now)',
  }, authed, async (req, res) => {
    const p = parse(presetParams, req.params, 'params');
    const { effectiveFrom, ...b } = parse(jsonObject, req.body, 'body');
    if (effectiveFrom !== undefined && !effectiveDate.safeParse(effectiveFrom).success) throw new ValidationError('body.effectiveFrom', 'a date YYYY-MM-DD');
    const from = effectiveFrom === undefined ? undefined : startOfLocalDay(effectiveFrom as string);
    res.json(await regulation.putPreset(authOf(res).actor, p.presetId, b, from));
  });
  r.route({ method: 'get', path: '/api/calendar/years', response: calendarYearsResponse, summary: 'Years of official calendar data (others are provisional)', tag: 'presets', permission: 'settings:read' }, authed, (_req, res) => {
    res.json({ items: regulation.listCalendarYears(authOf(res).actor) });
  });
  r.route({ method: 'get', path: '/api/calendar/years/:year', response: calendarYearResponse, summary: 'One year: holidays and make-up working days', tag: 'presets', permission: 'settings:read', params: yearParams }, authed, (req, res) => {
    const p = parse(yearParams, req.params, 'params');
    res.json(regulation.getCalendarYear(authOf(res).actor, p.year));
  });
  r.route({ method: 'put', path: '/api/calendar/years/:year', response: calendarYearResponse, summary: 'Add or correct a year from the State Council notice (version must increase)', tag: 'presets', permission: 'settings:manage', params: yearParams, body: jsonObject, errors: [409] }, authed, async (req, res) => {
    const p = parse(yearParams, req.params, 'params');
    const b = parse(jsonObject, req.body, 'body');
    res.json(await regulation.putCalendarYear(authOf(res).actor, p.year, b));
  });
  return r;
}
