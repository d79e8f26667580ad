/**
 * 工单中心 (hotline dispatch and supervision): orders waiting for dispatch (repeat-complaint chains
 * as one group), 派单 to a lead unit and co-units with the preset's deadlines shown before sending
 * (a dry run of the same state machine), 即办 with a knowledge article, and the deadline radar over
 * every open order, paged and filtered by the server.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Drawer, Empty, Input, List, Popconfirm, Radio, Space, Tabs, Typography } from 'antd';
import { api, ApiError } from '../api';
import { useNow } from '../hooks';
import { act, getOrder, preview, radar, supervise, type Order, type Preview, type RadarRow } from './deskApi';
import { useUnits, type UnitInfo, type UnitName } from '../units';
import { clockTime } from '../time';
import { DeadlineTable, OrderDetail } from './OrderDetail';
import { NativeSelect, RadarTable, useOrderNotices } from './common';
import { CATEGORIES, STAGE_TEXT, URGENCIES, guardText } from './deskTexts';

interface Article {
  id: string;
  title: string;
  body: string;
}

const PAGE_SIZE = 20;

export default function DeskPage() {
  const { message } = AntApp.useApp();
  const now = useNow(30_000);
  const [tab, setTab] = useState('incoming');
  const { units: unitList, name: unitName } = useUnits();
  const [supervised, setSupervised] = useState<{ ok: boolean; text: string } | null>(null);
  const [incoming, setIncoming] = useState<RadarRow[]>([]);
  const [rows, setRows] = useState<RadarRow[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState({ unitId: '', category: '', urgency: '', level: '' });
  const [loading, setLoading] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useOrderNotices(true, refresh);

  useEffect(() => {
    radar({ status: ['PENDING_DISPATCH'], pageSize: 100 }).then((r) => setIncoming(r.items), (e: unknown) => void message.error(String((e as Error).message)));
  }, [tick, message]);

  useEffect(() => {
    setLoading(true);
    radar({
      ...(filter.unitId ? { unitId: filter.unitId } : {}),
      ...(filter.category ? { category: filter.category } : {}),
      ...(filter.urgency ? { urgency: filter.urgency } : {}),
      ...(filter.level ? { level: filter.level as 'overdue' | 'warning' } : {}),
      page,
      pageSize: PAGE_SIZE,
    })
      .then((r) => {
        setRows(r.items);
        setTotal(r.total);
      }, (e: unknown) => void message.error(String((e as Error).message)))
      .finally(() => setLoading(false));
  }, [filter, page, tick, message]);

  const setF = (k: keyof typeof filter) => (v: string) => {
    setPage(1);
    setFilter((f) => ({ ...f, [k]: v }));
  };

  return (
    <div style={{ padding: 16 }}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        工单中心
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'incoming',
            label: `待派单（${incoming.length}）`,
            children: <RadarTable testId="incoming" rows={incoming} loading={false} now={now} onOpen={(r) => setOpenId(r.id)} groupChains unitName={unitName} />,
          },
          {
            key: 'radar',
            label: '时限雷达',
            children: (
              <Card size="small">
                <Space wrap style={{ marginBottom: 12 }} data-testid="radar-filters">
                  <NativeSelect label="承办单位" allLabel="全部单位" value={filter.unitId} onChange={setF('unitId')} options={unitList.map((u) => ({ value: u.id, label: u.name }))} />
                  <NativeSelect label="诉求类型" allLabel="全部类型" value={filter.category} onChange={setF('category')} options={CATEGORIES.map((c) => ({ value: c, label: c }))} />
                  <NativeSelect label="紧急程度" allLabel="全部" value={filter.urgency} onChange={setF('urgency')} options={URGENCIES.map((c) => ({ value: c, label: c }))} />
                  <Radio.Group
                    aria-label="时限状态"
                    optionType="button"
                    value={filter.level}
                    onChange={(e) => setF('level')(e.target.value as string)}
                    options={[
                      { value: '', label: '全部' },
                      { value: 'overdue', label: '超期' },
                      { value: 'warning', label: '临期（催办期内）' },
                    ]}
                  />
                </Space>
                {supervised && (
                  <Alert type={supervised.ok ? 'success' : 'error'} showIcon closable onClose={() => setSupervised(null)} message={supervised.text} data-testid="supervise-result" style={{ marginBottom: 12 }} />
                )}
                <RadarTable
                  testId="radar"
                  rows={rows}
                  loading={loading}
                  now={now}
                  unitName={unitName}
                  rowActions={(r) => <SuperviseButton row={r} unitName={unitName} onResult={(x) => { setSupervised(x); if (x.ok) refresh(); }} />}
                  onOpen={(r) => setOpenId(r.id)}
                  paging={{ page, pageSize: PAGE_SIZE, total, onChange: (p) => setPage(p) }}
                />
              </Card>
            ),
          },
        ]}
      />
      <Drawer open={openId !== null} onClose={() => setOpenId(null)} width={880} title="工单详情" destroyOnClose>
        {openId && <DeskOrder id={openId} units={unitList.filter((u) => u.enabled)} tick={tick} onDone={refresh} />}
      </Drawer>
    </div>
  );
}

function DeskOrder({ id, units, tick, onDone }: { id: string; units: UnitInfo[]; tick: number; onDone: () => void }) {
  const [order, setOrder] = useState<Order | null>(null);
  useEffect(() => {
    getOrder(id).then(setOrder, () => setOrder(null));
  }, [id, tick]);
  if (!order) return <Empty description="加载中…" />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {order.status === 'PENDING_DISPATCH' && (
        <>
          <DispatchPanel order={order} units={units} onDone={(o) => { setOrder(o); onDone(); }} />
          <DirectAnswerPanel order={order} onDone={(o) => { setOrder(o); onDone(); }} />
        </>
      )}
      <OrderDetail order={order} />
    </Space>
  );
}

function DispatchPanel({ order, units, onDone }: { order: Order; units: UnitInfo[]; onDone: (o: Order) => void }) {
  const { message } = AntApp.useApp();
  const [lead, setLead] = useState('');
  const [co, setCo] = useState<string[]>([]);
  const [pv, setPv] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const action = { type: 'dispatch', leadUnitId: lead, coUnitIds: co.filter((u) => u !== lead) };

  useEffect(() => {
    if (!lead) return setPv(null);
    let live = true;
    preview(order.id, action).then((p) => live && setPv(p), () => live && setPv(null));
    return () => {
      live = false;
    };
  }, [order.id, lead, co.join(',')]);

  const send = async () => {
    setBusy(true);
    try {
      const o = await act(order.id, { ...action, rev: order.rev });
      void message.success(`工单 ${o.number} 已派单`);
      onDone(o);
    } catch (e) {
      void message.error(e instanceof ApiError && e.reasonCode ? guardText(e.reasonCode, pv?.limits) : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title="派单" data-testid="dispatch-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        <div>
          <Typography.Text strong id="lead-label">主办单位</Typography.Text>
          <div role="radiogroup" aria-labelledby="lead-label">
            <Radio.Group value={lead} onChange={(e) => setLead(e.target.value as string)} options={units.map((u) => ({ value: u.id, label: u.handlers.length > 0 ? `${u.name}（${u.handlers.join('、')}）` : u.name }))} />
          </div>
        </div>
        <div>
          <Typography.Text strong id="co-label">协办单位</Typography.Text>
          <div role="group" aria-labelledby="co-label">
            {/* Plain checkboxes on `co`, not Checkbox.Group: its own copy of the value catches up a task after a click, and a second click in that gap undoes the first (admin/common.tsx QueueChoice). */}
            {units.filter((u) => u.id !== lead).map((u) => (
              <Checkbox key={u.id} checked={co.includes(u.id)} onChange={(e) => setCo((cur) => (e.target.checked ? [...cur.filter((x) => x !== u.id), u.id] : cur.filter((x) => x !== u.id)))}>{u.name}</Checkbox>
            ))}
          </div>
        </div>
        {pv && pv.allowed && (
          <div data-testid="dispatch-preview">
            <Typography.Text>按现行规定，派单后各环节时限为：</Typography.Text>
            <DeadlineTable deadlines={pv.deadlines} testId="dispatch-deadlines" />
          </div>
        )}
        {pv && !pv.allowed && <Alert type="error" showIcon message={guardText(pv.code, pv.limits)} data-testid="dispatch-guard" />}
        <Button type="primary" disabled={!lead || busy || (pv !== null && !pv.allowed)} onClick={() => void send()}>
          确认派单
        </Button>
      </Space>
    </Card>
  );
}

function DirectAnswerPanel({ order, onDone }: { order: Order; onDone: (o: Order) => void }) {
  const { message } = AntApp.useApp();
  const [articles, setArticles] = useState<Article[] | null>(null);
  const search = async (q: string) => {
    if (!q.trim()) return;
    try {
      const r = await api<{ items: Array<{ article: Article }> }>('GET', `/api/knowledge/search?q=${encodeURIComponent(q.trim())}&limit=8`);
      setArticles(r.items.map((i) => i.article));
    } catch (e) {
      void message.error((e as Error).message);
    }
  };
  const answer = async (a: Article) => {
    try {
      const o = await act(order.id, { type: 'answerDirect', kbArticleId: a.id, answer: a.body.slice(0, 4000), rev: order.rev });
      void message.success(`工单 ${o.number} 已即办`);
      onDone(o);
    } catch (e) {
      void message.error(e instanceof ApiError && e.reasonCode ? guardText(e.reasonCode) : (e as Error).message);
    }
  };
  return (
    <Card size="small" title="即办（知识库直接答复）">
      <Input.Search placeholder="输入关键词检索知识库" enterButton="搜索" aria-label="即办知识检索" onSearch={(q) => void search(q)} />
      {articles !== null && (
        <List
          size="small"
          dataSource={articles}
          locale={{ emptyText: '未找到相关知识' }}
          renderItem={(a) => (
            <List.Item actions={[<Button key="direct" size="small" onClick={() => void answer(a)}>即办</Button>]}>
              <List.Item.Meta title={a.title} description={<Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>{a.body}</Typography.Paragraph>} />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

/**
 * 催办 before the current stage's deadline, 督办 once it has passed (hotline-rules §4), sent to the
 * order's units after a confirmation; the server refuses the other one in the same words.
 */
function SuperviseButton({ row, unitName, onResult }: { row: RadarRow; unitName: UnitName; onResult: (r: { ok: boolean; text: string }) => void }) {
  const [busy, setBusy] = useState(false);
  if (!row.level || !row.stage || !row.leadUnitId) return null;
  const kind = row.level === 'overdue' ? 'supervision' : 'reminder';
  const label = kind === 'supervision' ? '督办' : '催办';
  const stage = STAGE_TEXT[row.stage] ?? row.stage;
  const units = [row.leadUnitId, ...row.coUnitIds].map(unitName).join('、');
  const send = async () => {
    setBusy(true);
    try {
      const r = await supervise(row.id, kind);
      onResult({ ok: true, text: `已${label}：工单 ${row.number} ${stage}环节，已通知${units}（${clockTime(Date.parse(r.notice.at))}）` });
    } catch (e) {
      onResult({ ok: false, text: `${label}未发出：${e instanceof ApiError && e.reasonCode ? guardText(e.reasonCode) : (e as Error).message}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popconfirm title={`确认${label}？`} description={`向${units}发出工单 ${row.number} ${stage}环节${label}`} okText={`确认${label}`} cancelText="取消" onConfirm={() => void send()}>
      <Button size="small" danger={kind === 'supervision'} loading={busy} data-testid={`supervise-${row.number}`}>
        {label}
      </Button>
    </Popconfirm>
  );
}
