/**
 * 统计报表: per unit and month / quarter / year, the KPIs (按期办结率, 反馈率, 满意率, 回访率 …),
 * the Beijing 3-point score and the Yanji score with their parts, trend lines per day or week,
 * the category distribution and hot topics (ECharts), exports to Excel and CSV (made by the server
 * from the same report), and the monthly 通报 laid out for A4 printing. Supervisors and
 * administrators see every unit; a unit handler their own (the server decides).
 * The period can be given in the address: `#/reports?period=month&key=2026-05`.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Layout, Segmented, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api, ApiError, type SessionUser } from '../api';
import { EChart } from '../echart';
import { dateTime } from '../time';
import { download } from './download';
import { PageHeader } from './PageHeader';
import { pct2, periodText, score, type PeriodKind, type Rate, type TopicRow, type UnitReport, type WorkOrderReport, type WorkOrderTrend } from './report-types';
import './print.css';
import { useUnits, type UnitName } from '../units';

echarts.use([BarChart, LineChart, PieChart, AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const KIND_TEXT: Record<PeriodKind, string> = { month: '月报', quarter: '季报', year: '年报' };

interface Selection {
  kind: PeriodKind;
  year: number;
  /** Month 1–12 or quarter 1–4. */
  part: number;
}

function keyOf(s: Selection): string {
  if (s.kind === 'month') return `${s.year}-${String(s.part).padStart(2, '0')}`;
  if (s.kind === 'quarter') return `${s.year}-Q${s.part}`;
  return String(s.year);
}

/** From the address (`?period=month&key=2026-05`), else this month in Asia/Shanghai. */
function initialSelection(): Selection {
  const q = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  const kind = q.get('period');
  const key = q.get('key') ?? '';
  const m = /^(\d{4})(?:-Q?(\d{1,2}))?$/.exec(key);
  if ((kind === 'month' || kind === 'quarter' || kind === 'year') && m) return { kind, year: Number(m[1]), part: Number(m[2] ?? 1) };
  const now = new Date(Date.now() + 8 * 3_600_000);
  return { kind: 'month', year: now.getUTCFullYear(), part: now.getUTCMonth() + 1 };
}

function RateCell({ rate, testId }: { rate: Rate; testId: string }) {
  return (
    <span>
      <span data-testid={testId} className="figure">{pct2(rate)}</span>
      <span style={{ color: 'rgba(0,0,0,0.65)', marginLeft: 4 }} data-testid={`${testId}-parts`}>（{rate.numerator}/{rate.denominator}）</span>
    </span>
  );
}

const t = (id: string, field: string) => `r-${id}-${field}`;

function kpiColumns(name: UnitName): ColumnsType<UnitReport> {
  return [
    { title: '排名', dataIndex: 'rank', width: 60, render: (v: number | null, u) => <span data-testid={t(u.unitId, 'rank')}>{v ?? '—'}</span> },
    { title: '承办单位', dataIndex: 'unitId', render: (id: string) => name(id) },
    { title: '派单量', dataIndex: 'dispatched', render: (v: number, u) => <span data-testid={t(u.unitId, 'dispatched')}>{v}</span> },
    { title: '按期办结率', render: (_, u) => <RateCell rate={u.kpis.onTimeCompletion} testId={t(u.unitId, 'onTimeCompletion')} /> },
    { title: '反馈率', render: (_, u) => <RateCell rate={u.kpis.feedback} testId={t(u.unitId, 'feedback')} /> },
    { title: '满意率', render: (_, u) => <RateCell rate={u.kpis.satisfaction} testId={t(u.unitId, 'satisfaction')} /> },
    { title: '回访率', render: (_, u) => <RateCell rate={u.kpis.callback} testId={t(u.unitId, 'callback')} /> },
    { title: '北京三项得分（3分）', render: (_, u) => <span className="figure" data-testid={t(u.unitId, 'beijing')}>{score(u.beijing.total)}</span> },
    { title: '延吉得分（72分）', render: (_, u) => <span className="figure" data-testid={t(u.unitId, 'yanji')}>{score(u.yanji.total, 2)}</span> },
  ];
}

const YANJI_ITEMS: [keyof UnitReport['yanji']['items'], string][] = [
  ['sign', '签收(3)'], ['return', '退单(3)'], ['completion', '办结(29)'], ['extension', '延期(3)'], ['reply', '答复(3)'],
  ['satisfaction', '满意(10)'], ['noRedo', '无重办(3)'], ['noRepeat', '无重复投诉(3)'],
];

function scoreColumns(name: UnitName): ColumnsType<UnitReport> {
  return [
    { title: '承办单位', dataIndex: 'unitId', fixed: 'left', render: (id: string) => name(id) },
    {
      title: '北京三项得分',
      children: [
        { title: '按期办结(1)', render: (_, u) => <span data-testid={t(u.unitId, 'bj-completion')}>{score(u.beijing.completion)}</span> },
        { title: '反馈(0.8)', render: (_, u) => <span data-testid={t(u.unitId, 'bj-feedback')}>{score(u.beijing.feedback)}</span> },
        { title: '满意(0.8)', render: (_, u) => <span data-testid={t(u.unitId, 'bj-satisfaction')}>{score(u.beijing.satisfaction)}</span> },
        { title: '投诉(0.4)', render: (_, u) => <span data-testid={t(u.unitId, 'bj-complaints')}>{score(u.beijing.complaints)}（{u.upheldComplaints}件）</span> },
      ],
    },
    {
      title: '延吉工作实绩得分',
      children: [
        ...YANJI_ITEMS.map(([k, title]) => ({ title, render: (_: unknown, u: UnitReport) => <span data-testid={t(u.unitId, `yj-${k}`)}>{score(u.yanji.items[k], 2)}</span> })),
        { title: '承办处理(57)', render: (_, u) => <span data-testid={t(u.unitId, 'yj-handling')}>{score(u.yanji.handling, 2)}</span> },
        { title: '催办督办(15)', render: (_, u) => <span data-testid={t(u.unitId, 'yj-supervision')}>{score(u.yanji.supervision, 2)}</span> },
      ],
    },
  ];
}

function annualColumns(name: UnitName): ColumnsType<UnitReport> {
  return [
    { title: '承办单位', dataIndex: 'unitId', render: (id: string) => name(id) },
    { title: '汇总方式（规则预设）', render: (_, u) => (u.annual?.aggregation === 'pooled' ? '全年合计' : '月均') },
    { title: '按期办结率（月均）', render: (_, u) => <span data-testid={t(u.unitId, 'annual-otc-avg')}>{pct2(u.annual?.onTimeCompletion.monthlyAverage)}</span> },
    { title: '按期办结率（全年合计）', render: (_, u) => <span data-testid={t(u.unitId, 'annual-otc-pooled')}>{pct2(u.annual?.onTimeCompletion.pooled)}</span> },
    { title: '北京得分（月均）', render: (_, u) => score(u.annual?.beijing.monthlyAverage.total) },
    { title: '北京得分（全年合计）', render: (_, u) => score(u.annual?.beijing.pooled.total) },
  ];
}

const topicColumns: ColumnsType<TopicRow> = [
  { title: '名称', dataIndex: 'key' },
  { title: '本期', dataIndex: 'count' },
  { title: '上期', dataIndex: 'previousCount' },
  { title: '增减', dataIndex: 'change', render: (v: number) => (v > 0 ? `+${v}` : String(v)) },
  { title: '增减率', dataIndex: 'changeRate', render: (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`) },
];

function trendOption(trend: WorkOrderTrend | null): echarts.EChartsCoreOption {
  const rows = (trend?.points ?? []).map((p) => ({
    key: p.key, dispatched: p.dispatched,
    otc: p.onTimeCompletion.value === null ? null : Math.round(p.onTimeCompletion.value * 1000) / 10,
    sat: p.satisfaction.value === null ? null : Math.round(p.satisfaction.value * 1000) / 10,
  }));
  return {
    aria: { enabled: true },
    animation: false,
    dataset: { source: rows },
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category' },
    yAxis: [
      { type: 'value', name: '件', minInterval: 1 },
      { type: 'value', name: '%', min: 0, max: 100 },
    ],
    series: [
      { type: 'bar', name: '派单量', encode: { x: 'key', y: 'dispatched' } },
      { type: 'line', name: '按期办结率', yAxisIndex: 1, connectNulls: true, encode: { x: 'key', y: 'otc' } },
      { type: 'line', name: '满意率', yAxisIndex: 1, connectNulls: true, encode: { x: 'key', y: 'sat' } },
    ],
  };
}

function categoryOption(report: WorkOrderReport | null): echarts.EChartsCoreOption {
  return {
    aria: { enabled: true },
    animation: false,
    tooltip: { trigger: 'item', formatter: '{b}：{c}件（{d}%）' },
    legend: { type: 'scroll', bottom: 0 },
    series: [{
      type: 'pie', name: '诉求类型', radius: ['35%', '65%'], center: ['50%', '45%'],
      label: { formatter: '{b} {c}件' },
      data: (report?.hotTopics.categories ?? []).map((c) => ({ name: c.key, value: c.count })),
    }],
  };
}

export default function ReportsPage({ user }: { user: SessionUser }) {
  const { message } = AntApp.useApp();
  const [sel, setSel] = useState<Selection>(initialSelection);
  const [unitId, setUnitId] = useState<string | undefined>(undefined);
  const { name: unitName } = useUnits();
  // A month's trend by day; a quarter's or a year's by week (365 points would not read as a line).
  const [granularity, setGranularity] = useState<'day' | 'week'>(() => (sel.kind === 'month' ? 'day' : 'week'));
  const [report, setReport] = useState<WorkOrderReport | null>(null);
  const [trend, setTrend] = useState<WorkOrderTrend | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [bulletin, setBulletin] = useState(false);
  const key = keyOf(sel);
  const query = `period=${sel.kind}&key=${encodeURIComponent(key)}`;

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    void api<WorkOrderReport>('GET', `/api/reports/work-orders?${query}&topN=20`)
      .then((r) => live && setReport(r), (e: unknown) => live && setError(e instanceof ApiError ? e.message : String(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [query]);

  useEffect(() => {
    let live = true;
    const unit = unitId ? `&unitId=${encodeURIComponent(unitId)}` : '';
    void api<WorkOrderTrend>('GET', `/api/reports/work-orders/trend?${query}&granularity=${granularity}${unit}`)
      .then((r) => live && setTrend(r), () => live && setTrend(null));
    return () => {
      live = false;
    };
  }, [query, unitId, granularity]);

  const years = useMemo(() => {
    const y = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    return Array.from({ length: 6 }, (_, i) => y + 1 - i);
  }, []);
  const save = (format: 'xlsx' | 'csv') => {
    download(`/api/reports/work-orders?${query}&format=${format}`, `工单统计-${key}.${format}`).catch((e: unknown) => {
      void message.error(e instanceof ApiError ? e.message : '导出失败');
    });
  };
  const units = report?.units ?? [];
  const title = report ? `${periodText(report.period.kind, report.period.label)}${KIND_TEXT[sel.kind]}` : '';

  if (bulletin && report) {
    return <Bulletin report={report} trend={trend} unitName={unitName} onClose={() => setBulletin(false)} />;
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <PageHeader title="12345 热线 · 统计报表" />
      <Layout.Content style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 12 }}>
        <Card size="small">
          <Space wrap size={12}>
            <Segmented<PeriodKind>
              aria-label="统计周期"
              value={sel.kind}
              options={[{ label: '月报', value: 'month' }, { label: '季报', value: 'quarter' }, { label: '年报', value: 'year' }]}
              onChange={(kind) => {
                setSel((s) => ({ kind, year: s.year, part: 1 }));
                setGranularity(kind === 'month' ? 'day' : 'week');
              }}
            />
            <Select aria-label="年份" style={{ width: 110 }} value={sel.year} onChange={(year) => setSel((s) => ({ ...s, year }))}
              options={years.map((y) => ({ value: y, label: `${y}年` }))} />
            {sel.kind !== 'year' && (
              <Select aria-label={sel.kind === 'month' ? '月份' : '季度'} style={{ width: 110 }} value={sel.part} onChange={(part) => setSel((s) => ({ ...s, part }))}
                options={Array.from({ length: sel.kind === 'month' ? 12 : 4 }, (_, i) => ({ value: i + 1, label: sel.kind === 'month' ? `${i + 1}月` : `第${i + 1}季度` }))} />
            )}
            <Select aria-label="趋势单位" style={{ width: 180 }} allowClear placeholder="全部单位" value={unitId} onChange={setUnitId}
              options={units.map((u) => ({ value: u.unitId, label: unitName(u.unitId) }))} />
            <Button onClick={() => save('xlsx')}>导出Excel</Button>
            <Button onClick={() => save('csv')}>导出CSV</Button>
            <Button type="primary" onClick={() => report && setBulletin(true)}>打印通报</Button>
            {report && <span data-testid="report-asof">统计截至 {dateTime(Date.parse(report.asOf))}{user.role === 'unit_handler' ? '（本单位）' : ''}</span>}
          </Space>
        </Card>
        {error && <Alert type="error" showIcon message={error} />}
        <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }} data-testid="report-title">{title || '统计报表'}</Typography.Title>}>
          <Table<UnitReport> size="small" rowKey="unitId" loading={loading} pagination={false} dataSource={units} columns={kpiColumns(unitName)} data-testid="kpi-table"
            locale={{ emptyText: '本期无派单' }} scroll={{ x: true }} />
        </Card>
        <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>得分明细</Typography.Title>}>
          <Table<UnitReport> size="small" rowKey="unitId" pagination={false} dataSource={units} columns={scoreColumns(unitName)} bordered scroll={{ x: true }} locale={{ emptyText: '本期无派单' }} />
        </Card>
        {sel.kind === 'year' && (
          <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>年度汇总：月均与全年合计</Typography.Title>}>
            <Table<UnitReport> size="small" rowKey="unitId" pagination={false} dataSource={units} columns={annualColumns(unitName)} />
          </Card>
        )}
        <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 3fr) minmax(0, 2fr)', gap: 12 }} data-testid="report-charts">
          <Card size="small" style={{ minWidth: 0 }}
            title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>趋势{unitId ? `（${unitName(unitId)}）` : '（全部单位）'}</Typography.Title>}
            extra={<Segmented<'day' | 'week'> aria-label="趋势粒度" size="small" value={granularity} onChange={setGranularity} options={[{ label: '按日', value: 'day' }, { label: '按周', value: 'week' }]} />}>
            <EChart option={trendOption(trend)} label="派单量、按期办结率和满意率趋势图" height={300} testId="trend-chart" />
          </Card>
          <Card size="small" style={{ minWidth: 0 }} title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>诉求类型分布</Typography.Title>}>
            <EChart option={categoryOption(report)} label="诉求类型分布饼图" height={300} testId="category-chart" />
          </Card>
        </div>
        <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: 12 }}>
          <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>热点诉求类型（与上期比）</Typography.Title>}>
            <Table<TopicRow> size="small" rowKey="key" pagination={false} dataSource={report?.hotTopics.categories.slice(0, 10) ?? []} columns={topicColumns} data-testid="hot-categories" />
          </Card>
          <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>热点区域（与上期比）</Typography.Title>}>
            <Table<TopicRow> size="small" rowKey="key" pagination={false} dataSource={report?.hotTopics.areas.slice(0, 10) ?? []} columns={topicColumns} />
          </Card>
        </div>
      </Layout.Content>
    </Layout>
  );
}

/** The 通报 as it is printed: A4 portrait (print.css), the table, the scores and both charts at a fixed width. */
function Bulletin({ report, trend, unitName, onClose }: { report: WorkOrderReport; trend: WorkOrderTrend | null; unitName: UnitName; onClose: () => void }) {
  const when = periodText(report.period.kind, report.period.label);
  const top = report.hotTopics.categories.slice(0, 5);
  return (
    <main className="bulletin" data-testid="bulletin">
      <div className="no-print" style={{ display: 'flex', gap: 8, justifyContent: 'flex-end', marginBottom: 12 }}>
        <Button onClick={onClose}>返回报表</Button>
        <Button type="primary" onClick={() => window.print()}>打印</Button>
      </div>
      <h1 className="bulletin-title">12345热线工单办理情况通报</h1>
      <p className="bulletin-sub">（{when}，统计截至 {dateTime(Date.parse(report.asOf))}）</p>
      <p>
        本期共向 {report.units.length} 个承办单位派发工单 {report.units.reduce((s, u) => s + u.dispatched, 0)} 件。
        {top.length > 0 && `诉求较多的类型为：${top.map((c) => `${c.key}（${c.count}件）`).join('、')}。`}
      </p>
      <h2>一、各承办单位考核指标与排名</h2>
      <table className="bulletin-table">
        <thead>
          <tr><th>排名</th><th>承办单位</th><th>派单</th><th>按期办结率</th><th>反馈率</th><th>满意率</th><th>回访率</th><th>北京得分</th><th>延吉得分</th></tr>
        </thead>
        <tbody>
          {report.units.map((u) => (
            <tr key={u.unitId}>
              <td>{u.rank ?? '—'}</td><td>{unitName(u.unitId)}</td><td>{u.dispatched}</td><td>{pct2(u.kpis.onTimeCompletion)}</td><td>{pct2(u.kpis.feedback)}</td>
              <td>{pct2(u.kpis.satisfaction)}</td><td>{pct2(u.kpis.callback)}</td><td>{score(u.beijing.total)}</td><td>{score(u.yanji.total, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>二、北京三项得分明细</h2>
      <table className="bulletin-table">
        <thead><tr><th>承办单位</th><th>按期办结(1)</th><th>反馈(0.8)</th><th>满意(0.8)</th><th>投诉(0.4)</th><th>合计(3)</th></tr></thead>
        <tbody>
          {report.units.map((u) => (
            <tr key={u.unitId}>
              <td>{unitName(u.unitId)}</td><td>{score(u.beijing.completion)}</td><td>{score(u.beijing.feedback)}</td><td>{score(u.beijing.satisfaction)}</td>
              <td>{score(u.beijing.complaints)}</td><td>{score(u.beijing.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>三、趋势与诉求分布</h2>
      <div className="bulletin-charts">
        <EChart option={trendOption(trend)} label="派单量、按期办结率和满意率趋势图" height={240} />
        <EChart option={categoryOption(report)} label="诉求类型分布饼图" height={240} />
      </div>
    </main>
  );
}
