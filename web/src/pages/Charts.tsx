/**
 * The day's charts (ECharts, its own chunk): calls per hour today (offered / answered / abandoned)
 * and the 10-second answer rate per hour, from the KPI endpoint, hour by hour since 00:00
 * Asia/Shanghai, read again whenever the wallboard reads its day figures (every 15 s, and after a
 * call changed them). Only the ECharts parts used are bundled.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Card } from 'antd';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api } from '../api';
import { EChart } from '../echart';
import { shanghaiMidnight } from '../time';

echarts.use([BarChart, LineChart, AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

interface HourRow {
  hour: string;
  offered: number;
  answered: number;
  abandoned: number;
  sl10: number | null;
}

interface Kpi {
  offered: number;
  answered: number;
  abandoned: number;
  tenSecondAnswerRate: { value: number | null };
}

async function loadHours(): Promise<HourRow[]> {
  const now = Date.now();
  const midnight = shanghaiMidnight(now);
  const hours = Math.floor((now - midnight) / 3_600_000) + 1;
  return Promise.all(
    Array.from({ length: hours }, async (_, h) => {
      const from = new Date(midnight + h * 3_600_000).toISOString();
      const to = new Date(midnight + (h + 1) * 3_600_000).toISOString();
      const k = await api<Kpi>('GET', `/api/kpi/calls?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      const rate = k.tenSecondAnswerRate.value;
      return { hour: `${String(h).padStart(2, '0')}时`, offered: k.offered, answered: k.answered, abandoned: k.abandoned, sl10: rate === null ? null : Math.round(rate * 1000) / 10 };
    }),
  );
}

function Chart({ option, label, dark }: { option: echarts.EChartsCoreOption; label: string; dark: boolean }) {
  return <EChart option={option} label={label} height={dark ? 230 : 260} {...(dark ? { theme: 'dark' } : {})} />;
}

/** Redraws at most this often: the charts are per hour, and a redraw (ECharts) was most of a busy wallboard's work. */
const REDRAW_MS = 15_000;

/**
 * `version`: the wallboard read its day figures again; the hours are read again then, at most once
 * per REDRAW_MS (the last read of a burst of calls is never skipped, only delayed).
 */
function Charts({ dark, version }: { dark: boolean; version: number }) {
  const [rows, setRows] = useState<HourRow[]>([]);
  const lastRead = useRef(0);
  useEffect(() => {
    const t = setTimeout(() => {
      lastRead.current = Date.now();
      void loadHours().then(setRows, () => undefined);
    }, Math.max(0, lastRead.current + REDRAW_MS - Date.now()));
    return () => clearTimeout(t);
  }, [version]);
  // New options only with new rows: ECharts redraws the whole chart at each setOption, and the
  // wallboard around it renders at every live change (that redraw was most of its main thread's work).
  const { volume, rate } = useMemo(() => {
    const font = dark ? 20 : 12;
    const common = {
      aria: { enabled: true },
      // No animation: a wall display redraws often, and a figure is never caught half-drawn.
      animation: false,
      backgroundColor: 'transparent',
      dataset: { source: rows },
      tooltip: { trigger: 'axis' },
      legend: { textStyle: { fontSize: font } },
      grid: { left: 16, right: 24, top: 40, bottom: 16, containLabel: true },
      xAxis: { type: 'category', axisLabel: { fontSize: font } },
    };
    const volume: echarts.EChartsCoreOption = {
      ...common,
      yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: font } },
      series: [
        { type: 'bar', name: '来电', encode: { x: 'hour', y: 'offered' } },
        { type: 'bar', name: '接通', encode: { x: 'hour', y: 'answered' } },
        { type: 'bar', name: '放弃', encode: { x: 'hour', y: 'abandoned' } },
      ],
    };
    const rate: echarts.EChartsCoreOption = {
      ...common,
      // Room above 100 % for the top label; ticks stop at 100 %.
      grid: { ...common.grid, top: dark ? 56 : 48 },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { fontSize: font, formatter: '{value}%' } },
      // Each hour's figure as a marked point with its value: a day's first hour (or an hour between
      // hours without rings) is a single point, which a bare line would not show.
      series: [
        {
          type: 'line',
          name: '10秒接通率',
          connectNulls: false,
          showSymbol: true,
          showAllSymbol: true,
          symbol: 'circle',
          symbolSize: dark ? 14 : 9,
          lineStyle: { width: dark ? 4 : 2 },
          label: { show: true, position: 'top', fontSize: font, formatter: (p: { value: HourRow }) => (p.value.sl10 === null ? '' : `${p.value.sl10}%`) },
          encode: { x: 'hour', y: 'sl10' },
        },
      ],
    };
    return { volume, rate };
  }, [rows, dark]);
  return (
    // minmax(0, 1fr): the columns may shrink below the canvas's current width (else a chart drawn
    // at 1920 px keeps its width at 1366 px and overflows the page).
    <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: 12 }}>
      <Card size="small" title="今日分时话务量" style={{ minWidth: 0 }}>
        <Chart option={volume} label="今日每小时来电、接通、放弃数量柱状图" dark={dark} />
      </Card>
      <Card size="small" title="今日分时10秒接通率" style={{ minWidth: 0 }}>
        <Chart option={rate} label="今日每小时10秒接通率折线图" dark={dark} />
      </Card>
    </div>
  );
}

/** Rendered again only when the figures were read again or the display mode changed. */
export default memo(Charts);
