/**
 * 我的回拨 on the agent console: the callback requests assigned to this agent. 回拨 places one from the
 * agent's phone (the phone rings first, then the citizen); the server takes it only while the agent
 * is not ready, so a ready agent is put on 示忙（回拨） first and no inbound call is offered meanwhile.
 * The call's outcome shows when it ends; 结单 closes the request with its result and a note.
 */
import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Badge, Button, Drawer, Empty, Input, List, Radio, Space, Tag, Typography } from 'antd';
import { dateTime, duration } from '../time';
import {
  CALL_OUTCOME_TEXT, CALLBACK_RESULT_TEXT, closeCallback, getCallback, listCallbacks, placeCallback,
  type Callback, type CallbackResult,
} from './callbacksApi';

/** How often a placed call's request is read again until the call ends. */
const FOLLOW_MS = 1000;
/** How often the list is read while the drawer is closed (a supervisor may assign one meanwhile). */
const LIST_MS = 15_000;

function CloseForm({ onClose, busy }: { onClose: (result: CallbackResult, note: string) => void; busy: boolean }) {
  const [result, setResult] = useState<CallbackResult>('reached');
  const [note, setNote] = useState('');
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <div role="radiogroup" aria-label="回拨结果">
        <Radio.Group optionType="button" size="small" value={result} onChange={(e) => setResult(e.target.value as CallbackResult)}
          options={(Object.keys(CALLBACK_RESULT_TEXT) as CallbackResult[]).map((r) => ({ value: r, label: CALLBACK_RESULT_TEXT[r] }))} />
      </div>
      <Input.TextArea aria-label="结单备注" placeholder="备注（选填）" rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      <Button size="small" disabled={busy} onClick={() => onClose(result, note)}>
        确认结单
      </Button>
    </Space>
  );
}

export function MyCallbacks(props: {
  /** The agent's state (ready, not_ready, ringing, on_call, wrap_up, offline). */
  agentState: string;
  offline: boolean;
  /** Puts the agent on 示忙 with this reason (resolves once the server took it). */
  notReady: (reason: string) => Promise<void>;
}) {
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Callback[]>([]);
  const [busy, setBusy] = useState(false);
  const [closing, setClosing] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    listCallbacks({ status: 'assigned', page: 1, pageSize: 100 }).then((r) => setItems(r.items), () => undefined);
  }, [tick, open]);
  // A supervisor's assignment shows without a reload.
  useEffect(() => {
    const t = setInterval(() => setTick((x) => x + 1), LIST_MS);
    return () => clearInterval(t);
  }, []);

  const running = items.find((c) => c.calls.some((x) => x.outcome === 'in-progress')) ?? null;
  useEffect(() => {
    if (!running) return undefined;
    const t = setTimeout(() => {
      getCallback(running.id).then((c) => setItems((xs) => xs.map((x) => (x.id === c.id ? c : x))), () => undefined);
    }, FOLLOW_MS);
    return () => clearTimeout(t);
  }, [running]);

  const place = useCallback(async (c: Callback) => {
    setBusy(true);
    try {
      if (props.agentState === 'ready') await props.notReady('回拨');
      const call = await placeCallback(c.id);
      setItems((xs) => xs.map((x) => (x.id === c.id ? { ...x, calls: [...x.calls, { ...call }] } : x)));
      void message.info('正在回拨：请先接听话机，随后呼叫市民');
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [props, message]);

  const close = useCallback(async (c: Callback, result: CallbackResult, note: string) => {
    setBusy(true);
    try {
      await closeCallback(c.id, result, note);
      setItems((xs) => xs.filter((x) => x.id !== c.id));
      setClosing(null);
      void message.success('已结单');
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [message]);

  const cannotPlace = props.offline || busy || running !== null || !['ready', 'not_ready'].includes(props.agentState);
  return (
    <>
      <Badge count={items.length} size="small" color="#0958d9">
        <Button onClick={() => setOpen(true)} data-testid="my-callbacks-button">
          我的回拨
        </Button>
      </Badge>
      <Drawer title="我的回拨" open={open} onClose={() => setOpen(false)} width={560}>
        <div data-testid="my-callbacks">
          {!['ready', 'not_ready'].includes(props.agentState) && (
            <Typography.Paragraph type="secondary">签入后可回拨；通话或话后处理期间不能回拨。</Typography.Paragraph>
          )}
          {items.length === 0 ? (
            <Empty description="暂无分配给您的回拨" />
          ) : (
            <List
              dataSource={items}
              renderItem={(c) => {
                const last = c.calls[c.calls.length - 1] ?? null;
                return (
                  <List.Item data-testid={`callback-${c.id}`} style={{ display: 'block' }}>
                    <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
                      <span>
                        <strong className="figure">{c.callerNumber}</strong> {c.masked && <Tag color="#874d00">保密</Tag>}
                        <Typography.Text type="secondary" style={{ marginLeft: 8 }}>请求于 {dateTime(c.requestedAt)} · 队列 {c.queueId}</Typography.Text>
                      </span>
                      <Space>
                        <Button type="primary" size="small" disabled={cannotPlace} onClick={() => void place(c)}>
                          回拨
                        </Button>
                        <Button size="small" disabled={busy || running?.id === c.id} onClick={() => setClosing(closing === c.id ? null : c.id)}>
                          结单
                        </Button>
                      </Space>
                    </Space>
                    {last && (
                      <div data-testid="callback-outcome" style={{ marginTop: 4 }}>
                        最近回拨 {dateTime(last.placedAt)}：<strong>{CALL_OUTCOME_TEXT[last.outcome]}</strong>
                        {last.talkMs !== null && last.talkMs > 0 ? ` · 通话 ${duration(last.talkMs)}` : ''}
                        {c.calls.length > 1 ? `（共 ${c.calls.length} 次）` : ''}
                      </div>
                    )}
                    {closing === c.id && (
                      <div style={{ marginTop: 8 }}>
                        <CloseForm busy={busy} onClose={(result, note) => void close(c, result, note)} />
                      </div>
                    )}
                  </List.Item>
                );
              }}
            />
          )}
        </div>
      </Drawer>
    </>
  );
}
