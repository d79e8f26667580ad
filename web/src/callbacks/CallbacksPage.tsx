/**
 * 回拨管理 (supervisors and administrators): the callback requests callers left on overflow, oldest
 * first, filtered by state; each open or assigned one can be given to an agent, who places it from
 * the agent console (我的回拨). The placed calls' outcomes and the result are shown as they are.
 * A confidential case's number comes masked from the server.
 */
import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Space, Table, Tag, Typography } from 'antd';
import { NativeSelect } from '../desk/common';
import { dateTime, duration } from '../time';
import {
  assignCallback, CALL_OUTCOME_TEXT, CALLBACK_RESULT_TEXT, CALLBACK_STATUS_TEXT, lastCall, listAgents, listCallbacks,
  type AgentOption, type Callback, type CallbackStatus,
} from './callbacksApi';

const PAGE_SIZE = 20;
/** While a placed call runs somewhere, the list is read again this often. */
const REFRESH_MS = 5000;

function AssignCell({ row, agents, onAssigned }: { row: Callback; agents: AgentOption[]; onAssigned: (c: Callback) => void }) {
  const { message } = AntApp.useApp();
  const [agentId, setAgentId] = useState(row.assignedAgentId ?? '');
  const [busy, setBusy] = useState(false);
  const running = row.calls.some((c) => c.outcome === 'in-progress');
  if (row.status === 'closed') return <Typography.Text type="secondary">—</Typography.Text>;
  const assign = async () => {
    setBusy(true);
    try {
      const updated = await assignCallback(row.id, agentId);
      void message.success(`已分配给 ${agents.find((a) => a.agentId === agentId)?.displayName ?? agentId}`);
      onAssigned(updated);
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space>
      <NativeSelect label="坐席" value={agentId} allLabel="请选择" options={agents.map((a) => ({ value: a.agentId, label: `${a.displayName}（${a.agentId}）` }))} onChange={setAgentId} />
      <Button size="small" type="primary" disabled={busy || running || !agentId || agentId === row.assignedAgentId} onClick={() => void assign()}>
        {row.assignedAgentId ? '改派' : '分配'}
      </Button>
    </Space>
  );
}

export default function CallbacksPage() {
  const { message } = AntApp.useApp();
  const [status, setStatus] = useState<CallbackStatus | ''>('');
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<Callback[]>([]);
  const [total, setTotal] = useState(0);
  const [agents, setAgents] = useState<AgentOption[]>([]);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    listAgents().then(setAgents, (e: unknown) => void message.error(String((e as Error).message)));
  }, [message]);

  useEffect(() => {
    setLoading(true);
    listCallbacks({ ...(status ? { status } : {}), page, pageSize: PAGE_SIZE })
      .then((r) => {
        setRows(r.items);
        setTotal(r.total);
      }, (e: unknown) => void message.error(String((e as Error).message)))
      .finally(() => setLoading(false));
  }, [status, page, tick, message]);

  const running = rows.some((r) => r.calls.some((c) => c.outcome === 'in-progress'));
  useEffect(() => {
    if (!running) return undefined;
    const t = setTimeout(() => setTick((x) => x + 1), REFRESH_MS);
    return () => clearTimeout(t);
  }, [running, tick]);

  const replace = useCallback((c: Callback) => setRows((rs) => rs.map((r) => (r.id === c.id ? c : r))), []);
  const agentName = (id: string | null) => (id ? (agents.find((a) => a.agentId === id)?.displayName ?? id) : '—');

  return (
    <div style={{ padding: 16 }}>
      <Typography.Title level={1} style={{ marginTop: 0, fontSize: 22 }}>
        回拨管理
      </Typography.Title>
      <Space style={{ marginBottom: 12 }} wrap>
        <NativeSelect
          label="状态"
          value={status}
          allLabel="全部"
          options={(Object.keys(CALLBACK_STATUS_TEXT) as CallbackStatus[]).map((s) => ({ value: s, label: CALLBACK_STATUS_TEXT[s] }))}
          onChange={(v) => {
            setPage(1);
            setStatus(v as CallbackStatus | '');
          }}
        />
        <Button onClick={() => setTick((x) => x + 1)}>刷新</Button>
        <Typography.Text>共 {total} 条</Typography.Text>
      </Space>
      <Table
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={rows}
        data-testid="callback-table"
        locale={{ emptyText: <span style={{ color: '#595959' }}>暂无回拨请求</span> }}
        pagination={{ current: page, pageSize: PAGE_SIZE, total, onChange: setPage, showSizeChanger: false }}
        columns={[
          {
            title: '来电号码',
            dataIndex: 'callerNumber',
            render: (v: string, r: Callback) => (
              <span className="figure">
                {v || '—'} {r.masked && <Tag color="#874d00">保密</Tag>}
              </span>
            ),
          },
          { title: '队列', dataIndex: 'queueId' },
          { title: '请求时间', dataIndex: 'requestedAt', render: (v: number) => dateTime(v) },
          { title: '状态', dataIndex: 'status', render: (v: CallbackStatus) => CALLBACK_STATUS_TEXT[v] },
          { title: '回拨坐席', dataIndex: 'assignedAgentId', render: (v: string | null) => agentName(v) },
          {
            title: '最近回拨',
            key: 'last',
            render: (_: unknown, r: Callback) => {
              const c = lastCall(r);
              if (!c) return '未回拨';
              return `${CALL_OUTCOME_TEXT[c.outcome]} · ${dateTime(c.placedAt)}${c.talkMs !== null && c.talkMs > 0 ? ` · 通话 ${duration(c.talkMs)}` : ''}（共 ${r.calls.length} 次）`;
            },
          },
          { title: '结果', dataIndex: 'result', render: (v: Callback['result'], r: Callback) => (v ? `${CALLBACK_RESULT_TEXT[v]}${r.note ? `：${r.note}` : ''}` : '—') },
          { title: '分配', key: 'assign', render: (_: unknown, r: Callback) => <AssignCell key={`${r.id}:${r.assignedAgentId ?? ''}`} row={r} agents={agents} onAssigned={replace} /> },
        ]}
      />
    </div>
  );
}
