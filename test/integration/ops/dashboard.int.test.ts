/**
 * The Grafana dashboard provisioned by docker-compose.yml reads only metrics the app exports: the
 * real /metrics of the product as main.ts wires it (real Asterisk, real database), after a real
 * SIP call has gone through, so the service-level counters have samples.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { placeCall } from '../../support/sipp';
import { eventually } from '../../support/eventually';
import { exportedNames, metricNamesIn } from '../../support/promql';
import { startSystem, type RunningSystem } from '../../support/system-harness';

const ROOT = resolve(__dirname, '../../..');
const SCRAPE_TOKEN = 'dashboard-test-scrape-token-0123456789abcdef';

interface Dashboard {
  uid: string;
  panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
}

describe('Grafana dashboard against the real /metrics', () => {
  let sut: RunningSystem;

  beforeAll(async () => {
    sut = await startSystem('dashboard_metrics', { MAX_QUEUE_WAIT_MS: '5000', METRICS_SCRAPE_TOKEN: SCRAPE_TOKEN });
  });
  afterAll(async () => {
    await sut?.stop();
  });

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${sut.baseUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('a real call (no agent: overflow) is counted by queue and outcome; ARI shows connected', async () => {
    const result = await placeCall({ callerNumber: '13900139000', hangupAfterMs: -1, timeoutMs: 90_000 });
    expect(result.success).toBe(true);
    const text = await eventually(async () => {
      const t = await scrape();
      return /^hotline_calls_ended_total\{queue="[^"]+",outcome="overflow"\} 1$/m.test(t) ? t : null;
    }, 20_000);
    expect(text).toMatch(/^hotline_ari_connected 1$/m);
    expect(text).toMatch(/^hotline_spool_backlog_bytes 0$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
  });

  it('is provisioned by compose with Prometheus, and every query names a metric the app exports', async () => {
    const compose = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { volumes?: string[]; image?: string }>;
    };
    expect(compose.services['prometheus']?.image).toMatch(/^prom\/prometheus:/);
    expect(compose.services['grafana']?.volumes).toEqual(
      expect.arrayContaining(['./docker/grafana/dashboards:/var/lib/grafana/dashboards:ro', './docker/grafana/provisioning:/etc/grafana/provisioning:ro']),
    );
    const datasource = parse(readFileSync(resolve(ROOT, 'docker/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasource.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });

    const dashboard = JSON.parse(readFileSync(resolve(ROOT, 'docker/grafana/dashboards/hotline.json'), 'utf8')) as Dashboard;
    const exported = exportedNames(await scrape());
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr, ds: p.datasource.uid })));
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const unknown = queries.flatMap((q) => metricNamesIn(q.expr).filter((n) => !exported.has(n)).map((n) => `${q.panel}: ${n}`));
    expect(unknown).toEqual([]);
    expect(queries.every((q) => q.ds === 'prometheus' && metricNamesIn(q.expr).length > 0)).toBe(true);
    // The board covers what operators asked for.
    const all = queries.map((q) => q.expr).join('\n');
    for (const name of ['hotline_answer_wait_seconds_bucket', 'hotline_calls_ended_total', 'hotline_queue_waiting_calls', 'hotline_agents', 'hotline_ring_attempts_total', 'hotline_background_task_last_success_seconds']) {
      expect(all).toContain(name);
    }
  });
});
