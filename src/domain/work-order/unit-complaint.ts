/**
 * Complaints against a handling unit (监督投诉, 密云 2014 第二十六条 and 附件2 第二条(四)): a citizen
 * complains about how a unit handled a request; a reviewer checks it and judges it upheld (经查属实)
 * or not. Each upheld complaint costs the unit 0.01 of the Beijing score's 0.4 ("每次投诉扣0.01分,
 * 扣完0.4分为止"), counted in the period in which the citizen complained.
 */

/** The ten grounds of 密云 2014 第二十六条 / 附件2 第二条(四). */
export const COMPLAINT_GROUNDS = [
  'unanswered', // (一) 无人值守接听
  'longBusy', // (二) 长时间忙线、无法接通
  'forwardedToMobile', // (三) 转接到手机或非办公电话
  'attitude', // (四) 不使用文明用语, 服务不热情
  'refusedIdentity', // (五) 不报单位名称、工号
  'unskilled', // (六) 业务不熟练
  'shirking', // (七) 不遵守首接责任制, 推诿扯皮
  'lateHandling', // (八) 不能按时办理、反馈
  'wrongNumber', // (九) 公布的号码错误
  'other', // (十) 其它情形
] as const;
export type ComplaintGround = (typeof COMPLAINT_GROUNDS)[number];

export type ComplaintStatus = 'pending' | 'upheld' | 'rejected';

export interface UnitComplaint {
  readonly id: string;
  readonly unitId: string;
  /** The order the complaint is about, when there is one. */
  readonly orderId?: string;
  readonly ground: ComplaintGround;
  readonly description: string;
  /** When the citizen complained: the report period the complaint counts in. */
  readonly complainedAt: Date;
  readonly recordedAt: Date;
  readonly recordedBy: string;
  readonly status: ComplaintStatus;
  readonly judgedAt?: Date;
  readonly judgedBy?: string;
  /** The reviewer's finding (核查情况). */
  readonly finding?: string;
}

export type JudgeResult =
  | { readonly ok: true; readonly complaint: UnitComplaint }
  | { readonly ok: false; readonly code: 'COMPLAINT.ALREADY_JUDGED' | 'COMPLAINT.SELF_REVIEW'; readonly reason: string };

/**
 * A pending complaint judged once: upheld or rejected, with the finding. Whoever recorded it may not
 * judge it (the check is a second person's).
 */
export function judgeComplaint(c: UnitComplaint, decision: 'upheld' | 'rejected', finding: string, by: string, at: Date): JudgeResult {
  if (c.status !== 'pending') return { ok: false, code: 'COMPLAINT.ALREADY_JUDGED', reason: `the complaint was already judged ${c.status}` };
  if (c.recordedBy === by) return { ok: false, code: 'COMPLAINT.SELF_REVIEW', reason: 'the person who recorded a complaint may not judge it' };
  return { ok: true, complaint: { ...c, status: decision, judgedAt: at, judgedBy: by, finding } };
}
