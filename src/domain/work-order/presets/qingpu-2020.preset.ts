import { DEFAULT_SURVEY_POLICY } from '../survey';
import type { RegulationPreset } from './preset.schema';

const QP = '青浦区水务局 青水〔2020〕32号';

/**
 * 青浦 2020 "1310": 1/3/10 working days from receipt, first contact in 1 working day with
 * retries ≥ 1 h apart, one extension of +15/30/60/90 WD, one return, 10-item completion report.
 */
export const QINGPU_2020: RegulationPreset = {
  id: 'qingpu-2020',
  name: '青浦区水务局"12345"市民服务热线工作管理办法 (2020)',
  version: 1,
  documents: [{ title: '青浦区水务局"12345"市民服务热线工作管理办法', documentNo: '青水〔2020〕32号', date: '2020-04-20' }],
  rules: [
    { id: 'first-contact', stage: 'firstContact', limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QP} 第九条(一) 1个工作日内先行联系` },
    { id: 'return-simple', stage: 'return', limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QP} 第九条(二)3 简单事项1个工作日内提出退单` },
    { id: 'return-difficult', stage: 'return', urgencies: ['疑难'], limit: 3, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QP} 第九条(二)3 疑难事项3个工作日内提出退单` },
    { id: 'complete-urgent', stage: 'complete', urgencies: ['紧急', '民生'], limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QP} 第九条(三)1 "1310": 紧急、较为紧急求助 1个工作日` },
    { id: 'complete-general', stage: 'complete', urgencies: ['一般'], limit: 3, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QP} 第九条(三)1 "1310": 咨询、求助、建议意见、投诉 3个工作日` },
    { id: 'complete-difficult', stage: 'complete', urgencies: ['疑难'], limit: 10, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QP} 第九条(三)1 "1310": 疑难事项 10个工作日` },
  ],
  extension: {
    maxCount: 1,
    counts: 'approved',
    unit: 'workingDays',
    allowedSteps: [15, 30, 60, 90],
    maxStep: null,
    maxTotal: null,
    notWithinWorkingDaysOfDeadline: 5,
    source: `${QP} 第九条(三)2 到期前5个工作日内不再办理; 增加15/30/60/90个工作日; 已延期过一次的不得再次延期`,
  },
  return: {
    maxCount: 1,
    forbidden: ['forcedDispatch', 'redispatched', 'leadDesignated'],
    evidenceRequired: true,
    photoRequired: true,
    siteCheckLimit: null,
    source: `${QP} 第九条(二) 原则上不得二次退单; 不同意退单或再次派单要求核实的、指定牵头办理的不得退单; 需现场照片、依据、录音`,
  },
  firstContact: {
    requiredBeforeCompletion: true,
    minRetryIntervalMinutes: 60,
    smsIfNeverReached: true,
    source: `${QP} 第九条(一) 间隔不少于1个小时; 始终无法联系应发送短信`,
  },
  callback: {
    samplingRate: 1,
    requireConsent: true,
    maxAttempts: 3,
    satisfiedLevels: ['非常满意', '满意', '基本满意'], redoLevels: ['不满意', '非常不满意'],
    source: `${QP} 第八条(六) 回访不满意工单二次回访及重新交办`,
  },
  completionReportRequired: true,
  repeatComplaint: {
    windowDays: 90,
    threshold: 5,
    thresholdCounts: 'earlierOrders',
    source: `${QP} 第十三条 市民重复投诉5次以上为复杂疑难事项; read as five earlier linked orders (the sixth complaint escalates); 'allComplaints' reads it as the fifth complaint; window is a product default`,
  },
  supervision: {
    stages: ['firstContact', 'complete'],
    reminderAtElapsed: [0.5],
    levels: [
      { level: 'yellow', after: { value: 0, unit: 'minutes' } },
      { level: 'red', after: { value: 1, unit: 'workingDays' } },
      { level: 'escalation', after: { value: 3, unit: 'workingDays' } },
    ],
    source: `${QP} 第十条 监督; offsets are product defaults`,
  },
  survey: {
    ...DEFAULT_SURVEY_POLICY,
    enabled: false,
    source: `${QP} 第八条(六) "接受上级热线对已办结工单的回访，负责对回访不满意工单进行二次回访及工单的重新交办": the first 回访 is the 上级热线's and the bureau's own is a second callback of unsatisfied orders by its staff, so no automated survey calls`,
  },
  scoring: { annualAggregation: 'monthlyAverage', source: 'not set by this document; product default after 密云 2014 附件2 第三条 (年度平均办结率)' },
};
