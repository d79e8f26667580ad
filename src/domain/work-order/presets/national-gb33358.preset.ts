import { DEFAULT_SURVEY_POLICY } from '../survey';
import type { RegulationPreset } from './preset.schema';

const GB = 'GB/T 33358-2016 政府热线服务规范';
const DEFAULT = `${GB} sets no work-order time limit; product default`;

/**
 * National baseline. GB/T 33358-2016 fixes answering times (15 s, 24 h mailbox) but no
 * work-order limits, so every limit here is a product default and says so; the values follow
 * 山东省政务服务热线管理办法 (2020): 5 WD to complete, one extension of ≤ 10 WD, return in 2 WD.
 */
export const NATIONAL_GB33358: RegulationPreset = {
  id: 'national-gb33358',
  name: 'GB/T 33358-2016 政府热线服务规范 (national baseline)',
  version: 1,
  documents: [{ title: '政府热线服务规范', documentNo: 'GB/T 33358-2016', date: '2016-12-13' }],
  rules: [
    { id: 'dispatch', stage: 'dispatch', limit: 24, unit: 'hours', clockStart: 'receipt', inclusive: true, source: `${DEFAULT} (24 h, as for 信箱 responses)` },
    { id: 'sign', stage: 'sign', limit: 24, unit: 'hours', clockStart: 'receipt', inclusive: true, source: DEFAULT },
    { id: 'complete', stage: 'complete', limit: 5, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${DEFAULT} (山东 2020: 5 个工作日)` },
    { id: 'return-window', stage: 'return', limit: 2, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${DEFAULT} (山东 2020: 2 个工作日内回退)` },
  ],
  extension: {
    maxCount: 1,
    counts: 'approved',
    unit: 'workingDays',
    allowedSteps: null,
    maxStep: 10,
    maxTotal: 10,
    notWithinWorkingDaysOfDeadline: 0,
    source: `${DEFAULT} (山东 2020: 特别复杂的一般不超过10个工作日)`,
  },
  return: {
    maxCount: 1,
    forbidden: ['afterSign', 'forcedDispatch'],
    evidenceRequired: true,
    siteCheckLimit: null,
    source: `${DEFAULT}; 国办函〔2025〕66号 asks for 派单异议审核`,
  },
  firstContact: { requiredBeforeCompletion: false, minRetryIntervalMinutes: 60, smsIfNeverReached: false, source: DEFAULT },
  callback: { samplingRate: 1, requireConsent: true, maxAttempts: 3, satisfiedLevels: ['非常满意', '满意', '基本满意'], redoLevels: ['不满意', '非常不满意'], source: `${GB}; 国办发〔2020〕53号 (回访、评价闭环)` },
  completionReportRequired: false,
  repeatComplaint: { windowDays: 30, threshold: 5, thresholdCounts: 'earlierOrders', source: DEFAULT },
  supervision: {
    stages: ['dispatch', 'sign', 'complete'],
    reminderAtElapsed: [0.75],
    levels: [
      { level: 'yellow', after: { value: 0, unit: 'minutes' } },
      { level: 'red', after: { value: 1, unit: 'workingDays' } },
      { level: 'escalation', after: { value: 3, unit: 'workingDays' } },
    ],
    source: DEFAULT,
  },
  survey: {
    ...DEFAULT_SURVEY_POLICY,
    enabled: true,
    source: `${GB}; 国办发〔2020〕53号 (受理→…→办结→回访→评价 闭环); within 7 days of completion, calling hours, spread and spacing are product defaults`,
  },
  scoring: { annualAggregation: 'monthlyAverage', source: 'not set by this document; product default after 密云 2014 附件2 第三条 (年度平均办结率)' },
};
