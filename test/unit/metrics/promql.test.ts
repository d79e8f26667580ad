import { exportedNames, metricNamesIn } from '../../support/promql';

describe('metric names in PromQL', () => {
  it('finds the metrics, not functions, labels, strings or durations', () => {
    expect(
      metricNamesIn('sum by (queue) (increase(hotline_answer_wait_seconds_bucket{le="10"}[1h])) / clamp_min(sum by (queue) (increase(hotline_calls_ended_total{outcome=~"answered|abandoned"}[1h])), 1)'),
    ).toEqual(['hotline_answer_wait_seconds_bucket', 'hotline_calls_ended_total']);
    expect(metricNamesIn('time() - max by (task) (hotline_background_task_last_success_seconds{task=~"job\\\\..*"} > 0)')).toEqual(['hotline_background_task_last_success_seconds']);
    expect(metricNamesIn('histogram_quantile(0.9, sum by (le) (rate(misspelt_metric[5m])))')).toEqual(['misspelt_metric']);
  });

  it('an exposition exports a histogram under its sample names', () => {
    const names = exportedNames('# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE g gauge\ng 1\n');
    expect([...names].sort()).toEqual(['g', 'h', 'h_bucket', 'h_count', 'h_sum']);
  });
});
