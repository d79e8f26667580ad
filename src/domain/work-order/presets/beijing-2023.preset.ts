import { DEFAULT_SURVEY_POLICY } from '../survey';
import type { RegulationPreset } from './preset.schema';

const DB11 = 'DB11 《12345市民服务热线服务与管理规范》(2023-01-01 起实施)';

/**
 * 北京 2023 (DB11), the default preset: hour limits by urgency for 派单 and 签收, feedback in
 * hours or natural days. DB11 fixes no extension or return rules; those below are product
 * defaults and say so in their `source`.
 */
export const BEIJING_2023: RegulationPreset = {
  id: 'beijing-2023',
  name: '北京 DB11 2023 市民服务热线服务与管理规范',
  version: 1,
  documents: [{ title: '12345市民服务热线服务与管理规范', documentNo: 'DB11', date: '2023-01-01' }],
  rules: [
    { id: 'dispatch-urgent', stage: 'dispatch', urgencies: ['紧急'], limit: 1, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 派单: 突发事件等 1小时内` },
    { id: 'dispatch-livelihood', stage: 'dispatch', urgencies: ['民生'], limit: 2, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 派单: 水电气热、极端天气 2小时内` },
    { id: 'dispatch-general', stage: 'dispatch', urgencies: ['一般', '疑难'], limit: 24, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 派单: 一般诉求 24小时内` },
    { id: 'dispatch-general-surge', stage: 'dispatch', urgencies: ['一般', '疑难'], surge: true, limit: 48, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 派单: 话务量大量集中时 48小时内` },
    { id: 'sign-urgent', stage: 'sign', urgencies: ['紧急'], limit: 15, unit: 'minutes', clockStart: 'receipt', inclusive: true, source: `${DB11} 签收: 15分钟内` },
    { id: 'sign-livelihood', stage: 'sign', urgencies: ['民生'], limit: 30, unit: 'minutes', clockStart: 'receipt', inclusive: true, source: `${DB11} 签收: 30分钟内` },
    { id: 'sign-general', stage: 'sign', urgencies: ['一般', '疑难'], limit: 24, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 签收: 一般类 24小时内` },
    { id: 'feedback-urgent', stage: 'feedback', urgencies: ['紧急'], limit: 2, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 反馈: 2小时内` },
    { id: 'feedback-livelihood', stage: 'feedback', urgencies: ['民生'], limit: 24, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DB11} 反馈: 24小时内` },
    { id: 'feedback-general', stage: 'feedback', urgencies: ['一般'], limit: 7, unit: 'naturalDays', clockStart: 'nextDay', inclusive: true, source: `${DB11} 反馈: 一般诉求 7个自然日内` },
    { id: 'feedback-difficult', stage: 'feedback', urgencies: ['疑难'], limit: 15, unit: 'naturalDays', clockStart: 'nextDay', inclusive: true, source: `${DB11} 反馈: 复杂疑难诉求 15个自然日内` },
    { id: 'return-window', stage: 'return', limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: 'DB11 sets no return window; product default 1 working day (吕梁 practice)' },
  ],
  extension: {
    maxCount: 1,
    counts: 'approved',
    unit: 'naturalDays',
    allowedSteps: null,
    maxStep: null,
    maxTotal: 15,
    notWithinWorkingDaysOfDeadline: 0,
    source: 'DB11 sets no extension rule; product default: one extension of at most 15 natural days, requested before the deadline',
  },
  return: {
    maxCount: 1,
    forbidden: ['afterSign', 'forcedDispatch'],
    evidenceRequired: true,
    siteCheckLimit: null,
    source: 'DB11 sets no return rule; product default: once, before 签收, with evidence; a rejected return binds the unit',
  },
  firstContact: {
    requiredBeforeCompletion: false,
    minRetryIntervalMinutes: 60,
    smsIfNeverReached: true,
    source: `${DB11} 承办: 签收后应及时联系诉求人 (no numeric limit)`,
  },
  callback: {
    samplingRate: 1,
    requireConsent: true,
    maxAttempts: 3,
    satisfiedLevels: ['非常满意', '满意', '基本满意'], redoLevels: ['不满意', '非常不满意'],
    source: `${DB11} 回访: 办理时限期满后全部或抽样回访; 诉求人明确表示不接受回访的不进行回访`,
  },
  completionReportRequired: false,
  repeatComplaint: { windowDays: 30, threshold: 5, thresholdCounts: 'earlierOrders', source: '青浦 2020 第十三条 (重复投诉5次以上); window is a product default' },
  supervision: {
    stages: ['dispatch', 'sign', 'complete', 'feedback'],
    reminderAtElapsed: [0.75],
    levels: [
      { level: 'yellow', after: { value: 0, unit: 'minutes' } },
      { level: 'red', after: { value: 1, unit: 'workingDays' } },
      { level: 'escalation', after: { value: 3, unit: 'workingDays' } },
    ],
    source: `${DB11} 督办: 即将到期催办, 已经到期督办; red/escalation offsets are product defaults`,
  },
  survey: {
    ...DEFAULT_SURVEY_POLICY,
    enabled: true,
    source: `${DB11} 回访: "办理时限期满后，应全部或抽样联系诉求人进行回访"; "诉求人明确表示不接受回访的，不进行回访" (callbackConsent); within 7 days of completion, calling hours, spread and spacing are product defaults`,
  },
  scoring: { annualAggregation: 'monthlyAverage', source: '密云 2014 附件2 第三条 按期办结率考评得分(1分)=1*年度平均办结率; 反馈率考评得分(0.8分)=0.8*年度平均反馈率' },
};
