/** Chinese texts of the work-order desk: stages, levels, and the preset's guards and refusals. */
import type { Limits } from './deskApi';

export const STAGE_TEXT: Record<string, string> = {
  dispatch: '派单',
  sign: '签收',
  firstContact: '先行联系',
  return: '退单',
  complete: '办结',
  feedback: '反馈',
  callback: '回访',
};

export const LEVEL_TEXT: Record<string, string> = { overdue: '超期', warning: '临期', normal: '正常' };
// Solid colours with white text for AA contrast: red overdue, yellow (dark amber) warning.
export const LEVEL_COLOR: Record<string, string> = { overdue: '#a8071a', warning: '#7c4a00', normal: '#237804' };

export const CATEGORIES = ['咨询', '求助', '投诉', '举报', '建议', '表扬', '其他'];
export const URGENCIES = ['紧急', '民生', '一般', '疑难'];
export const SATISFACTION_LEVELS = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'];

export const ACTION_TEXT: Record<string, string> = {
  create: '创建', accept: '受理', answerDirect: '即办', invalidate: '无效', dispatch: '派单', sign: '签收',
  requestReturn: '申请退单', approveReturn: '同意退单', rejectReturn: '驳回退单', recordContactAttempt: '先行联系',
  recordHandling: '办理记录', requestExtension: '申请延期', approveExtension: '批准延期', rejectExtension: '驳回延期',
  complete: '回复办结', passReview: '审核通过', sendBack: '退回重办', recordFeedback: '反馈来电人', recordCallback: '回访',
  close: '结案', linkRepeat: '重复诉求关联', escalate: '升级', markConfidential: '设为保密', linkCall: '关联来电',
  recomputeDeadlines: '时限重算', recordNotice: '催办/督办', merge: '并单', unmerge: '撤销并单', transferEmergency: '紧急转接',
};

export const RETURN_REASON_TEXT: Record<string, string> = {
  notOurDuty: '非本单位职责',
  missingKeyElements: '诉求要素不全',
  duplicateOfExtended: '重复件（已延期办理）',
  outOfScope: '不属于受理范围',
  wrongArea: '属地错误',
};

export const FILE_KIND_TEXT: Record<string, string> = { photo: '照片', document: '文件', recording: '录音', other: '其他' };

/** Why an upload was refused, in Chinese (413 too large, 415 a type the server does not take). */
export function uploadErrorText(status: number, fallback: string): string {
  if (status === 413) return '文件过大，或本工单附件已达上限';
  if (status === 415) return '不支持的文件类型：仅限照片（JPEG/PNG/WebP）、PDF 或录音';
  return fallback;
}

export const REPORT_FIELDS: Array<[string, string]> = [
  ['firstContact', '先行联系情况'],
  ['siteVisit', '现场查看情况'],
  ['facts', '事实认定情况'],
  ['requestAssessment', '诉求认定情况'],
  ['actionsAndBasis', '办理情况及政策依据'],
  ['result', '办理结果'],
  ['replyToCaller', '答复市民情况'],
  ['callerSatisfaction', '市民满意度情况'],
  ['otherNotes', '需要说明的其他情况'],
  ['handlerAndResponsible', '经办人、负责人信息'],
];

const UNIT_TEXT: Record<string, string> = { workingDays: '个工作日', naturalDays: '天', hours: '小时', minutes: '分钟' };
export const unitText = (u: string): string => UNIT_TEXT[u] ?? u;

/**
 * The state machine's refusal codes in Chinese, with the preset's numbers: the same text before
 * submitting (the dry run) and when the server still refuses (its 409 carries the same code).
 */
export function guardText(code: string, limits?: Limits | null): string {
  const ext = limits?.extension;
  const u = unitText(ext?.unit ?? 'workingDays');
  switch (code) {
    case 'WORK_ORDER.EXTENSION_LIMIT_REACHED':
      if (ext?.maxCount === 1) return ext.counts === 'approved' ? '已延期过一次，不得再次延期' : '已申请过一次延期，不得再次申请';
      return `延期次数已达上限（${ext?.maxCount ?? ''}次）`;
    case 'WORK_ORDER.EXTENSION_TOO_LATE':
      return `距到期不足${ext?.notWithinWorkingDaysOfDeadline ?? ''}个工作日，不能再申请延期`;
    case 'WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED':
      if (ext?.allowedSteps) return `延期时长只能为${ext.allowedSteps.join('/')}${u}`;
      return `单次延期不得超过${ext?.maxStep ?? ''}${u}`;
    case 'WORK_ORDER.EXTENSION_TOTAL_EXCEEDED':
      return `累计延期不得超过${ext?.maxTotal ?? ''}${u}`;
    case 'WORK_ORDER.NO_DEADLINE':
      return '工单没有办理时限，无需延期';
    case 'WORK_ORDER.RETURN_NOT_ALLOWED':
      return '该工单不得退单（已签收、指定牵头、退单已被驳回或已再次派单）';
    case 'WORK_ORDER.RETURN_LIMIT_REACHED':
      return `本单位已退单${limits?.return.maxCount ?? ''}次，不得再次退单`;
    case 'WORK_ORDER.RETURN_WINDOW_PASSED':
      return '已超过退单时限，视为接收';
    case 'WORK_ORDER.RETURN_EVIDENCE_MISSING':
      return '退单须写明理由并附依据（按规定须有现场照片）';
    case 'WORK_ORDER.CONTACT_RETRY_TOO_SOON':
      return '距上次未接通的电话时间过短，请稍后再联系';
    case 'WORK_ORDER.CONTACT_PHONE_FIRST':
      return '请先电话联系来电人，未接通后再发短信';
    case 'WORK_ORDER.FIRST_CONTACT_MISSING':
      return '办结前须先行联系来电人';
    case 'WORK_ORDER.COMPLETION_REPORT_INCOMPLETE':
      return '办结报告的十项内容须全部填写';
    case 'WORK_ORDER.CALLBACK_NO_CONSENT':
      return '来电人不同意回访';
    case 'WORK_ORDER.NOT_ASSIGNED_UNIT':
      return '只有主办单位可以办理此工单';
    case 'WORK_ORDER.INVALID_TRANSITION':
      return '工单当前状态不允许此操作';
    case 'WORK_ORDER.STALE_REVISION':
    case 'WORK_ORDER.CONCURRENT_CHANGE':
      return '工单已被他人更新，请刷新后重试';
    case 'WORK_ORDER.INVALID_INPUT':
      return '工单信息不完整';
    case 'WORK_ORDER.NOT_OVERDUE':
      return '当前环节尚未超期，请使用催办';
    case 'WORK_ORDER.ALREADY_OVERDUE':
      return '当前环节已超期，请使用督办';
    case 'WORK_ORDER.NO_RUNNING_DEADLINE':
      return '当前环节没有办理时限';
    case 'WORK_ORDER.UNIT_STOPPED':
      return '所选承办单位已停止接收派单';
    default:
      return `操作未通过（${code}）`;
  }
}
