import { DEFAULT_SURVEY_POLICY } from '../survey';
import type { RegulationPreset } from './preset.schema';

const QLH = '七里河区"民情通"呼叫服务中心实施办法 (2012-05-08)';

/**
 * 七里河 2012: emergencies the same day; consultations and help 5 working days and suggestions,
 * complaints and reports 15 working days, both from the day after receipt; returns within 2 days.
 */
export const QILIHE_2012: RegulationPreset = {
  id: 'qilihe-2012',
  name: '七里河区"民情通"呼叫服务中心运行工作实施办法 (2012)',
  version: 1,
  documents: [{ title: '关于七里河区"民情通"呼叫服务中心运行工作的实施办法', date: '2012-05-08' }],
  rules: [
    // Listed first: an emergency consultation is still due the same day (ties go to the first rule).
    { id: 'complete-emergency', stage: 'complete', urgencies: ['紧急'], limit: 1, unit: 'naturalDays', clockStart: 'receipt', inclusive: true, source: `${QLH} 五(四) 应急类事项收到转办单当日答复` },
    { id: 'complete-consult-help', stage: 'complete', categories: ['咨询', '求助'], limit: 5, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QLH} 五(四) 咨询类和求助类 次日起5个工作日内办结` },
    { id: 'complete-complaint', stage: 'complete', categories: ['建议', '投诉', '举报'], limit: 15, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QLH} 五(四) 建议批评、投诉举报类 次日起15个工作日内办结` },
    { id: 'complete-other', stage: 'complete', limit: 5, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${QLH} 五(四); categories the text does not name (表扬, 其他) take the 5-day limit (product default)` },
    { id: 'return-window', stage: 'return', limit: 2, unit: 'naturalDays', clockStart: 'nextDay', inclusive: true, source: `${QLH} 五(二) 收到转办单次日起2日内退回` },
  ],
  extension: {
    maxCount: null,
    counts: 'approved',
    unit: 'workingDays',
    allowedSteps: null,
    maxStep: null,
    maxTotal: null,
    notWithinWorkingDaysOfDeadline: 0,
    source: `${QLH} 五(四) 在办理时限届满前提交延长时限的申请表, 经区级呼叫中心同意 (no count or size cap)`,
  },
  return: {
    maxCount: 1,
    forbidden: ['forcedDispatch'],
    evidenceRequired: true,
    siteCheckLimit: null,
    source: `${QLH} 五(二) 详细说明退回理由和依据; maxCount is a product default`,
  },
  firstContact: {
    requiredBeforeCompletion: false,
    minRetryIntervalMinutes: 60,
    smsIfNeverReached: false,
    source: 'not set by 七里河 2012; product default',
  },
  callback: {
    samplingRate: 0.3,
    requireConsent: true,
    maxAttempts: 3,
    satisfiedLevels: ['非常满意', '满意', '基本满意'], redoLevels: ['不满意', '非常不满意'],
    source: `${QLH} 五(五) 定期抽查回访 (rate not set; product default 30 %); 五(六) 不满意发回重办`,
  },
  completionReportRequired: false,
  repeatComplaint: { windowDays: 30, threshold: 5, thresholdCounts: 'earlierOrders', source: 'not set by 七里河 2012; 青浦 2020 第十三条 threshold as product default' },
  supervision: {
    stages: ['complete'],
    reminderAtElapsed: [0.75],
    levels: [
      { level: 'yellow', after: { value: 0, unit: 'minutes' } },
      { level: 'red', after: { value: 1, unit: 'workingDays' } },
      { level: 'escalation', after: { value: 3, unit: 'workingDays' } },
    ],
    source: `${QLH} 五(三) 超期发《催办通知书》, 经催办未按期办理上报督查小组通报批评; offsets are product defaults`,
  },
  survey: {
    ...DEFAULT_SURVEY_POLICY,
    enabled: true,
    source: `${QLH} 五(五) "应定期通过电话或网络等方式进行办理结果满意抽查…回访时应征求诉求人对成员单位办理结果和满意度的意见"; within 7 days of completion, calling hours, spread and spacing are product defaults`,
  },
  scoring: { annualAggregation: 'monthlyAverage', source: 'not set by this document; product default after 密云 2014 附件2 第三条 (年度平均办结率)' },
};
