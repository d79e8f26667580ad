/**
 * 坐席工作台: state controls, the ringing bar, the screen pop with the caller's history, 新建工单 from
 * the call and the knowledge base beside it, and 我的回拨 (the callbacks assigned to the agent). Fixed height, no page scroll. Everything the server
 * pushes is applied as it arrives; after a reconnection the state is asked for again.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Badge, Button, Card, Checkbox, Descriptions, Dropdown, Empty, Form, Input, Layout, List, Popconfirm, Radio, Space, Table, Tag, Typography } from 'antd';
import { api, signOut, type SessionUser } from '../api';
import { Elapsed, Ticking } from '../hooks';
import { takeLive, type ConnectionState } from '../socket';
import { clockTime, dateTime, duration } from '../time';
import { ORDER_STATUS_TEXT, OUTCOME_TEXT, reasonText, stateText } from '../texts';
import CallControls, { type CallControlState } from './CallControls';
import { MyCallbacks } from '../callbacks/MyCallbacks';

interface AgentState {
  agentId: string;
  state: string;
  since: number;
  reason: string | null;
  currentCallId: string | null;
  callsToday: number;
  missesToday: number;
}
interface Ringing {
  callId: string;
  attempt: number;
  callerNumber: string;
  callerName: string | null;
  masked: boolean;
  queueId: string;
  waitMs: number;
  offeredAt: number;
}
interface HistoryCall {
  callId: string;
  callerNumber: string;
  startedAt: number;
  outcome: string;
  agentId: string | null;
  talkMs: number | null;
  rating: { value: number; satisfied: boolean } | null;
}
interface HistoryOrder {
  orderId: string;
  number: string;
  createdAt: number;
  status: string;
  category: string | null;
  title: string | null;
  /** A confidential case this agent does not handle: no title, shown as 保密. */
  masked?: boolean;
}
interface History {
  callId: string;
  attempt: number;
  history: { calls: HistoryCall[]; workOrders: HistoryOrder[] } | null;
}
interface ActiveCall {
  callId: string;
  callerNumber: string;
  callerName: string | null;
  masked: boolean;
  queueId: string;
  waitMs: number;
  answeredAt: number;
  endedAt: number | null;
  rating: string | null;
  /** The caller is in the confidential-caller directory: known when the call rang masked, or marked here. */
  confidential: boolean;
}
interface Settings {
  breakReasons: string[];
  wrapUpMs: number;
  ringTimeoutMs: number;
}
interface Article {
  id: string;
  title: string;
  body: string;
  category: string;
}
interface CreatedOrder {
  id: string;
  number: string;
  status: string;
  rev?: number;
}

const CATEGORIES = ['咨询', '求助', '投诉', '建议', '举报', '感谢', '其他'];
const URGENCIES = ['一般', '民生', '紧急', '疑难'];
// Solid tags with white text: every state colour keeps WCAG AA contrast (antd's light presets do not).
const STATE_COLOR: Record<string, string> = { ready: '#237804', not_ready: '#ad4e00', ringing: '#0958d9', on_call: '#a8071a', wrap_up: '#531dab', offline: '#595959' };

/**
 * A one-click choice as a form field. The ARIA attributes Form.Item hands its control (required,
 * invalid) go on an element with the radiogroup role, where they are allowed.
 */
function Choice(props: { label: string; options: string[]; value?: string; onChange?: (v: string) => void; id?: string; 'aria-required'?: boolean; 'aria-invalid'?: boolean }) {
  return (
    <div role="radiogroup" id={props.id} aria-label={props.label} aria-required={props['aria-required']} aria-invalid={props['aria-invalid']}>
      <Radio.Group optionType="button" size="small" value={props.value} onChange={(e) => props.onChange?.(e.target.value as string)} options={props.options.map((c) => ({ value: c, label: c }))} />
    </div>
  );
}

/**
 * The components a call brings (ringing bar, screen pop, history tables), mounted hidden once the
 * console is idle: Ant Design builds a component's styles the first time one is mounted, which made
 * the first call's ringing bar and pop wait for it.
 */
function StyleWarmUp() {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setOn(true), 1500);
    return () => clearTimeout(t);
  }, []);
  if (!on) return null;
  return (
    <div hidden aria-hidden>
      <Alert type="info" message="" />
      <Descriptions size="small" column={2} bordered items={[{ key: 'a', label: 'a', children: 'a' }]} />
      <Table size="small" rowKey="k" pagination={false} dataSource={[{ k: 'a' }]} columns={[{ title: 'a', dataIndex: 'k' }]} />
      <Tag color="#874d00">a</Tag>
    </div>
  );
}

function ConnectionBadge({ state }: { state: ConnectionState }) {
  if (state === 'connected') return <Badge status="success" text="已连接" />;
  if (state === 'connecting') return <Badge status="processing" text="连接中…" />;
  return <Badge status="error" text="连接中断，正在重连…" />;
}

export default function AgentConsole({ user }: { user: SessionUser }) {
  const { message } = AntApp.useApp();
  const live = useMemo(() => takeLive(), []);
  const [conn, setConn] = useState<ConnectionState>(live.connection);
  const [state, setState] = useState<AgentState | null>(null);
  const [settings, setSettings] = useState<Settings>({ breakReasons: ['休息'], wrapUpMs: 15000, ringTimeoutMs: 10000 });
  const [ringing, setRinging] = useState<Ringing | null>(null);
  const [histories, setHistories] = useState<Record<string, History['history']>>({});
  const [call, setCall] = useState<ActiveCall | null>(null);
  /** The order form is enabled from the first answered call on (a task after its screen pop). */
  const [formOpen, setFormOpen] = useState(false);
  const [control, setControl] = useState<CallControlState | null>(null);
  const [order, setOrder] = useState<CreatedOrder | null>(null);
  const [busy, setBusy] = useState(false);
  const [articles, setArticles] = useState<Article[] | null>(null);
  const [form] = Form.useForm();
  const ringRef = useRef<Ringing | null>(null);
  ringRef.current = ringing;
  const callRef = useRef<ActiveCall | null>(null);
  callRef.current = call;

  useEffect(() => {
    const s = live.socket;
    const off = live.onState(setConn);
    s.on('connect', () => {
      // Resync after every (re)connection: the state pushed on connect, asked again to be sure.
      void live.request<AgentState>('agent:state_request').then(setState, () => undefined);
    });
    s.on('agent:state', (st: AgentState) => setState(st));
    s.on('call:ringing', (p: Ringing) => setRinging(p));
    s.on('call:history', (h: History) => setHistories((m) => ({ ...m, [h.callId]: h.history })));
    s.on('call:ring_stopped', (p: { callId: string }) => setRinging((r) => (r && r.callId === p.callId ? null : r)));
    const showCall = (shown: Omit<ActiveCall, 'confidential'>) => {
      const r = ringRef.current;
      setRinging(null);
      setOrder(null);
      setArticles(null);
      // A call that rang masked is from a caller already known to be confidential.
      const known = r !== null && r.callId === shown.callId && r.masked;
      const c: ActiveCall = { ...shown, confidential: known };
      setCall(c);
      // At once, not at the next render: the call's controls push follows the answer immediately.
      callRef.current = c;
      // The screen pop first; the order form (every field enabled, cleared and filled again) in the
      // next task, so the caller's number is on screen without waiting for the form's render.
      setTimeout(() => {
        setFormOpen(true);
        form.resetFields();
        form.setFieldsValue({ callId: c.callId, phone: c.masked ? '' : c.callerNumber, name: c.callerName ?? '', category: '咨询', urgency: '一般', confidential: known });
      }, 0);
    };
    s.on('call:answered', (p: { callId: string; callerNumber: string; callerName: string | null; masked: boolean; waitMs: number; at: number }) => {
      const r = ringRef.current;
      showCall({ callId: p.callId, callerNumber: p.callerNumber, callerName: p.callerName, masked: p.masked, queueId: r?.queueId ?? '', waitMs: p.waitMs, answeredAt: p.at, endedAt: null, rating: null });
    });
    s.on('call:control', (p: CallControlState) => {
      // A console opened during the call (a reload, another tab) learns the call from here.
      if (p.phase !== 'over' && callRef.current?.callId !== p.callId) {
        showCall({ callId: p.callId, ...p.call, endedAt: null, rating: null });
        // Its history went to the console that was open at the ring.
        setHistories((m) => (p.callId in m ? m : { ...m, [p.callId]: null }));
      }
      setControl((c) => (c && c.callId === p.callId && c.seq > p.seq ? c : p));
    });
    s.on('call:ended', (p: { callId: string; at: number }) => setCall((c) => (c && c.callId === p.callId ? { ...c, endedAt: p.at } : c)));
    s.on('call:rated', (p: { callId: string; label: string }) => setCall((c) => (c && c.callId === p.callId ? { ...c, rating: p.label } : c)));
    void api<Settings>('GET', '/api/console/settings').then(setSettings, () => undefined);
    live.start();
    return () => {
      off();
      live.close();
    };
  }, [live, form]);

  useEffect(() => {
    // Closing the tab while signed in would leave the agent routable: warn first.
    const warn = (e: BeforeUnloadEvent) => {
      if (state && state.state !== 'offline') e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [state]);

  const act = useCallback(
    async (event: string, payload: unknown = {}) => {
      setBusy(true);
      try {
        await live.request(event, payload);
      } catch (err) {
        void message.error(err instanceof Error ? err.message : String(err));
      } finally {
        setBusy(false);
      }
    },
    [live, message],
  );

  const notReady = useCallback(async (reason: string) => {
    await live.request('agent:not_ready', { reason });
  }, [live]);

  const createOrder = useCallback(async () => {
    const v = (await form.validateFields()) as { callId: string; phone?: string; name?: string; category: string; urgency: string; content: string; address?: string; areaCode: string; confidential?: boolean };
    setBusy(true);
    try {
      const created = await api<CreatedOrder>('POST', '/api/work-orders', {
        callId: v.callId,
        caller: {
          ...(v.name ? { name: v.name } : {}),
          ...(v.phone ? { phone: v.phone } : {}),
          ...(v.address ? { address: v.address } : {}),
          confidential: v.confidential ?? false,
        },
        category: v.category,
        urgency: v.urgency,
        content: v.content,
        areaCode: v.areaCode,
        ...(v.address ? { location: v.address } : {}),
      });
      setOrder(created);
      void message.success(`工单 ${created.number} 已创建`);
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [form, message]);

  /** The caller asked for 保密 on the call: marked in the directory, this call and every later one hidden from those not handling it. */
  const markConfidential = useCallback(async () => {
    if (!call) return;
    setBusy(true);
    try {
      await api('POST', '/api/callers/confidential', { callId: call.callId, reason: '来电人在通话中要求保密' });
      setCall((c) => (c && c.callId === call.callId ? { ...c, confidential: true } : c));
      form.setFieldsValue({ confidential: true });
      void message.success('已标记为保密来电人：号码对非承办人员隐藏');
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [call, form, message]);

  const answerDirect = useCallback(async (a: Article) => {
    if (!order) return;
    setBusy(true);
    try {
      const updated = await api<CreatedOrder>('POST', `/api/work-orders/${encodeURIComponent(order.id)}/actions`, { type: 'answerDirect', kbArticleId: a.id, answer: a.body.slice(0, 4000) });
      setOrder(updated);
      void message.success(`工单 ${order.number} 已即办（直接答复）`);
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [order, message]);

  const search = useCallback(async (q: string) => {
    if (!q.trim()) return;
    try {
      const r = await api<{ items: Array<{ article: Article }> }>('GET', `/api/knowledge/search?q=${encodeURIComponent(q.trim())}&limit=8`);
      setArticles(r.items.map((i) => i.article));
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  }, [message]);

  const st = state?.state ?? 'offline';
  const offline = conn !== 'connected';
  const popCallId = call?.callId ?? ringing?.callId ?? null;
  const history = popCallId ? histories[popCallId] : undefined;
  const lastRating = history?.calls.find((c) => c.rating)?.rating ?? null;

  const breakMenu = {
    items: settings.breakReasons.map((r) => ({ key: r, label: r })),
    onClick: ({ key }: { key: string }) => void act('agent:not_ready', { reason: key }),
  };

  // The panes that do not follow the call's second-by-second life: rendered again only when their
  // own inputs change, not at each state push or socket event.
  const hasCall = call !== null && formOpen;
  const orderForm = useMemo(
    () => (
      <Card title="新建工单" size="small" style={{ overflow: 'auto' }} data-testid="order-form">
        {order && <Alert type="success" showIcon style={{ marginBottom: 8 }} data-testid="order-created" message={`已创建工单 ${order.number}（${ORDER_STATUS_TEXT[order.status] ?? order.status}）`} />}
        <Form form={form} layout="vertical" size="small" disabled={!hasCall} requiredMark>
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', columnGap: 8 }}>
            <Form.Item label="通话编号" name="callId">
              <Input readOnly />
            </Form.Item>
            <Form.Item label="来电号码" name="phone" rules={[{ pattern: /^\+?[0-9-]{3,20}$/, message: '号码格式不正确' }]}>
              <Input />
            </Form.Item>
            <Form.Item label="来电人" name="name">
              <Input />
            </Form.Item>
            <Form.Item label="区域代码" name="areaCode" rules={[{ required: true, message: '请输入区域代码' }, { pattern: /^[0-9A-Za-z-]{1,32}$/, message: '只能包含字母、数字和“-”' }]}>
              <Input placeholder="如 110105" />
            </Form.Item>
          </div>
          {/* Radio groups, not selects: one click each, and antd's Select root takes ARIA attributes it may not carry. */}
          <Form.Item label="诉求类型" name="category" rules={[{ required: true, message: '请选择诉求类型' }]}>
            <Choice label="诉求类型" options={CATEGORIES} />
          </Form.Item>
          <Form.Item label="紧急程度" name="urgency" rules={[{ required: true, message: '请选择紧急程度' }]}>
            <Choice label="紧急程度" options={URGENCIES} />
          </Form.Item>
          <Form.Item label="地址" name="address">
            <Input />
          </Form.Item>
          <Form.Item label="诉求内容" name="content" rules={[{ required: true, message: '请填写诉求内容' }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="confidential" valuePropName="checked">
            <Checkbox>保密（来电人信息对非承办人员隐藏）</Checkbox>
          </Form.Item>
          <Button type="primary" disabled={!hasCall || busy || order !== null} onClick={() => void createOrder().catch(() => undefined)}>
            提交工单
          </Button>
        </Form>
      </Card>
    ),
    [order, form, hasCall, busy, createOrder],
  );
  const knowledge = useMemo(
    () => (
      <Card title="知识库" size="small" style={{ overflow: 'auto' }}>
        <Input.Search placeholder="输入关键词，如：公积金 提取" enterButton="搜索" aria-label="知识库搜索" onSearch={(q) => void search(q)} />
        {articles === null ? null : articles.length === 0 ? (
          <Empty description="未找到相关知识" />
        ) : (
          <List
            size="small"
            dataSource={articles}
            renderItem={(a) => (
              <List.Item
                actions={[
                  <Button key="direct" size="small" disabled={!order || busy || order.status !== 'PENDING_DISPATCH'} onClick={() => void answerDirect(a)}>
                    即办
                  </Button>,
                ]}
              >
                <List.Item.Meta title={a.title} description={<Typography.Paragraph ellipsis={{ rows: 3 }} style={{ marginBottom: 0 }}>{a.body}</Typography.Paragraph>} />
              </List.Item>
            )}
          />
        )}
        {!order && articles && articles.length > 0 && <Typography.Text type="secondary">提交工单后可一键“即办”（直接答复）</Typography.Text>}
      </Card>
    ),
    [articles, order, busy, search, answerDirect],
  );

  return (
    <Layout style={{ height: '100vh', overflow: 'hidden' }}>
      <Layout.Header style={{ background: '#0b3d91', display: 'flex', alignItems: 'center', gap: 24, color: '#fff', paddingInline: 20 }}>
        <Typography.Title level={1} style={{ color: '#fff', fontSize: 20, margin: 0, whiteSpace: 'nowrap' }}>
          坐席工作台
        </Typography.Title>
        <span>
          工号 <strong>{user.agentId ?? '—'}</strong> · {user.displayName}
        </span>
        <span aria-live="polite" data-testid="agent-state">
          <Tag color={STATE_COLOR[st]} style={{ fontSize: 14 }}>
            {stateText(st, state?.reason, settings.breakReasons)}
            {state?.reason ? `（${reasonText(state.reason)}）` : ''}
          </Tag>
          <span className="figure">{state ? <Elapsed from={state.since} /> : duration(0)}</span>
        </span>
        <span>
          今日接听 <strong className="figure">{state?.callsToday ?? 0}</strong> · 未接 <strong className="figure">{state?.missesToday ?? 0}</strong>
        </span>
        <span style={{ marginLeft: 'auto', background: '#fff', padding: '2px 10px', borderRadius: 4 }} data-testid="connection">
          <ConnectionBadge state={conn} />
        </span>
        <Button onClick={signOut}>退出登录</Button>
      </Layout.Header>

      <Layout.Content style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 12, minHeight: 0 }}>
        {offline && <Alert type="warning" showIcon message="连接中断，正在重连…（通话不受影响，状态操作暂不可用）" />}
        <Card size="small" styles={{ body: { display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' } }}>
          <Typography.Text strong>状态操作</Typography.Text>
          {st === 'offline' ? (
            <Button type="primary" disabled={offline || busy} onClick={() => void act('agent:login')}>
              签入
            </Button>
          ) : (
            <Button disabled={offline || busy} onClick={() => void act('agent:logout')}>
              签出
            </Button>
          )}
          <Button type="primary" disabled={offline || busy || st === 'offline' || st === 'ready' || st === 'ringing' || st === 'on_call'} onClick={() => void act('agent:ready')}>
            就绪
          </Button>
          <Dropdown menu={breakMenu} disabled={offline || busy || st === 'offline'} trigger={['click']}>
            <Button>小休 ▾</Button>
          </Dropdown>
          <MyCallbacks agentState={st} offline={offline} notReady={notReady} />
          {st === 'wrap_up' && (
            <Space>
              <Tag color="purple" data-testid="wrapup-countdown">
                话后处理 剩余 <Ticking ms={250}>{(now) => duration(Math.max(0, settings.wrapUpMs - (now - (state?.since ?? now))))}</Ticking>
              </Tag>
              <Button disabled={offline || busy} onClick={() => void act('agent:wrap_up_done')}>
                完成话后处理
              </Button>
            </Space>
          )}
          {st === 'not_ready' && state?.reason === 'missed' && (
            <Alert
              type="error"
              showIcon
              data-testid="missed-reason"
              message={`未接：${clockTime(state.since)} 振铃 ${Math.round(settings.ringTimeoutMs / 1000)} 秒未应答，已自动示忙，请点击“就绪”恢复接听`}
            />
          )}
        </Card>

        {ringing && (
          <Alert
            type="info"
            data-testid="ringing-bar"
            role="alert"
            style={{ fontSize: 18 }}
            message={
              <Space size="large" wrap>
                <strong>来电振铃</strong>
                <span>
                  来电号码 <strong className="figure">{ringing.callerNumber}</strong>
                  {ringing.masked && <Tag color="#874d00">保密</Tag>}
                </span>
                <span>队列 {ringing.queueId}</span>
                <span>已等待 <Elapsed from={ringing.offeredAt} plus={ringing.waitMs} /></span>
                <span>
                  请在 <strong className="figure"><Ticking ms={250}>{(now) => Math.ceil(Math.max(0, settings.ringTimeoutMs - (now - ringing.offeredAt)) / 1000)}</Ticking></strong> 秒内接听
                </span>
              </Space>
            }
          />
        )}

        <div style={{ flex: 1, display: 'grid', gridTemplateColumns: 'minmax(0, 1.1fr) minmax(0, 1fr) minmax(0, 0.9fr)', gap: 12, minHeight: 0 }}>
          <Card title="来电弹屏" size="small" style={{ overflow: 'auto' }} data-testid="screen-pop">
            {call ? (
              <>
                <Descriptions size="small" column={2} bordered>
                  <Descriptions.Item label="来电号码">
                    <span data-testid="pop-number">{call.callerNumber}</span> {(call.masked || call.confidential) && <Tag color="#874d00" data-testid="pop-confidential">保密</Tag>}
                    {!call.confidential && (
                      <Popconfirm
                        title="来电人要求保密？"
                        description="标记后，此来电人的号码对非承办人员隐藏（本次及以后的来电）；撤销需由班长操作。"
                        okText="确认标记"
                        cancelText="取消"
                        onConfirm={() => void markConfidential()}
                      >
                        <Button size="small" disabled={busy} data-testid="mark-confidential">
                          标记保密
                        </Button>
                      </Popconfirm>
                    )}
                  </Descriptions.Item>
                  <Descriptions.Item label="来电人">{call.callerName ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="队列">{call.queueId || '—'}</Descriptions.Item>
                  <Descriptions.Item label="排队等待">{duration(call.waitMs)}</Descriptions.Item>
                  <Descriptions.Item label={call.endedAt ? '通话时长' : '通话计时'}>
                    <span className="figure" data-testid="call-timer"><Elapsed from={call.answeredAt} to={call.endedAt} /></span>
                    {call.endedAt && <Tag style={{ marginLeft: 8 }}>已挂机</Tag>}
                  </Descriptions.Item>
                  <Descriptions.Item label="上次评价">{call.rating ?? (lastRating ? (lastRating.satisfied ? '满意' : '不满意') : '—')}</Descriptions.Item>
                </Descriptions>
                {!call.endedAt && <CallControls callId={call.callId} queueId={call.queueId} control={control} />}
                <Typography.Title level={2} style={{ fontSize: 15, marginTop: 12 }}>
                  历史来电{history?.calls.length ? <Tag color="red" style={{ marginLeft: 8 }}>重复来电</Tag> : null}
                </Typography.Title>
                {history === undefined ? (
                  <Typography.Text type="secondary">正在读取…</Typography.Text>
                ) : history === null ? (
                  <Typography.Text type="secondary">历史记录暂不可用</Typography.Text>
                ) : (
                  <Table
                    size="small"
                    rowKey="callId"
                    pagination={false}
                    data-testid="history-calls"
                    dataSource={history.calls}
                    locale={{ emptyText: <span style={{ color: '#595959' }}>无历史来电</span> }}
                    columns={[
                      { title: '时间', dataIndex: 'startedAt', render: (v: number) => dateTime(v) },
                      { title: '结果', dataIndex: 'outcome', render: (v: string) => OUTCOME_TEXT[v] ?? v },
                      { title: '通话', dataIndex: 'talkMs', render: (v: number | null) => (v === null ? '—' : duration(v)) },
                      { title: '评价', dataIndex: 'rating', render: (v: HistoryCall['rating']) => (v ? (v.satisfied ? '满意' : '不满意') : '—') },
                    ]}
                  />
                )}
                {history && (
                  <>
                    <Typography.Title level={2} style={{ fontSize: 15, marginTop: 12 }}>
                      相关工单
                    </Typography.Title>
                    <Table
                      size="small"
                      rowKey="orderId"
                      pagination={false}
                      data-testid="history-orders"
                      dataSource={history.workOrders}
                      locale={{ emptyText: <span style={{ color: '#595959' }}>无相关工单</span> }}
                      columns={[
                        { title: '编号', dataIndex: 'number', render: (v: string, o: HistoryOrder) => (o.masked ? <>{v} <Tag color="#874d00">保密</Tag></> : v) },
                        { title: '类型', dataIndex: 'category', render: (v: string | null) => v ?? '—' },
                        { title: '状态', dataIndex: 'status', render: (v: string) => ORDER_STATUS_TEXT[v] ?? v },
                        { title: '受理时间', dataIndex: 'createdAt', render: (v: number) => dateTime(v) },
                      ]}
                    />
                  </>
                )}
              </>
            ) : (
              <Empty description="暂无通话，接听后在此显示来电信息" />
            )}
          </Card>

          {orderForm}
          {knowledge}
        </div>
        <StyleWarmUp />
      </Layout.Content>
    </Layout>
  );
}
