import { DEFAULT_SURVEY_POLICY } from '../survey';
import type { RegulationPreset } from './preset.schema';

const YJ = '延吉 延市政办发〔2019〕66号 附件';

/** 延吉 2019: 1 h 签收, 1/3 working days to complete, up to 3 extensions. */
export const YANJI_2019: RegulationPreset = {
  id: 'yanji-2019',
  name: '延吉市12345政务服务热线运营管理实施细则 (2019)',
  version: 1,
  documents: [{ title: '延吉市12345政务服务热线运营管理实施细则', documentNo: '延市政办发〔2019〕66号', date: '2019-11-04' }],
  rules: [
    { id: 'sign', stage: 'sign', limit: 1, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${YJ} 五(一)1 及时签收: 1小时内签收` },
    { id: 'return-window', stage: 'return', limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${YJ} 五(一)2 申请退回: 1个工作日内 (确需现场核查的2个工作日)` },
    { id: 'complete-consult', stage: 'complete', categories: ['咨询'], limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${YJ} 五(一)3 按时办结: 咨询类 1个工作日内` },
    { id: 'complete-other', stage: 'complete', limit: 3, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${YJ} 五(一)3 按时办结: 求助、建议、投诉、举报类及复杂事项 3个工作日内` },
  ],
  extension: {
    maxCount: 3,
    counts: 'applications',
    unit: 'workingDays',
    allowedSteps: null,
    maxStep: null,
    maxTotal: null,
    notWithinWorkingDaysOfDeadline: 1,
    source: `${YJ} 五(一)4 申请延期: 截止日期的前1个工作日提出, 累计不得超过3次`,
  },
  return: {
    maxCount: 1,
    forbidden: ['forcedDispatch'],
    evidenceRequired: true,
    siteCheckLimit: 2,
    source: `${YJ} 五(一)2; 细则 第十条 (说明理由); maxCount is a product default`,
  },
  firstContact: {
    requiredBeforeCompletion: false,
    minRetryIntervalMinutes: 60,
    smsIfNeverReached: false,
    source: 'not set by 延吉 2019; product default',
  },
  callback: {
    samplingRate: 1,
    requireConsent: true,
    maxAttempts: 3,
    satisfiedLevels: ['非常满意', '满意', '基本满意'], redoLevels: ['不满意', '非常不满意'],
    source: '延吉 2019 细则 第十一条 (诉求人反馈不满意的退回重新办理), 第十二条 (满意度调查)',
  },
  completionReportRequired: false,
  repeatComplaint: { windowDays: 30, threshold: 5, thresholdCounts: 'earlierOrders', source: '延吉 2019 五(一)8 重复投诉件; threshold and window are product defaults' },
  supervision: {
    stages: ['sign', 'complete'],
    reminderAtElapsed: [0.75],
    levels: [
      { level: 'yellow', after: { value: 0, unit: 'minutes' } },
      { level: 'red', after: { value: 1, unit: 'workingDays' } },
      { level: 'escalation', after: { value: 3, unit: 'workingDays' } },
    ],
    source: '延吉 2019 细则 第十一条 (对逾期未办下发督办单), 第十八条 (挂牌督办); offsets are product defaults',
  },
  survey: {
    ...DEFAULT_SURVEY_POLICY,
    enabled: true,
    source: `${YJ} 第十二条 "通过电话、短信或网络等途径开展群众诉求办理情况满意度调查"; 附件 五(一)6 满意率 "通过热线回访"; within 7 days of completion, calling hours, spread and spacing are product defaults`,
  },
  scoring: { annualAggregation: 'monthlyAverage', source: 'not set by this document; product default after 密云 2014 附件2 第三条 (年度平均办结率)' },
};
