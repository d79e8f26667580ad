import { DEFAULT_SURVEY_POLICY } from '../survey';
import type { RegulationPreset } from './preset.schema';

const MY = '密云 密政办字〔2014〕27号';

/**
 * 密云 2014: 7 natural days to complete, one extension of at most 3 working days asked 2
 * working days ahead, feedback within 10 working days, callback within 7 natural days at ≥ 70 %.
 */
export const MIYUN_2014: RegulationPreset = {
  id: 'miyun-2014',
  name: '密云县便民服务和应急抢险电话管理办法实施细则 (2014)',
  version: 1,
  documents: [{ title: '密云县便民服务和应急抢险电话管理办法实施细则', documentNo: '密政办字〔2014〕27号', date: '2014-11-27' }],
  rules: [
    { id: 'complete', stage: 'complete', limit: 7, unit: 'naturalDays', clockStart: 'nextDay', inclusive: true, source: `${MY} 第十七条 派单要在7个自然日内办结; 第二十七条 投诉办理期限7个自然日` },
    { id: 'feedback', stage: 'feedback', limit: 10, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: `${MY} 第十九条 反馈时限自接办之日起最长不超过10个工作日` },
    { id: 'callback', stage: 'callback', limit: 7, unit: 'naturalDays', clockStart: 'nextDay', inclusive: true, source: `${MY} 第二十二条 办结7个自然日内回访` },
    { id: 'return-window', stage: 'return', limit: 1, unit: 'workingDays', clockStart: 'nextDay', inclusive: true, source: '密云 2014 sets no return window; product default 1 working day' },
  ],
  extension: {
    maxCount: 1,
    counts: 'approved',
    unit: 'workingDays',
    allowedSteps: null,
    maxStep: 3,
    maxTotal: 3,
    notWithinWorkingDaysOfDeadline: 2,
    source: `${MY} 第十七条 延期最长不超过3个工作日; 第二十八条 需提前2个工作日提交延期申请`,
  },
  return: {
    maxCount: 1,
    forbidden: ['afterSign', 'forcedDispatch'],
    evidenceRequired: true,
    siteCheckLimit: null,
    source: '密云 2014 第十六条 首接负责; return rules are product defaults',
  },
  firstContact: {
    requiredBeforeCompletion: false,
    minRetryIntervalMinutes: 60,
    smsIfNeverReached: false,
    source: 'not set by 密云 2014; product default',
  },
  callback: {
    samplingRate: 0.7,
    requireConsent: true,
    maxAttempts: 3,
    satisfiedLevels: ['非常满意', '满意', '基本满意'], redoLevels: ['不满意', '非常不满意'],
    source: `${MY} 第二十二条 回访率不低于70% (承办单位); 没有解决的合理诉求纳入督办`,
  },
  completionReportRequired: false,
  repeatComplaint: { windowDays: 30, threshold: 5, thresholdCounts: 'earlierOrders', source: '青浦 2020 第十三条 threshold; 密云 2014 第二十五条(六) 重复性诉求; window is a product default' },
  supervision: {
    stages: ['complete', 'feedback', 'callback'],
    reminderAtElapsed: [0.75],
    levels: [
      { level: 'yellow', after: { value: 1, unit: 'workingDays' } },
      { level: 'red', after: { value: 3, unit: 'workingDays' } },
      { level: 'escalation', after: { value: 5, unit: 'workingDays' } },
    ],
    source: `${MY} 第二十条 临期催办; 第三十条 超期1个工作日后启动督办, 黄色预警; red/escalation are product defaults`,
  },
  survey: {
    ...DEFAULT_SURVEY_POLICY,
    enabled: true,
    source: `${MY} 第二十二条 "各承办单位在受理事项办结7个自然日内要安排相关科室对已办结事项进行回访"; 附件2 第二条 满意率 from "市中心电话回访"; calling hours, spread and spacing are product defaults`,
  },
  scoring: { annualAggregation: 'monthlyAverage', source: '密云 2014 附件2 第三条 按期办结率考评得分(1分)=1*年度平均办结率; 反馈率考评得分(0.8分)=0.8*年度平均反馈率' },
};
