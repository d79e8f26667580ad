import { maskName, maskPhone } from '../access/masking';
import type { Category, Caller, Urgency, WorkOrder } from './work-order.types';

export interface NewWorkOrderInput {
  readonly id: string;
  /** From `formatWorkOrderNumber(createdAt, sequence)`. */
  readonly number: string;
  readonly presetId: string;
  readonly createdAt: Date;
  readonly createdBy: { readonly id: string; readonly role: 'agent' | 'supervisor' | 'system' };
  readonly caller: Omit<Caller, 'callbackConsent' | 'confidential'> & Partial<Pick<Caller, 'callbackConsent' | 'confidential'>>;
  readonly category: Category;
  readonly urgency: Urgency;
  readonly content: string;
  readonly areaCode: string;
  readonly location?: string;
  readonly callId?: string;
  readonly recordingId?: string;
}

/** A new order in DRAFT (受理中), with the creation as the first history entry. */
export function createWorkOrder(input: NewWorkOrderInput): WorkOrder {
  return {
    id: input.id,
    number: input.number,
    presetId: input.presetId,
    status: 'DRAFT',
    createdAt: input.createdAt,
    ...(input.callId !== undefined ? { callId: input.callId } : {}),
    ...(input.recordingId !== undefined ? { recordingId: input.recordingId } : {}),
    ...(input.location !== undefined ? { location: input.location } : {}),
    caller: { ...input.caller, confidential: input.caller.confidential ?? false, callbackConsent: input.caller.callbackConsent ?? 'unknown' },
    category: input.category,
    urgency: input.urgency,
    content: input.content,
    areaCode: input.areaCode,
    coUnitIds: [],
    forcedDispatch: false,
    leadDesignated: false,
    dispatchCount: 0,
    deadlines: {},
    contactAttempts: [],
    returns: [],
    extensions: [],
    sendBackCount: 0,
    callbacks: [],
    reopenCount: 0,
    repeatNumber: 0,
    escalated: false,
    sentNoticeKeys: [],
    history: [
      {
        seq: 1, action: 'create', actor: input.createdBy.id, role: input.createdBy.role, at: input.createdAt,
        fromStatus: 'DRAFT', toStatus: 'DRAFT', attachments: [],
      },
    ],
  };
}

/**
 * The caller as a given viewer may see it: confidential callers (保密, 002 第五条) are masked for
 * anyone who is not handling the order (who handles: domain/access/masking.ts, the one policy).
 */
export function viewCaller(caller: Caller, viewerHandlesOrder: boolean): Caller {
  if (!caller.confidential || viewerHandlesOrder) return caller;
  return {
    confidential: true,
    callbackConsent: caller.callbackConsent,
    ...(caller.name !== undefined ? { name: maskName(caller.name) } : {}),
    ...(caller.phone !== undefined ? { phone: maskPhone(caller.phone) } : {}),
  };
}
