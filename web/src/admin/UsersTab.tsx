/**
 * 用户与角色: the users with their role, seat (坐席) or unit; create, edit (姓名, role, seat, unit),
 * reset the password, disable and enable. The server ends a user's sessions and live connections
 * on every instance when their password, role, seat or unit changes or they are disabled.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Select, Space, Table } from 'antd';
import { api, type Role, type SessionUser } from '../api';
import { useUnits } from '../units';
import { adminErrorText, confirmThen, ROLE_TEXT, RoleChoice, statusTag, useSave, type AgentRow, type UserRow } from './common';

interface UserForm {
  displayName: string;
  role: Role;
  unitId?: string;
  agentId?: string;
}

const USERNAME_RULES = [{ required: true, message: '请填写用户名' }, { pattern: /^[A-Za-z0-9._@-]{2,64}$/, message: '用户名为2–64位字母、数字或 . _ @ -' }];
const PASSWORD_RULES = [{ required: true, message: '请填写密码' }, { min: 8, message: '密码至少8位' }, { max: 72, message: '密码至多72位' }];

/** The seat and unit a role needs (the others are cleared: an agent has no unit, a unit handler no seat). */
const roleFields = (v: UserForm) => ({ agentId: v.role === 'agent' ? (v.agentId ?? null) : null, unitId: v.role === 'unit_handler' ? (v.unitId ?? null) : null });

/** 姓名, role and the seat or unit the role needs: shared by the create form and the edit dialog. */
function UserFields({ role, seats }: { role: Role | undefined; seats: AgentRow[] }) {
  return (
    <>
      <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }, { max: 100, message: '姓名至多100字' }]}><Input /></Form.Item>
      <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
        <RoleChoice />
      </Form.Item>
      {role === 'unit_handler' && <Form.Item name="unitId" label="承办单位" rules={[{ required: true, message: '请填写承办单位' }]}><Input /></Form.Item>}
      {role === 'agent' && (
        <Form.Item name="agentId" label="坐席" rules={[{ required: true, message: '请选择坐席' }]}>
          <Select style={{ minWidth: 180 }} showSearch optionFilterProp="label" placeholder="选择工号"
            options={seats.map((a) => ({ value: a.agentId, label: `${a.agentNumber} ${a.name}` }))} />
        </Form.Item>
      )}
    </>
  );
}

function EditUser({ user, seats, onClose, onSaved }: { user: UserRow; seats: AgentRow[]; onClose: () => void; onSaved: (text: string) => void }) {
  const [form] = Form.useForm<UserForm>();
  const role = Form.useWatch('role', form);
  const { busy, error, run } = useSave();
  const save = (v: UserForm) => run(async () => {
    await api('PATCH', `/api/users/${encodeURIComponent(user.id)}`, { displayName: v.displayName, role: v.role, ...roleFields(v) });
    onSaved(`已保存用户 ${user.username}`);
  });
  return (
    <Modal open title={`编辑用户：${user.username}`} okText="保存" cancelText="取消" confirmLoading={busy} onOk={() => form.submit()} onCancel={onClose}>
      <Form form={form} name="user-edit" layout="vertical" onFinish={(v) => void save(v)}
        initialValues={{ displayName: user.displayName, role: user.role, unitId: user.unitId ?? undefined, agentId: user.agentId ?? undefined }}>
        <UserFields role={role ?? user.role} seats={seats} />
      </Form>
      <Alert type="info" showIcon message="角色、坐席或承办单位改变后，该用户须重新登录。" />
      {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
    </Modal>
  );
}

function ResetPassword({ user, onClose, onSaved }: { user: UserRow; onClose: () => void; onSaved: (text: string) => void }) {
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const { busy, error, run } = useSave();
  const save = (v: { password: string }) => run(async () => {
    await api('PATCH', `/api/users/${encodeURIComponent(user.id)}`, { password: v.password });
    onSaved(`已重置用户 ${user.username} 的密码，其登录已全部结束`);
  });
  return (
    <Modal open title={`重置密码：${user.username}`} okText="重置" cancelText="取消" confirmLoading={busy} onOk={() => form.submit()} onCancel={onClose}>
      <Form form={form} name="user-password" layout="vertical" onFinish={(v) => void save(v)}>
        <Form.Item name="password" label="新密码" rules={PASSWORD_RULES}><Input.Password autoComplete="new-password" /></Form.Item>
        <Form.Item name="confirm" label="确认新密码" dependencies={['password']}
          rules={[{ required: true, message: '请再次填写新密码' }, ({ getFieldValue }) => ({
            validator: (_r, value: string | undefined) => (!value || value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error('两次填写的密码不一致'))),
          })]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon message={error} />}
    </Modal>
  );
}

export function UsersTab({ me }: { me: SessionUser }) {
  const { modal } = AntApp.useApp();
  const [items, setItems] = useState<UserRow[]>([]);
  const [seats, setSeats] = useState<AgentRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<UserRow | null>(null);
  const [resetting, setResetting] = useState<UserRow | null>(null);
  const [form] = Form.useForm<UserForm & { username: string; password: string }>();
  const role = Form.useWatch('role', form);
  const { name: unitName } = useUnits();
  const load = useCallback(() => {
    void api<{ items: UserRow[] }>('GET', '/api/users?pageSize=200').then((r) => setItems(r.items), (e: unknown) => setError(adminErrorText(e)));
    void api<{ items: AgentRow[] }>('GET', '/api/directory/agents').then((r) => setSeats(r.items), () => undefined);
  }, []);
  useEffect(load, [load]);
  const saved = (text: string) => {
    setEditing(null);
    setResetting(null);
    setError(null);
    setDone(text);
    load();
  };
  const failed = (text: string) => {
    setDone(null);
    setError(text);
  };
  const create = async (v: UserForm & { username: string; password: string }) => {
    setError(null);
    setDone(null);
    try {
      await api('POST', '/api/users', { username: v.username, displayName: v.displayName, role: v.role, password: v.password, ...roleFields(v) });
      setDone(`已创建用户 ${v.username}`);
      form.resetFields();
      load();
    } catch (e) {
      setError(adminErrorText(e));
    }
  };
  const setActive = (u: UserRow, active: boolean) => confirmThen(modal, {
    title: `${active ? '启用' : '停用'}用户 ${u.displayName}（${u.username}）？`,
    content: active ? '启用后该用户可以重新登录。' : '停用后该用户立即退出登录（各页面与实时连接随之断开），且不能再登录，直到重新启用。',
    okText: active ? '启用' : '停用',
    danger: !active,
  }, async () => {
    await api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, { active });
    saved(`已${active ? '启用' : '停用'}用户 ${u.username}`);
  }, failed);
  const seatText = (agentId: string | null): string => {
    if (!agentId) return '—';
    const seat = seats.find((a) => a.agentId === agentId);
    return seat ? `${seat.agentNumber} ${seat.name}` : agentId;
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      {done && <Alert type="success" showIcon message={done} data-testid="users-result" />}
      {error && <Alert type="error" showIcon message={error} />}
      <Table<UserRow> size="small" rowKey="id" dataSource={items} pagination={{ pageSize: 20 }} data-testid="users"
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (r: Role) => ROLE_TEXT[r] ?? r },
          { title: '坐席', dataIndex: 'agentId', render: seatText },
          { title: '承办单位', dataIndex: 'unitId', render: (x: string | null) => (x ? unitName(x) : '—') },
          { title: '状态', dataIndex: 'active', render: statusTag },
          {
            title: '操作',
            render: (_, u) => (
              <Space size={4}>
                <Button size="small" aria-label={`编辑 ${u.username}`} onClick={() => setEditing(u)}>编辑</Button>
                <Button size="small" aria-label={`重置密码 ${u.username}`} onClick={() => setResetting(u)}>重置密码</Button>
                {u.active
                  ? <Button size="small" danger aria-label={`停用 ${u.username}`} disabled={u.id === me.id} title={u.id === me.id ? '不能停用自己的账号' : undefined} onClick={() => setActive(u, false)}>停用</Button>
                  : <Button size="small" aria-label={`启用 ${u.username}`} onClick={() => setActive(u, true)}>启用</Button>}
              </Space>
            ),
          },
        ]} />
      <Card size="small" title="新建用户">
        <Form form={form} name="user-create" layout="inline" onFinish={(v) => void create(v)}>
          <Form.Item name="username" label="用户名" rules={USERNAME_RULES}><Input /></Form.Item>
          <UserFields role={role} seats={seats} />
          <Form.Item name="password" label="初始密码" rules={PASSWORD_RULES}><Input.Password autoComplete="new-password" /></Form.Item>
          <Button type="primary" htmlType="submit">创建</Button>
        </Form>
      </Card>
      {editing && <EditUser user={editing} seats={seats} onClose={() => setEditing(null)} onSaved={saved} />}
      {resetting && <ResetPassword user={resetting} onClose={() => setResetting(null)} onSaved={saved} />}
    </Space>
  );
}
