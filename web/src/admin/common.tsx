/** What the administration tabs share: the rows the API answers, role names, status tags, the choice groups and error texts. */
import { useState } from 'react';
import { App as AntApp, Checkbox, Radio, Tag } from 'antd';
import { ApiError, type Role } from '../api';
import { TAG_GREEN } from './tags';

export const ROLE_TEXT: Record<Role, string> = { agent: '话务员', supervisor: '班长', unit_handler: '承办单位', admin: '管理员' };

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  agentId: string | null;
  unitId: string | null;
  active: boolean;
}

export interface AgentRow {
  agentId: string;
  agentNumber: string;
  name: string;
  extension: string | null;
  queues: string[];
  enabled: boolean;
}

export interface QueueRow {
  queueId: string;
  name: string;
  unitId: string | null;
  serviceLevelThresholdSec: number;
  priority: number;
  active: boolean;
}

/** The answer of a change to the agent directory; `sip.secret` only when one was generated. */
export interface DirectoryResult {
  agent: AgentRow;
  sip?: { username: string; secret?: string };
  applied: boolean;
}

/**
 * The server's refusal in Chinese. The codes' general texts (texts.ts) are made precise where the
 * administration pages know what a conflict or a refused field means.
 */
export function adminErrorText(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.status === 409 && e.field === 'body.extension') return '该分机已被其他坐席使用';
  if (e.status === 409 && e.field === 'body.agentNumber') return '该工号已存在';
  if (e.status === 409 && e.field === 'username') return '该用户名已存在';
  if (e.status === 409 && e.field === 'agentId') return '该坐席已绑定其他用户';
  if (e.code === 'VALIDATION.FIELD' && (e.field === 'active' || e.field === 'role')) return '不能停用自己的账号，也不能取消自己的管理员角色';
  return e.message;
}

/** A dialog's save: busy while it runs, the refusal in Chinese kept in the dialog. */
export function useSave(): { busy: boolean; error: string | null; run: (act: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (act: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await act();
    } catch (e) {
      setError(adminErrorText(e));
      setBusy(false);
    }
  };
  return { busy, error, run };
}

type ModalApi = ReturnType<typeof AntApp.useApp>['modal'];

/** Asks first (确认 dialog), then acts; a refusal goes to `fail` in Chinese. */
export function confirmThen(modal: ModalApi, ask: { title: string; content: string; okText: string; danger?: boolean }, act: () => Promise<void>, fail: (text: string) => void): void {
  void modal.confirm({
    title: ask.title,
    content: ask.content,
    okText: ask.okText,
    okButtonProps: { danger: ask.danger ?? false },
    cancelText: '取消',
    onOk: async () => {
      try {
        await act();
      } catch (e) {
        fail(adminErrorText(e));
      }
    },
  });
}

export const statusTag = (on: boolean) => (on ? <Tag color={TAG_GREEN}>启用</Tag> : <Tag>停用</Tag>);

type AriaRequired = boolean | 'true' | 'false';

/**
 * Radio and checkbox groups inside a Form.Item: the item hands its aria-required to the group's
 * plain div, which may not carry it; here the group is a radiogroup (which may) or a group.
 */
export function RoleChoice({ id, value, onChange, 'aria-required': required }: { id?: string; value?: Role; onChange?: (v: Role) => void; 'aria-required'?: AriaRequired }) {
  return (
    <div role="radiogroup" aria-label="角色" id={id} aria-required={required}>
      <Radio.Group value={value} onChange={(e) => onChange?.(e.target.value as Role)} options={Object.entries(ROLE_TEXT).map(([v, label]) => ({ value: v, label }))} />
    </div>
  );
}

const NONE: readonly string[] = [];

/**
 * The queues as checkboxes bound straight to the form's value. Not antd's Checkbox.Group: it copies
 * its `value` into state of its own in an effect, so after a click the box shows ticked only one
 * scheduler task later (longer while a list is being rendered), and a click in that gap is applied to
 * the stale copy: the earlier click is lost.
 */
export function QueueChoice({ id, value, onChange, options }: { id?: string; value?: readonly string[]; onChange?: (v: string[]) => void; options: readonly { value: string; label: string }[] }) {
  const chosen = value ?? NONE;
  const toggle = (queue: string, on: boolean) => onChange?.(on ? [...chosen.filter((q) => q !== queue), queue] : chosen.filter((q) => q !== queue));
  return (
    <div role="group" aria-label="技能队列" id={id}>
      {options.map((o) => (
        <Checkbox key={o.value} checked={chosen.includes(o.value)} onChange={(e) => toggle(o.value, e.target.checked)}>{o.label}</Checkbox>
      ))}
    </div>
  );
}
