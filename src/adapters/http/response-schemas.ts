/**
 * The success bodies of the REST routes as zod schemas (output side), documented in the OpenAPI
 * document (route-table `response`) and checked against real answers of the running API
 * (test/integration/api/response-schemas.int.test.ts), so a generated client's types are true.
 * Objects whose every field is listed are closed; the large domain documents (work orders, presets,
 * reports, the dashboard) list the fields a client reads and leave the rest open (`looseObject`).
 */
import { z } from 'zod';
import { ROLES } from '../../domain/access';
import { CALL_OUTCOMES } from '../../domain/call/call.record';

const ms = z.number().describe('Epoch milliseconds');
const nullableMs = ms.nullable();

export const tokenPairResponse = z.object({
  accessToken: z.string(),
  expiresIn: z.number().describe('Seconds until the access token expires'),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
});

const publicUser = {
  id: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  displayName: z.string(),
  agentId: z.string().nullable(),
  unitId: z.string().nullable(),
  groupId: z.string().nullable(),
  active: z.boolean(),
  createdAt: ms,
  updatedAt: ms,
};
export const userResponse = z.object(publicUser);
/** A login: the token pair and who signed in. */
export const loginResponse = tokenPairResponse.extend({ user: userResponse });

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() });
}

export const agentStateResponse = z.object({
  agentId: z.string(),
  state: z.enum(['offline', 'ready', 'not_ready', 'ringing', 'on_call', 'wrap_up']),
  since: ms,
  reason: z.string().nullable(),
  currentCallId: z.string().nullable(),
  callsToday: z.number(),
  missesToday: z.number(),
});
export const agentListResponse = z.object({ items: z.array(userResponse.extend({ live: z.looseObject({ agentId: z.string() }).nullable() })) });
export const agentActionResponse = z.object({ agentId: z.string(), action: z.string(), state: agentStateResponse });

export const dashboardSnapshotResponse = z.looseObject({ seq: z.number(), at: ms, queues: z.array(z.looseObject({ queueId: z.string() })), agents: z.array(z.looseObject({ agentId: z.string() })) });
export const dashboardDeltasResponse = z.object({ items: z.array(z.looseObject({ seq: z.number() })) });

export const queueResponse = z.object({
  queueId: z.string(),
  name: z.string(),
  unitId: z.string().nullable(),
  serviceLevelThresholdSec: z.number(),
  waitAlertSec: z.number(),
  priority: z.number(),
  active: z.boolean(),
  createdAt: ms,
  updatedAt: ms,
});
export const settingsResponse = z.object({
  serviceLevelThresholdSec: z.number(),
  serviceLevelDenominator: z.enum(['answered', 'queued']),
  shortAbandonSec: z.number(),
  ringAnswerThresholdSec: z.number(),
  waitAlertSec: z.number(),
  notReadyAlertSec: z.number(),
  missedStreakAlert: z.number(),
});

const callAttempt = z.object({ attempt: z.number(), agentId: z.string(), startedAt: ms, endedAt: nullableMs, outcome: z.string(), ringMs: z.number().nullable() });
/** A call's record as the API shows it (`masked`: the caller is hidden from this reader). */
export const callSummaryResponse = z.looseObject({
  callId: z.string(),
  callerNumber: z.string(),
  callerName: z.string().nullable(),
  calledNumber: z.string(),
  agentId: z.string().nullable(),
  queueId: z.string().nullable(),
  outcome: z.enum(CALL_OUTCOMES),
  endReason: z.string().nullable(),
  attempts: z.array(callAttempt),
  waitMs: z.number().nullable(),
  ringMs: z.number().nullable(),
  talkMs: z.number().nullable(),
  recording: z.string().nullable().describe('Null also when the reader may not hear it'),
  startedAt: ms,
  endedAt: nullableMs,
  confidential: z.boolean(),
  masked: z.boolean(),
});
export const callListResponse = pageOf(callSummaryResponse);
export const callDetailResponse = callSummaryResponse.extend({ timeline: z.array(z.object({ seq: z.number(), at: ms, type: z.string(), data: z.record(z.string(), z.unknown()).optional() })) });
export const callerHistoryResponse = z.object({
  callerNumber: z.string(),
  masked: z.boolean(),
  calls: z.array(callSummaryResponse),
  workOrders: z.array(z.looseObject({ orderId: z.string(), number: z.string(), createdAt: ms, status: z.string(), masked: z.boolean() })),
});
export const ratingsSummaryResponse = z.object({
  from: ms,
  to: ms,
  total: z.number(),
  satisfied: z.number(),
  satisfactionRate: z.number().nullable(),
  byValue: z.array(z.object({ value: z.number(), count: z.number() })),
  byAgent: z.array(z.object({ agentId: z.string().nullable(), total: z.number(), satisfied: z.number(), satisfactionRate: z.number().nullable() })),
});
export const callKpiResponse = z.looseObject({ offered: z.number(), queued: z.number(), answered: z.number(), abandoned: z.number(), overflowed: z.number() });

/** A work order as the API shows it (the full document; `rev` for optimistic concurrency). */
export const workOrderResponse = z.looseObject({
  id: z.string(),
  number: z.string(),
  rev: z.number(),
  status: z.string(),
  category: z.string(),
  caller: z.looseObject({ phone: z.string().optional(), confidential: z.boolean() }),
});
/** A line of the work-order list (the caller masked for a confidential case one does not handle). */
export const workOrderSummaryResponse = z.object({
  id: z.string(), number: z.string(), status: z.string(), category: z.string(), urgency: z.string(), areaCode: z.string(),
  leadUnitId: z.string().nullable(), coUnitIds: z.array(z.string()), createdAt: z.string().describe('ISO 8601'),
  callerName: z.string().nullable(), callerPhone: z.string().nullable(), callerMasked: z.boolean(),
  repeatOf: z.unknown().nullable(), escalated: z.boolean(), nextDueAt: z.string().nullable().describe('ISO 8601: the nearest open deadline'), rev: z.number(),
});
export const workOrderListResponse = pageOf(workOrderSummaryResponse);

export const attachmentResponse = z.object({
  id: z.string(), orderId: z.string(), step: z.string(), name: z.string(), mime: z.string(), kind: z.string(), size: z.number(),
  uploadedAt: z.string().describe('ISO 8601'), uploadedBy: z.string(), metadataStripped: z.boolean(), source: z.string().nullable(),
});

export const knowledgeArticleResponse = z.looseObject({ id: z.string(), rev: z.number(), title: z.string(), body: z.string(), category: z.string(), keywords: z.array(z.string()) });
export const knowledgeSearchResponse = z.object({ items: z.array(z.object({ article: knowledgeArticleResponse, score: z.number() })) });

export const complaintResponse = z.looseObject({ id: z.string(), unitId: z.string(), ground: z.string(), status: z.string() });
export const complaintListResponse = z.looseObject({ items: z.array(complaintResponse) });

export const presetResponse = z.looseObject({ id: z.string(), version: z.number(), name: z.string() });
export const presetListResponse = z.looseObject({ items: z.array(z.looseObject({ id: z.string(), name: z.string() })) });
export const activePresetResponse = z.looseObject({ presetId: z.string() });
export const calendarYearResponse = z.looseObject({ year: z.number(), version: z.number(), holidays: z.array(z.looseObject({ name: z.string(), from: z.string(), to: z.string() })) });
export const calendarYearsResponse = z.looseObject({ items: z.array(z.looseObject({ year: z.number() })) });
export const workOrderReportResponse = z.looseObject({ from: z.string().optional(), units: z.array(z.looseObject({ unitId: z.string() })) });
export const smsListResponse = z.array(z.looseObject({ id: z.string(), kind: z.string(), status: z.string() }));

/** A live call control accepted (202): Asterisk carries it out; its events follow on the sockets. */
export const callControlResponse = z.looseObject({ callId: z.string() });

export const consoleSettingsResponse = z.object({ breakReasons: z.array(z.string()), wrapUpMs: z.number(), ringTimeoutMs: z.number() });

export const healthResponse = z.object({ status: z.literal('ok') });
export const readyResponse = z.object({ status: z.enum(['ready', 'not ready']), failing: z.array(z.string()), checks: z.record(z.string(), z.enum(['ok', 'failing'])) });
