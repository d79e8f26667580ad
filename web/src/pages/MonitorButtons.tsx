/**
 * 监听 / 密语 / 强插 on the wallboard, for an agent's live call: the supervisor's own phone (the seat
 * set as the user's agentId) is rung, then hears the call (监听), coaches the agent only (密语) or
 * joins the call (强插). 结束 ends it. Only supervisors of the call's queue are let through (403
 * otherwise, shown); every attempt is audited by the app (docs/adr/0012).
 */
import { useState } from 'react';
import { App as AntApp, Button, Space } from 'antd';
import { api, ApiError } from '../api';

const MODES = [
  { mode: 'listen', label: '监听' },
  { mode: 'whisper', label: '密语' },
  { mode: 'barge', label: '强插' },
] as const;

export default function MonitorButtons({ callId, agentName, disabled }: { callId: string; agentName: string; disabled: boolean }) {
  const { message } = AntApp.useApp();
  const [on, setOn] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (method: 'POST' | 'DELETE', mode: string | null) => {
    setBusy(true);
    try {
      await api(method, `/api/calls/${encodeURIComponent(callId)}/monitor`, method === 'POST' ? { mode } : undefined);
      setOn(mode);
      void message.success(mode ? `正在呼叫您的话机以${MODES.find((m) => m.mode === mode)?.label ?? ''}` : '已结束监听');
    } catch (err) {
      void message.error(err instanceof ApiError ? (err.status === 409 ? `无法执行：${err.message}` : err.message) : '操作失败，请重试');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space size={4} data-testid={`monitor-${callId}`}>
      {MODES.map((m) => (
        <Button key={m.mode} size="small" aria-label={`${m.label} ${agentName}`} disabled={disabled || busy || on !== null} onClick={() => void send('POST', m.mode)}>
          {m.label}
        </Button>
      ))}
      {on !== null && (
        <Button size="small" danger disabled={busy} onClick={() => void send('DELETE', null)}>
          结束
        </Button>
      )}
    </Space>
  );
}
