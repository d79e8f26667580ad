/**
 * 班长监控: queues, agents, alerts and the day's charts. The live part is the dashboard snapshot and
 * its seq-ordered deltas (a gap or a reconnection asks for a resync); the per-queue day figures come
 * from the KPI endpoint every 15 s (today since 00:00 Asia/Shanghai). 大屏 mode: dark, large type
 * for a 1920×1080 wall panel read from across the room.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { App as AntApp, Badge, Button, Card, ConfigProvider, Layout, Popconfirm, Space, Table, Tag, Typography, theme } from 'antd';
import { api, signOut, type SessionUser } from '../api';
import { Elapsed, useFrameBatch } from '../hooks';
import { takeLive, type ConnectionState } from '../socket';
import { ALERT_TEXT, reasonText, stateText } from '../texts';
import { clockTime, duration, percent, shanghaiMidnight } from '../time';
import MonitorButtons from './MonitorButtons';
import { applyDeltas, type Snapshot, type Delta, type Alert as DashAlert, type AgentView } from '../dashboard';

const Charts = lazy(() => import('./Charts'));

interface Ratio {
  value: number | null;
}
/** call-metrics Mean: the value is in ms. */
interface Mean {
  valueMs: number | null;
}
interface Kpi {
  offered: number;
  answered: number;
  abandoned: number;
  tenSecondAnswerRate: Ratio;
  averageSpeedOfAnswer: Mean;
  satisfactionRate: Ratio;
}

// Solid tags with white text: every state colour keeps WCAG AA contrast (antd's light presets do not).
const STATE_COLOR: Record<string, string> = { ready: '#237804', not_ready: '#ad4e00', ringing: '#0958d9', on_call: '#a8071a', wrap_up: '#531dab', offline: '#595959' };

function alertText(a: DashAlert, agents: Map<string, AgentView>): string {
  const who = a.agentId ? `${agents.get(a.agentId)?.displayName ?? a.agentId}` : '';
  switch (a.type) {
    case 'ring_no_answer':
      return `${who} 振铃 ${Math.round(a.value / 1000)} 秒未接听`;
    case 'wait_above_threshold':
      return `队列 ${a.queueId ?? ''} 来电已等待 ${duration(a.value)}`;
    case 'agent_not_ready_too_long':
      return `${who} 示忙/小休已 ${duration(a.value)}`;
    case 'missed_ring_streak':
      return `${who} 连续未接 ${a.value} 次`;
    default:
      return ALERT_TEXT[a.type] ?? a.type;
  }
}

export default function Wallboard({ user }: { user: SessionUser }) {
  const { message } = AntApp.useApp();
  const live = useMemo(() => takeLive(), []);
  const [conn, setConn] = useState<ConnectionState>(live.connection);
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [feed, setFeed] = useState<Array<DashAlert & { cleared: boolean }>>([]);
  // Today's figures, all from the KPI endpoint (call records): the totals and each queue's row are
  // counted the same way, so the rows add up to the totals (the charts read it too).
  const [kpis, setKpis] = useState<Record<string, Kpi>>({});
  const [total, setTotal] = useState<Kpi | null>(null);
  const [configuredQueues, setConfiguredQueues] = useState<string[]>([]);
  const [breakReasons, setBreakReasons] = useState<string[]>([]);
  const [kpiTick, setKpiTick] = useState(0);
  /** Bumped at each read of the figures: the charts read theirs again then, so all agree. */
  const [kpiVersion, setKpiVersion] = useState(0);
  const [big, setBig] = useState(false);
  const snapRef = useRef<Snapshot | null>(null);

  const resync = useCallback(() => {
    const s = snapRef.current;
    live.socket.emit('dashboard:resync', { afterSeq: s?.seq ?? 0 });
  }, [live]);

  // Deltas are applied once per frame: a burst of calls costs one render of the board, not one per batch.
  const pushDelta = useFrameBatch<Delta>((batch) => {
    const cur = snapRef.current;
    if (!cur) return;
    const r = applyDeltas(cur, batch);
    if (r.gap) {
      resync();
      return;
    }
    snapRef.current = r.snapshot;
    setSnap(r.snapshot);
    // A call answered, abandoned or ended changes today's figures: read them again soon.
    if (batch.some((d) => d.type === 'counters')) setKpiTick((n) => n + 1);
    const raised = batch.flatMap((d) => (d.type === 'alert_raised' && d.seq > cur.seq ? [d.alert] : []));
    const cleared = new Set(batch.flatMap((d) => (d.type === 'alert_cleared' && d.seq > cur.seq ? [d.alertId] : [])));
    if (raised.length > 0 || cleared.size > 0) {
      setFeed((f) => [...raised.reverse().map((a) => ({ ...a, cleared: false })), ...f.map((a) => (cleared.has(a.id) ? { ...a, cleared: true } : a))].slice(0, 50));
    }
  });

  useEffect(() => {
    const s = live.socket;
    const off = live.onState(setConn);
    s.on('connect', () => {
      // Every (re)connection joins again and takes a fresh snapshot (a restarted server starts over).
      performance.mark('wallboard:connected'); // read by bench/consoles.bench.ts
      s.emit('dashboard:join', {});
    });
    s.on('dashboard:snapshot', (snapshot: Snapshot) => {
      performance.mark('wallboard:snapshot');
      snapRef.current = snapshot;
      setSnap(snapshot);
      setFeed((f) => {
        const known = new Set(f.map((a) => a.id));
        return [...snapshot.alerts.filter((a) => !known.has(a.id)).map((a) => ({ ...a, cleared: false })), ...f].slice(0, 50);
      });
    });
    s.on('dashboard:deltas', (batch: Delta[]) => {
      for (const d of batch) pushDelta(d);
    });
    live.start();
    return () => {
      off();
      live.close();
    };
  }, [live, pushDelta]);

  useEffect(() => {
    void api<{ breakReasons: string[] }>('GET', '/api/console/settings').then((x) => setBreakReasons(x.breakReasons), () => undefined);
    void api<{ items: Array<{ queueId: string }> }>('GET', '/api/queues').then((x) => setConfiguredQueues(x.items.map((q) => q.queueId)), () => undefined);
  }, []);

  // Configured queues and those with calls now or earlier on this page (a restarted server's first
  // snapshot has only the configured ones), each once, in a stable order.
  const seenQueues = useRef(new Set<string>());
  const queueIds = useMemo(() => {
    for (const q of [...configuredQueues, ...(snap ? snap.queues.map((x) => x.queueId) : [])]) seenQueues.current.add(q);
    return [...seenQueues.current].sort();
  }, [configuredQueues, snap]);
  const queueKey = queueIds.join(',');
  const loadKpis = useCallback(() => {
    const from = encodeURIComponent(new Date(shanghaiMidnight(Date.now())).toISOString());
    const ids = queueKey ? queueKey.split(',') : [];
    void Promise.all([
      api<Kpi>('GET', `/api/kpi/calls?from=${from}`),
      ...ids.map(async (q) => [q, await api<Kpi>('GET', `/api/kpi/calls?queueId=${encodeURIComponent(q)}&from=${from}`)] as const),
    ]).then(([all, ...rows]) => {
      setTotal(all);
      setKpis(Object.fromEntries(rows));
      setKpiVersion((v) => v + 1);
    }, () => undefined);
  }, [queueKey]);
  useEffect(() => {
    loadKpis();
    const t = setInterval(loadKpis, 15_000);
    return () => clearInterval(t);
  }, [loadKpis]);
  useEffect(() => {
    if (kpiTick === 0) return;
    const t = setTimeout(loadKpis, 1000);
    return () => clearTimeout(t);
  }, [kpiTick, loadKpis]);

  // The charts (their chunk, its parsing and ECharts' set-up take the main thread for a while) come
  // after the first snapshot is on screen, so they do not hold the figures and the agents back.
  const [chartsOn, setChartsOn] = useState(false);
  const hasSnapshot = snap !== null;
  useEffect(() => {
    if (!hasSnapshot || chartsOn) return;
    const t = setTimeout(() => setChartsOn(true), 300);
    return () => clearTimeout(t);
  }, [hasSnapshot, chartsOn]);

  const agentsById = useMemo(() => new Map((snap?.agents ?? []).map((a) => [a.agentId, a])), [snap]);

  const force = useCallback(async (event: string, agentId: string, reason?: string) => {
    try {
      await live.request(event, reason ? { agentId, reason } : { agentId });
      void message.success('操作已执行');
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  }, [live, message]);

  const stale = conn !== 'connected';
  const f = big ? { label: 26, digit: 52, cell: 22, title: 34 } : { label: 14, digit: 28, cell: 14, title: 20 };
  const waitingTotal = snap ? snap.queues.reduce((n, q) => n + q.waiting.length, 0) : 0;
  const oldestQueuedAt = snap ? Math.min(...snap.queues.flatMap((q) => q.waiting.map((w) => w.queuedAt)), Infinity) : Infinity;
  const readyAgents = snap ? snap.agents.filter((a) => a.state === 'ready').length : 0;
  const sl10 = total?.tenSecondAnswerRate.value;
  const asa = total?.averageSpeedOfAnswer.valueMs;
  const liveQueues = snap?.queues;
  const queueRows = useMemo(() => queueIds.map((queueId) => liveQueues?.find((q) => q.queueId === queueId) ?? { queueId, waiting: [], longestWaitMs: 0 }), [queueIds, liveQueues]);
  const agents = snap?.agents;
  const abandoned = snap?.abandoned;

  const figure = (label: string, value: ReactNode, testId?: string, tone?: 'ok' | 'warn' | 'bad') => (
    <div style={{ minWidth: 0 }}>
      <div style={{ fontSize: f.label, opacity: 0.85, whiteSpace: 'nowrap' }}>{label}</div>
      <div className="figure" style={{ fontSize: f.digit, lineHeight: 1.2, color: tone === 'bad' ? (big ? '#ff7875' : '#a8071a') : tone === 'warn' ? (big ? '#ffc53d' : '#ad4e00') : undefined }}>
        <span data-testid={testId}>{value}</span>
        {tone === 'bad' && <span style={{ fontSize: f.label }}> 超标</span>}
        {tone === 'warn' && <span style={{ fontSize: f.label }}> 预警</span>}
      </div>
    </div>
  );

  // The tables are rendered again only when their rows change (their ticking cells tick alone).
  const queueCard = useMemo(
    () => (
      <Card title={<span style={{ fontSize: f.cell + 2 }}>队列</span>} size="small">
        <Table
          size={big ? 'middle' : 'small'}
          rowKey="queueId"
          pagination={false}
          data-testid="queues"
          dataSource={queueRows}
          locale={{ emptyText: <span style={{ color: big ? '#d9d9d9' : '#595959' }}>暂无队列</span> }}
          style={{ fontSize: f.cell }}
          columns={[
            { title: '队列', dataIndex: 'queueId' },
            { title: '排队数', render: (_: unknown, q: Snapshot['queues'][number]) => <span className="figure" data-testid={`queue-waiting-${q.queueId}`}>{q.waiting.length}</span> },
            { title: '最长等待', render: (_: unknown, q: Snapshot['queues'][number]) => (q.waiting.length ? <Elapsed from={Math.min(...q.waiting.map((w) => w.queuedAt))} /> : duration(0)) },
            { title: '今日来电', render: (_: unknown, q: Snapshot['queues'][number]) => <span data-testid={`queue-offered-${q.queueId}`}>{kpis[q.queueId]?.offered ?? '—'}</span> },
            { title: '今日接通', render: (_: unknown, q: Snapshot['queues'][number]) => kpis[q.queueId]?.answered ?? '—' },
            { title: '今日放弃', render: (_: unknown, q: Snapshot['queues'][number]) => kpis[q.queueId]?.abandoned ?? '—' },
            { title: '10秒接通率', render: (_: unknown, q: Snapshot['queues'][number]) => percent(kpis[q.queueId]?.tenSecondAnswerRate.value) },
            { title: '平均排队', render: (_: unknown, q: Snapshot['queues'][number]) => { const v = kpis[q.queueId]?.averageSpeedOfAnswer.valueMs; return v === null || v === undefined ? '—' : duration(v); } },
            { title: '满意率', render: (_: unknown, q: Snapshot['queues'][number]) => percent(kpis[q.queueId]?.satisfactionRate.value) },
            {
              title: '排队来电',
              render: (_: unknown, q: Snapshot['queues'][number]) => (
                <span data-testid={`queue-callers-${q.queueId}`}>
                  {q.waiting.slice(0, 5).map((w) => (
                    <Tag key={w.callId}>
                      {w.callerNumber} <Elapsed from={w.queuedAt} />
                    </Tag>
                  ))}
                </span>
              ),
            },
          ]}
        />
      </Card>
    ),
    [queueRows, kpis, big],
  );
  const agentsCard = useMemo(
    () => (
      <Card title={<span style={{ fontSize: f.cell + 2 }}>坐席</span>} size="small">
        <Table
          size={big ? 'middle' : 'small'}
          rowKey="agentId"
          data-testid="agents"
          dataSource={agents ?? []}
          pagination={{ pageSize: big ? 12 : 10, showSizeChanger: false, hideOnSinglePage: true }}
          locale={{ emptyText: <span style={{ color: big ? '#d9d9d9' : '#595959' }}>暂无坐席</span> }}
          columns={[
            { title: '工号', dataIndex: 'agentId' },
            { title: '姓名', dataIndex: 'displayName', render: (v: string | null) => v ?? '—' },
            { title: '状态', dataIndex: 'state', render: (v: string, a: AgentView) => <Tag color={STATE_COLOR[v]} data-testid={`agent-state-${a.agentId}`}>{stateText(v, a.notReadyReason, breakReasons)}</Tag> },
            { title: '原因', dataIndex: 'notReadyReason', render: (v: string | null) => reasonText(v) || '—' },
            { title: '状态时长', render: (_: unknown, a: AgentView) => <Elapsed from={a.stateSince} /> },
            { title: '今日接听', dataIndex: 'callsToday' },
            { title: '今日未接', dataIndex: 'missesToday' },
            ...(big
              ? []
              : [
                  {
                    title: '操作',
                    render: (_: unknown, a: AgentView) => (
                      <Space>
                        <Button size="small" disabled={stale || a.state === 'offline' || a.state === 'not_ready'} onClick={() => void force('agent:not_ready', a.agentId, '班长强制')}>
                          强制示忙
                        </Button>
                        <Popconfirm title={`确认将 ${a.displayName ?? a.agentId} 强制签出？`} okText="确认" cancelText="取消" onConfirm={() => void force('agent:logout', a.agentId)}>
                          <Button size="small" danger disabled={stale || a.state === 'offline'}>
                            强制签出
                          </Button>
                        </Popconfirm>
                        {a.state === 'on_call' && a.currentCallId && <MonitorButtons callId={a.currentCallId} agentName={a.displayName ?? a.agentId} disabled={stale} />}
                      </Space>
                      ),
                  },
                ]),
          ]}
        />
      </Card>
    ),
    [agents, big, stale, breakReasons, force],
  );

  const content = (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 24, paddingInline: 20, background: big ? '#000' : '#0b3d91', height: big ? 88 : 64 }}>
        <Typography.Title level={1} style={{ color: '#fff', fontSize: f.title, margin: 0, whiteSpace: 'nowrap' }}>
          12345 热线 · 班长监控{big ? '大屏' : ''}
        </Typography.Title>
        <span style={{ color: stale ? '#bfbfbf' : '#fff', fontSize: f.label }} data-testid="updated-at">
          数据更新于 {snap ? clockTime(snap.at) : '—'}
          {stale && '（已过期）'}
        </span>
        <span style={{ marginLeft: 'auto', background: big ? 'transparent' : '#fff', padding: '2px 10px', borderRadius: 4, fontSize: f.label }} data-testid="connection">
          {conn === 'connected' ? <Badge status="success" text={<span style={{ color: big ? '#fff' : undefined }}>已连接</span>} /> : <Badge status="error" text={<span style={{ color: big ? '#ff7875' : undefined }}>连接中断，正在重连…</span>} />}
        </span>
        <Button onClick={() => {
          const next = !big;
          setBig(next);
          if (next) void document.documentElement.requestFullscreen?.().catch(() => undefined);
          else if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
        }}>
          {big ? '退出大屏' : '大屏模式'}
        </Button>
        {!big && <Button onClick={signOut}>退出登录（{user.displayName}）</Button>}
      </Layout.Header>
      <Layout.Content style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 12 }}>
        <Card size="small">
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(9, minmax(0, 1fr))', gap: big ? 16 : 12 }}>
            {figure('排队数', waitingTotal, 'waiting-total', waitingTotal > 0 && readyAgents === 0 ? 'bad' : undefined)}
            {figure('最长等待', Number.isFinite(oldestQueuedAt) ? <Elapsed from={oldestQueuedAt} /> : '00:00', 'oldest-wait')}
            {figure('今日来电', total?.offered ?? '—', 'offered')}
            {figure('接通', total?.answered ?? '—', 'answered')}
            {figure('放弃', total?.abandoned ?? '—', 'abandoned')}
            {figure('10秒接通率', percent(sl10), 'sl10', sl10 !== null && sl10 !== undefined && sl10 < 0.8 ? 'warn' : undefined)}
            {figure('平均排队', asa === null || asa === undefined ? '—' : duration(asa), 'asa')}
            {figure('满意率', percent(total?.satisfactionRate.value), 'satisfaction')}
            {figure('示闲坐席', readyAgents, 'ready-agents')}
          </div>
        </Card>

        <div style={{ display: 'grid', gridTemplateColumns: big ? '1.2fr 1fr' : 'minmax(0, 1.5fr) minmax(0, 1fr)', gap: 12 }}>
          {queueCard}
          <div style={{ display: 'flex', flexDirection: 'column', gap: 12, minWidth: 0 }}>
          <Card title={<span style={{ fontSize: f.cell + 2 }}>告警</span>} size="small" styles={{ body: { maxHeight: big ? 360 : 150, overflow: 'auto' } }}>
            <ul data-testid="alerts" style={{ listStyle: 'none', margin: 0, padding: 0, fontSize: f.cell }} aria-live="polite">
              {feed.length === 0 && <li>暂无告警</li>}
              {feed.map((a) => (
                <li key={a.id} data-alert-type={a.type} style={{ padding: '4px 0', borderBottom: '1px solid rgba(128,128,128,0.2)', opacity: a.cleared ? 0.6 : 1 }}>
                  <Tag color={a.cleared ? 'default' : a.type === 'wait_above_threshold' ? '#ad4e00' : '#a8071a'}>{ALERT_TEXT[a.type] ?? a.type}</Tag>
                  {clockTime(a.raisedAt)} {alertText(a, agentsById)}
                  {a.cleared && '（已恢复）'}
                </li>
              ))}
            </ul>
          </Card>
          {!big && (
            // Today's abandoned callers, newest first (to call back); a confidential caller's number
            // arrives masked from the server and stays so here.
            <Card title={<span style={{ fontSize: f.cell + 2 }}>放弃来电</span>} size="small" styles={{ body: { maxHeight: 150, overflow: 'auto' } }}>
              <ul data-testid="abandoned-calls" style={{ listStyle: 'none', margin: 0, padding: 0, fontSize: f.cell }}>
                {(snap?.abandoned.length ?? 0) === 0 && <li>暂无放弃来电</li>}
                {abandoned?.slice(0, 20).map((a) => (
                  <li key={a.callId} data-call-id={a.callId} style={{ padding: '4px 0', borderBottom: '1px solid rgba(128,128,128,0.2)' }}>
                    {clockTime(a.at)} <span className="figure">{a.callerNumber}</span>
                    {a.callerNumber.includes('*') && <Tag color="#874d00" style={{ marginLeft: 4 }}>保密</Tag>} 等待 {a.waitMs === null ? '—' : duration(a.waitMs)}
                  </li>
                ))}
              </ul>
            </Card>
          )}
          </div>
        </div>

        {agentsCard}

        <Suspense fallback={<Card loading />}>
          {chartsOn ? <Charts dark={big} version={kpiVersion} /> : <Card loading />}
        </Suspense>
      </Layout.Content>
    </Layout>
  );

  return big ? <ConfigProvider theme={{ algorithm: theme.darkAlgorithm, token: { fontSize: 22, colorTextDescription: 'rgba(255,255,255,0.75)', colorTextTertiary: 'rgba(255,255,255,0.75)' } }}>{content}</ConfigProvider> : content;
}
