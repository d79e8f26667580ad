/**
 * 坐席: the agent directory (工号, 姓名, 分机, 技能队列); create, edit (姓名, 分机, 技能队列; the 工号
 * is the agent's identity and stays), disable and enable, and reset the phone's SIP password.
 * Asterisk follows each change at once; a generated SIP password is shown here once.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Space, Table, Tag } from 'antd';
import { api } from '../api';
import { adminErrorText, confirmThen, QueueChoice, statusTag, useSave, type AgentRow, type DirectoryResult, type QueueRow } from './common';

interface AgentForm {
  name: string;
  extension: string;
  queues: string[];
}

type QueueOption = { value: string; label: string };

/** 姓名, 分机 and 技能队列: shared by the create form and the edit dialog. */
function AgentFields({ queueOptions }: { queueOptions: QueueOption[] }) {
  return (
    <>
      <Form.Item name="name" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }, { max: 50, message: '姓名至多50字' }]}><Input /></Form.Item>
      <Form.Item name="extension" label="分机" rules={[{ required: true, message: '请填写分机' }, { pattern: /^[0-9]{3,8}$/, message: '分机为3–8位数字' }]}><Input /></Form.Item>
      <Form.Item name="queues" label="技能队列" rules={[{ required: true, message: '请选择至少一个队列' }]}>
        <QueueChoice options={queueOptions} />
      </Form.Item>
    </>
  );
}

/** The phone's account and, when one was generated, its password (shown this once). */
const secretText = (r: DirectoryResult, what: string): string =>
  `${what}${r.sip?.secret ? `。工号 ${r.agent.agentNumber} 的话机账号 ${r.sip.username}，密码（仅显示这一次）：${r.sip.secret}` : ''}`;

function EditAgent({ agent, queueOptions, onClose, onSaved }: { agent: AgentRow; queueOptions: QueueOption[]; onClose: () => void; onSaved: (text: string) => void }) {
  const [form] = Form.useForm<AgentForm>();
  const { busy, error, run } = useSave();
  const save = (v: AgentForm) => run(async () => {
    const r = await api<DirectoryResult>('PATCH', `/api/directory/agents/${encodeURIComponent(agent.agentId)}`, { name: v.name, extension: v.extension, queues: v.queues });
    onSaved(secretText(r, `已保存坐席 ${agent.agentNumber}${r.sip ? '（分机已改，话机须用新账号和密码注册）' : ''}`));
  });
  return (
    <Modal open title={`编辑坐席：工号 ${agent.agentNumber}`} okText="保存" cancelText="取消" confirmLoading={busy} onOk={() => form.submit()} onCancel={onClose}>
      <Form form={form} name="agent-edit" layout="vertical" onFinish={(v) => void save(v)}
        initialValues={{ name: agent.name, extension: agent.extension ?? undefined, queues: agent.queues }}>
        <AgentFields queueOptions={queueOptions} />
      </Form>
      <Alert type="info" showIcon message="改分机会生成新的话机密码，原话机账号随即失效。" />
      {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
    </Modal>
  );
}

export function AgentsTab() {
  const { modal } = AntApp.useApp();
  const [items, setItems] = useState<AgentRow[]>([]);
  const [queues, setQueues] = useState<QueueRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<AgentRow | null>(null);
  const [form] = Form.useForm<AgentForm & { agentNumber: string }>();
  const load = useCallback(() => {
    void api<{ items: AgentRow[] }>('GET', '/api/directory/agents').then((r) => setItems(r.items), (e: unknown) => setError(adminErrorText(e)));
    void api<{ items: QueueRow[] }>('GET', '/api/queues').then((r) => setQueues(r.items), () => undefined);
  }, []);
  useEffect(load, [load]);
  const queueOptions = useMemo(() => queues.map((q) => ({ value: q.queueId, label: q.name })), [queues]);
  // Inline, not a toast: a generated secret must stay readable until the administrator has noted it.
  const saved = (text: string) => {
    setEditing(null);
    setError(null);
    setNotice(text);
    load();
  };
  const create = async (v: AgentForm & { agentNumber: string }) => {
    setError(null);
    try {
      const r = await api<DirectoryResult>('POST', '/api/directory/agents', v);
      saved(secretText(r, `已创建坐席 ${r.agent.agentNumber}`));
      form.resetFields();
    } catch (e) {
      setError(adminErrorText(e));
    }
  };
  const failed = (text: string) => {
    setNotice(null);
    setError(text);
  };
  const setEnabled = (a: AgentRow, enabled: boolean) => confirmThen(modal, {
    title: `${enabled ? '启用' : '停用'}坐席 ${a.agentNumber} ${a.name}？`,
    content: enabled ? '启用后其话机重新注册到交换机，可以签入接听。' : '停用后该坐席被签出，其话机从交换机注销，不再分配来电。',
    okText: enabled ? '启用' : '停用',
    danger: !enabled,
  }, async () => {
    await api<DirectoryResult>('PATCH', `/api/directory/agents/${encodeURIComponent(a.agentId)}`, { enabled });
    saved(`已${enabled ? '启用' : '停用'}坐席 ${a.agentNumber}`);
  }, failed);
  const rotate = (a: AgentRow) => confirmThen(modal, {
    title: `重置坐席 ${a.agentNumber} 的话机密码？`,
    content: '将生成新密码，原密码立即失效，话机须用新密码重新注册。',
    okText: '重置',
  }, async () => {
    const r = await api<DirectoryResult>('POST', `/api/directory/agents/${encodeURIComponent(a.agentId)}/sip-secret`, {});
    saved(secretText(r, `已重置坐席 ${a.agentNumber} 的话机密码`));
  }, failed);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      {notice && <Alert type="warning" showIcon message={notice} data-testid="agents-result" />}
      {error && <Alert type="error" showIcon message={error} />}
      <Table<AgentRow> size="small" rowKey="agentId" dataSource={items} pagination={{ pageSize: 20 }} data-testid="agents"
        columns={[
          { title: '工号', dataIndex: 'agentNumber' },
          { title: '姓名', dataIndex: 'name' },
          { title: '分机', dataIndex: 'extension', render: (x: string | null) => x ?? '—' },
          { title: '技能队列', dataIndex: 'queues', render: (q: string[]) => q.map((x) => <Tag key={x}>{queues.find((y) => y.queueId === x)?.name ?? x}</Tag>) },
          { title: '状态', dataIndex: 'enabled', render: statusTag },
          {
            title: '操作',
            render: (_, a) => (
              <Space size={4}>
                <Button size="small" aria-label={`编辑 ${a.agentNumber}`} onClick={() => setEditing(a)}>编辑</Button>
                <Button size="small" aria-label={`重置话机密码 ${a.agentNumber}`} onClick={() => rotate(a)}>重置话机密码</Button>
                {a.enabled
                  ? <Button size="small" danger aria-label={`停用 ${a.agentNumber}`} onClick={() => setEnabled(a, false)}>停用</Button>
                  : <Button size="small" aria-label={`启用 ${a.agentNumber}`} onClick={() => setEnabled(a, true)}>启用</Button>}
              </Space>
            ),
          },
        ]} />
      <Card size="small" title="新建坐席">
        <Form form={form} name="agent-create" layout="inline" onFinish={(v) => void create(v)}>
          <Form.Item name="agentNumber" label="工号" rules={[{ required: true, message: '请填写工号' }, { pattern: /^[0-9]{1,8}$/, message: '工号为1–8位数字' }]}><Input /></Form.Item>
          <AgentFields queueOptions={queueOptions} />
          <Button type="primary" htmlType="submit">创建</Button>
        </Form>
      </Card>
      {editing && <EditAgent agent={editing} queueOptions={queueOptions} onClose={() => setEditing(null)} onSaved={saved} />}
    </Space>
  );
}
