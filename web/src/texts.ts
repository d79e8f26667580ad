/** Chinese texts for states, reasons and API error codes. */

export const STATE_TEXT: Record<string, string> = {
  offline: '未签入',
  ready: '就绪',
  not_ready: '小休',
  ringing: '振铃',
  on_call: '通话中',
  wrap_up: '话后处理',
};

/** Not-ready reasons set by the system, in Chinese; agents' own reasons are shown as given. */
const REASON_TEXT: Record<string, string> = {
  missed: '未接',
  login: '签入未就绪',
  break: '小休',
  test: '测试',
};

export const reasonText = (r: string | null | undefined): string => (r ? (REASON_TEXT[r] ?? r) : '');

/**
 * The state's name. The server has one not-ready state with a reason: it is 小休 when the reason is
 * one of the break reasons agents choose (BREAK_REASONS), and 示忙 otherwise — the 10-second rule's
 * 未接, a refused ring, 签入 without 就绪, a supervisor's force (console-ux §1–2: 示忙 with a visible
 * reason, 小休 + reason code).
 */
export function stateText(state: string, reason: string | null | undefined, breakReasons: readonly string[]): string {
  if (state !== 'not_ready') return STATE_TEXT[state] ?? state;
  return reason && breakReasons.includes(reason) ? '小休' : '示忙';
}

const ERROR_TEXT: Record<string, string> = {
  NETWORK: '网络连接失败，请检查网络后重试',
  'AUTH.UNAUTHENTICATED': '登录已失效或用户名、密码错误，请重新登录',
  'AUTH.FORBIDDEN': '无权执行此操作',
  'VALIDATION.FIELD': '输入有误',
  NOT_FOUND: '未找到相应记录',
  'CONFLICT.STATE': '当前状态不允许此操作',
  RATE_LIMITED: '登录失败次数过多，请稍后再试',
  UNAVAILABLE: '服务暂不可用，请稍后再试',
  INTERNAL: '系统内部错误，请联系管理员',
  TIMEOUT: '服务器未响应，请稍后再试',
  DISCONNECTED: '连接已中断，请待重连后再试',
  'WORK_ORDER.INVALID_INPUT': '工单信息不完整',
};

const FIELD_TEXT: Record<string, string> = {
  'body.caller.phone': '来电号码',
  'body.caller.name': '来电人',
  'body.caller.address': '地址',
  'body.content': '诉求内容',
  'body.category': '诉求类型',
  'body.urgency': '紧急程度',
  'body.areaCode': '所属区域',
  'body.answer': '答复内容',
  'payload.reason': '原因',
  'body.agentNumber': '工号',
  'body.name': '姓名',
  'body.extension': '分机',
  'body.queues': '技能队列',
  'body.username': '用户名',
  'body.password': '密码',
  'body.displayName': '姓名',
  'body.role': '角色',
  'body.number': '来电号码',
  'body.reason': '原因',
  'body.callId': '通话',
  'query.number': '来电号码',
  'body.unitId': '承办单位',
  'body.agentId': '坐席',
};

export function errorText(code: string, field?: string): string {
  const base = ERROR_TEXT[code] ?? `操作失败（${code}）`;
  if (code === 'VALIDATION.FIELD' && field) return `${base}：${FIELD_TEXT[field] ?? field}`;
  return base;
}

export const ALERT_TEXT: Record<string, string> = {
  ring_no_answer: '坐席未接（10秒未应答）',
  wait_above_threshold: '排队等待超时',
  agent_not_ready_too_long: '小休超时',
  missed_ring_streak: '坐席连续未接',
};

export const OUTCOME_TEXT: Record<string, string> = {
  answered: '已接通',
  abandoned: '放弃',
  overflow: '溢出',
  callback: '预约回呼',
  ended: '已结束',
};

export const ORDER_STATUS_TEXT: Record<string, string> = {
  DRAFT: '草稿',
  PENDING_DISPATCH: '待派单',
  PENDING_SIGN: '待签收',
  RETURN_REQUESTED: '退单审核',
  IN_PROGRESS: '办理中',
  EXTENSION_REQUESTED: '延期审核',
  PENDING_REVIEW: '待审核',
  PENDING_FEEDBACK: '待反馈',
  PENDING_CALLBACK: '待回访',
  CLOSED: '已办结',
  MERGED: '已并单',
  INVALID: '无效',
  EMERGENCY_TRANSFERRED: '紧急转接',
};
