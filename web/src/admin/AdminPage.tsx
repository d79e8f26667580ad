/**
 * 系统管理 (administrators only; the server refuses the API to anyone else): users and roles, the
 * agent directory (工号, name, queues), queues, the unit directory (承办单位), regulation presets and
 * the working-day calendar.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Layout, Radio, Space, Table, Tabs, Tag } from 'antd';
import { api, ApiError, type Role, type SessionUser } from '../api';
import { PageHeader } from '../reports/PageHeader';
import { CalendarTab } from './CalendarTab';
import { PresetsTab } from './PresetsTab';
import { UnitsTab } from './UnitsTab';
import { useUnits } from '../units';
import { TAG_GREEN } from './tags';

const ROLE_TEXT: Record<Role, string> = { agent: '话务员', supervisor: '班长', unit_handler: '承办单位', admin: '管理员' };

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  agentId: string | null;
  unitId: string | null;
  active: boolean;
}

interface AgentRow {
  agentId: string;
  agentNumber: string;
  name: string;
  extension: string | null;
  queues: string[];
  enabled: boolean;
}

interface QueueRow {
  queueId: string;
  name: string;
  unitId: string | null;
  serviceLevelThresholdSec: number;
  priority: number;
  active: boolean;
}

const errText = (e: unknown): string => (e instanceof ApiError ? e.message : String(e));
const status = (on: boolean) => (on ? <Tag color={TAG_GREEN}>启用</Tag> : <Tag>停用</Tag>);

/**
 * Radio and checkbox groups inside a Form.Item: the item hands its aria-required to the group's
 * plain div, which may not carry it; here the group is a radiogroup (which may) or a group.
 */
function RoleChoice({ id, value, onChange, 'aria-required': required }: { id?: string; value?: Role; onChange?: (v: Role) => void; 'aria-required'?: boolean | 'true' | 'false' }) {
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
function QueueChoice({ id, value, onChange, options }: { id?: string; value?: readonly string[]; onChange?: (v: string[]) => void; options: readonly { value: string; label: string }[] }) {
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

function UsersTab() {
  const [items, setItems] = useState<UserRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [form] = Form.useForm<{ username: string; displayName: string; role: Role; password: string; unitId?: string; agentId?: string }>();
  const role = Form.useWatch('role', form);
  const { name: unitName } = useUnits();
  const load = useCallback(() => {
    void api<{ items: UserRow[] }>('GET', '/api/users?pageSize=200').then((r) => setItems(r.items), (e: unknown) => setError(errText(e)));
  }, []);
  useEffect(load, [load]);
  const create = async (v: { username: string; displayName: string; role: Role; password: string; unitId?: string; agentId?: string }) => {
    setError(null);
    setDone(null);
    try {
      await api('POST', '/api/users', { username: v.username, displayName: v.displayName, role: v.role, password: v.password, unitId: v.unitId ?? null, agentId: v.agentId ?? null });
      setDone(`已创建用户 ${v.username}`);
      form.resetFields();
      load();
    } catch (e) {
      setError(errText(e));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Table<UserRow> size="small" rowKey="id" dataSource={items} pagination={{ pageSize: 20 }} data-testid="users"
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (r: Role) => ROLE_TEXT[r] ?? r },
          { title: '工号', dataIndex: 'agentId', render: (x: string | null) => x ?? '—' },
          { title: '承办单位', dataIndex: 'unitId', render: (x: string | null) => (x ? unitName(x) : '—') },
          { title: '状态', dataIndex: 'active', render: status },
        ]} />
      <Card size="small" title="新建用户">
        <Form form={form} layout="inline" onFinish={(v) => void create(v)}>
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请填写用户名' }, { pattern: /^[A-Za-z0-9._@-]{2,64}$/, message: '用户名为2–64位字母、数字或 . _ @ -' }]}><Input /></Form.Item>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}><Input /></Form.Item>
          <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
            <RoleChoice />
          </Form.Item>
          {role === 'unit_handler' && <Form.Item name="unitId" label="承办单位" rules={[{ required: true, message: '请填写承办单位' }]}><Input /></Form.Item>}
          {role === 'agent' && <Form.Item name="agentId" label="坐席标识" rules={[{ required: true, message: '请填写坐席标识' }]}><Input /></Form.Item>}
          <Form.Item name="password" label="初始密码" rules={[{ required: true, message: '请填写初始密码' }, { min: 8, message: '密码至少8位' }]}><Input.Password autoComplete="new-password" /></Form.Item>
          <Button type="primary" htmlType="submit">创建</Button>
        </Form>
        {done && <Alert style={{ marginTop: 12 }} type="success" showIcon message={done} />}
        {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
      </Card>
    </Space>
  );
}

function AgentsTab() {
  const [items, setItems] = useState<AgentRow[]>([]);
  const [queues, setQueues] = useState<QueueRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<{ agentNumber: string; name: string; extension: string; queues: string[] }>();
  const load = useCallback(() => {
    void api<{ items: AgentRow[] }>('GET', '/api/directory/agents').then((r) => setItems(r.items), (e: unknown) => setError(errText(e)));
    void api<{ items: QueueRow[] }>('GET', '/api/queues').then((r) => setQueues(r.items), () => undefined);
  }, []);
  useEffect(load, [load]);
  const create = async (v: { agentNumber: string; name: string; extension: string; queues: string[] }) => {
    setError(null);
    try {
      const r = await api<{ agent: AgentRow; sip?: { username: string; secret?: string } }>('POST', '/api/directory/agents', v);
      // Inline, not a toast: the secret must stay readable until the administrator has noted it.
      setSecret(`已创建坐席 ${r.agent.agentNumber}${r.sip?.secret ? `。工号 ${r.agent.agentNumber} 的话机账号 ${r.sip.username}，密码（仅显示这一次）：${r.sip.secret}` : ''}`);
      form.resetFields();
      load();
    } catch (e) {
      setError(errText(e));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Table<AgentRow> size="small" rowKey="agentId" dataSource={items} pagination={{ pageSize: 20 }} data-testid="agents"
        columns={[
          { title: '工号', dataIndex: 'agentNumber' },
          { title: '姓名', dataIndex: 'name' },
          { title: '分机', dataIndex: 'extension', render: (x: string | null) => x ?? '—' },
          { title: '技能队列', dataIndex: 'queues', render: (q: string[]) => q.map((x) => <Tag key={x}>{queues.find((y) => y.queueId === x)?.name ?? x}</Tag>) },
          { title: '状态', dataIndex: 'enabled', render: status },
        ]} />
      <Card size="small" title="新建坐席">
        <Form form={form} layout="inline" onFinish={(v) => void create(v)}>
          <Form.Item name="agentNumber" label="工号" rules={[{ required: true, message: '请填写工号' }, { pattern: /^[0-9]{1,8}$/, message: '工号为1–8位数字' }]}><Input /></Form.Item>
          <Form.Item name="name" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}><Input /></Form.Item>
          <Form.Item name="extension" label="分机" rules={[{ required: true, message: '请填写分机' }, { pattern: /^[0-9]{3,8}$/, message: '分机为3–8位数字' }]}><Input /></Form.Item>
          <Form.Item name="queues" label="技能队列" rules={[{ required: true, message: '请选择至少一个队列' }]}>
            <QueueChoice options={queues.map((q) => ({ value: q.queueId, label: q.name }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit">创建</Button>
        </Form>
        {secret && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={secret} />}
        {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
      </Card>
    </Space>
  );
}

function QueuesTab() {
  const [items, setItems] = useState<QueueRow[]>([]);
  useEffect(() => {
    void api<{ items: QueueRow[] }>('GET', '/api/queues').then((r) => setItems(r.items), () => undefined);
  }, []);
  return (
    <Table<QueueRow> size="small" rowKey="queueId" dataSource={items} pagination={false} data-testid="queues-admin"
      columns={[
        { title: '队列', dataIndex: 'queueId' },
        { title: '名称', dataIndex: 'name' },
        { title: '承办单位', dataIndex: 'unitId', render: (x: string | null) => x ?? '—' },
        { title: '服务水平阈值（秒）', dataIndex: 'serviceLevelThresholdSec' },
        { title: '优先级', dataIndex: 'priority' },
        { title: '状态', dataIndex: 'active', render: status },
      ]} />
  );
}

/** The tab in the address: `#/admin?tab=presets`. */
const initialTab = (): string => new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('tab') ?? 'users';

export default function AdminPage(_props: { user: SessionUser }) {
  const [tab, setTab] = useState(initialTab);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <PageHeader title="12345 热线 · 系统管理" />
      <Layout.Content style={{ padding: 12 }}>
        <Card size="small">
          <Tabs activeKey={tab} onChange={setTab} destroyInactiveTabPane items={[
            { key: 'users', label: '用户与角色', children: <UsersTab /> },
            { key: 'agents', label: '坐席', children: <AgentsTab /> },
            { key: 'queues', label: '队列', children: <QueuesTab /> },
            { key: 'units', label: '承办单位', children: <UnitsTab /> },
            { key: 'presets', label: '规则预设', children: <PresetsTab /> },
            { key: 'calendar', label: '工作日历', children: <CalendarTab /> },
          ]} />
        </Card>
      </Layout.Content>
    </Layout>
  );
}
