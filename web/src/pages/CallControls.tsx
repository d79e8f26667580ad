/**
 * 通话控制 on the agent console, for the call the agent is talking on: 保持 / 恢复, 转接 to a unit's
 * number (直接 or 咨询, then 完成 / 取消), 转队列, one-key 紧急转接 to 110/119/120/122 (after a
 * confirmation), 三方通话. Each button is a REST control (docs/adr/0012, 0019); a refusal (409) is
 * shown with its reason. What the buttons offer follows the call's own state as the server pushes it
 * (`call:control`), whoever changed it: this tab, another one, a supervisor, the unit hanging up.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Input, Popconfirm, Radio, Select, Space, Tag, Typography } from 'antd';
import { api, ApiError } from '../api';

/** The call's 通话控制 as the server pushes it (AgentConsoleEvents['control']). */
export interface CallControlState {
  callId: string;
  seq: number;
  phase: 'connecting' | 'talking' | 'held' | 'transferring' | 'consulting' | 'threeWay' | 'over';
  since: number;
  transfer: { kind: 'emergency' | 'blind' | 'consult'; number: string; line: string | null; answered: boolean } | null;
  threeWay: { number: string; joined: boolean } | null;
  monitor: { mode: 'listen' | 'whisper' | 'barge'; joined: boolean } | null;
  call: { callerNumber: string; callerName: string | null; masked: boolean; queueId: string; waitMs: number; answeredAt: number };
}

const MONITOR_TEXT = { listen: '班长监听中', whisper: '班长密语中（仅您可听到）', barge: '班长已强插' } as const;

function phaseText(c: CallControlState): string {
  const t = c.transfer;
  switch (c.phase) {
    case 'connecting':
      return '正在接通';
    case 'talking':
      return '通话中';
    case 'held':
      return '保持中（来电人正在听等待音乐）';
    case 'transferring':
      return t?.kind === 'emergency' ? `正在转接 ${t.line ?? t.number}…` : `正在转接承办单位 ${t?.number ?? ''}…`;
    case 'consulting':
      return t?.answered ? `咨询转接：与承办单位 ${t.number} 通话中，来电人保持` : `咨询转接：正在呼叫承办单位 ${t?.number ?? ''}，来电人保持`;
    case 'threeWay':
      return c.threeWay?.joined ? `三方通话中（承办单位 ${c.threeWay.number}）` : `三方通话：正在邀请承办单位 ${c.threeWay?.number ?? ''}`;
    case 'over':
      return '您的通话已结束';
  }
}

const EMERGENCY: Array<{ line: string; label: string }> = [
  { line: '110', label: '110 报警' },
  { line: '119', label: '119 火警' },
  { line: '120', label: '120 急救' },
  { line: '122', label: '122 交通事故' },
];

interface QueueRow {
  queueId: string;
  name: string;
}

export default function CallControls({ callId, queueId, control }: { callId: string; queueId: string; control: CallControlState | null }) {
  // Until the first push (a moment after the answer) the call is being connected.
  const phase = control?.callId === callId ? control.phase : 'connecting';
  const [number, setNumber] = useState('');
  const [mode, setMode] = useState<'blind' | 'consult'>('blind');
  const [target, setTarget] = useState<string | undefined>();
  const [queues, setQueues] = useState<QueueRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ type: 'success' | 'error'; text: string } | null>(null);

  useEffect(() => {
    setNotice(null);
  }, [callId]);
  useEffect(() => {
    api<QueueRow[] | { items: QueueRow[] }>('GET', '/api/queues')
      .then((q) => setQueues(Array.isArray(q) ? q : q.items))
      .catch(() => setQueues([]));
  }, []);

  const send = async (path: string, done: string, body?: unknown) => {
    setBusy(true);
    setNotice(null);
    try {
      await api('POST', `/api/calls/${encodeURIComponent(callId)}/${path}`, body ?? {});
      setNotice({ type: 'success', text: done });
    } catch (err) {
      const text = err instanceof ApiError ? (err.status === 409 ? `无法执行：${err.message}` : err.message) : '操作失败，请重试';
      setNotice({ type: 'error', text });
    } finally {
      setBusy(false);
    }
  };

  const validNumber = /^[0-9+]{3,20}$/.test(number);
  const other = queues.filter((q) => q.queueId !== queueId);
  const off = busy || phase === 'over' || phase === 'connecting';

  return (
    <Card size="small" title="通话控制" data-testid="call-controls" style={{ marginTop: 12 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap aria-live="polite">
          <Typography.Text strong data-testid="call-phase">
            {control?.callId === callId ? phaseText(control) : '正在接通'}
          </Typography.Text>
          {control?.callId === callId && control.monitor && (
            <Tag color="#0958d9" data-testid="monitor-indicator">
              {control.monitor.joined ? MONITOR_TEXT[control.monitor.mode] : '班长正在接入'}
            </Tag>
          )}
        </Space>
        <Space wrap>
          {phase === 'held' ? (
            <Button type="primary" disabled={off} onClick={() => void send('resume', '已恢复通话')}>
              恢复通话
            </Button>
          ) : (
            <Button disabled={off || phase !== 'talking'} onClick={() => void send('hold', '已保持，来电人正在听等待音乐')}>
              保持
            </Button>
          )}
          <Typography.Text strong>紧急转接</Typography.Text>
          {EMERGENCY.map((e) => (
            <Popconfirm
              key={e.line}
              title={`确认将来电一键转接至 ${e.label}？`}
              description="转接成功后本通话结束；对方忙或无人接听时来电回到您这里。"
              okText="确认转接"
              cancelText="取消"
              onConfirm={() => void send('emergency-transfer', `正在转接 ${e.line}…`, { line: e.line })}
              disabled={off || (phase !== 'talking' && phase !== 'held')}
            >
              <Button danger disabled={off || (phase !== 'talking' && phase !== 'held')}>
                {e.line}
              </Button>
            </Popconfirm>
          ))}
        </Space>
        <Space wrap>
          <Input
            aria-label="承办单位号码"
            placeholder="承办单位号码"
            value={number}
            onChange={(ev) => setNumber(ev.target.value.trim())}
            style={{ width: 160 }}
            disabled={off}
          />
          <Radio.Group value={mode} onChange={(ev) => setMode(ev.target.value as 'blind' | 'consult')} disabled={off} aria-label="转接方式">
            <Radio value="blind">直接转接</Radio>
            <Radio value="consult">咨询转接</Radio>
          </Radio.Group>
          <Button
            disabled={off || !validNumber || (phase !== 'talking' && phase !== 'held')}
            onClick={() => void send('transfer', mode === 'consult' ? '正在呼叫承办单位，来电人已保持' : '正在转接承办单位…', { number, mode })}
          >
            转接单位
          </Button>
          <Button disabled={off || !validNumber || phase !== 'talking'} onClick={() => void send('three-way', '正在邀请承办单位加入三方通话…', { number })}>
            三方通话
          </Button>
          {phase === 'consulting' && (
            <>
              <Button type="primary" disabled={busy || !control?.transfer?.answered} onClick={() => void send('transfer/complete', '已转接，来电人与承办单位通话')}>
                完成转接
              </Button>
              <Button disabled={busy} onClick={() => void send('transfer/cancel', '已取消转接，来电人回到您这里')}>
                取消转接
              </Button>
            </>
          )}
        </Space>
        <Space wrap>
          <Select aria-label="转至队列" placeholder="转至队列" value={target} onChange={setTarget} style={{ width: 180 }} disabled={off} options={other.map((q) => ({ value: q.queueId, label: q.name || q.queueId }))} />
          <Button disabled={off || !target || (phase !== 'talking' && phase !== 'held')} onClick={() => void send('queue-transfer', '已转至队列，来电人按原排队时间等候', { queueId: target })}>
            转队列
          </Button>
        </Space>
        {notice && <Alert type={notice.type} showIcon message={notice.text} data-testid="call-control-notice" role={notice.type === 'error' ? 'alert' : 'status'} />}
      </Space>
    </Card>
  );
}
