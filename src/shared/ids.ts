/** Branded ids: a CallId cannot be passed where an AgentId is expected. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

export type CallId = Brand<string, 'CallId'>;
export type AgentId = Brand<string, 'AgentId'>;
export type OrderId = Brand<string, 'OrderId'>;
export type QueueId = Brand<string, 'QueueId'>;
export type UserId = Brand<string, 'UserId'>;

export const asCallId = (s: string): CallId => s as CallId;
export const asAgentId = (s: string): AgentId => s as AgentId;
export const asOrderId = (s: string): OrderId => s as OrderId;
export const asQueueId = (s: string): QueueId => s as QueueId;
export const asUserId = (s: string): UserId => s as UserId;
