/** One ECharts chart in a div that follows its container's size (the caller registers the chart types it uses). */
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';

export function EChart({ option, label, height, theme, testId }: { option: echarts.EChartsCoreOption; label: string; height: number | string; theme?: string; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, theme);
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [theme]);
  useEffect(() => {
    chart.current?.setOption(option, { replaceMerge: ['series', 'dataset'] });
  }, [option, theme]);
  return <div ref={el} role="img" aria-label={label} data-testid={testId} style={{ height, width: '100%', minWidth: 0, overflow: 'hidden' }} />;
}
