/**
 * 保密来电人 (supervisors and administrators): the callers whose number is hidden from everyone not
 * handling their cases, from the first event of each call. Mark a number with a reason, withdraw a
 * mark with a reason (later calls shown in clear, earlier ones stay hidden), read each mark's record.
 * Numbers are always shown masked: the server never sends them in full here.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Layout, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { api, ApiError, type SessionUser } from '../api';
import { PageHeader } from '../reports/PageHeader';
import { dateTime } from '../time';

interface Mark {
  id: string;
  callerNumber: string;
  active: boolean;
  since: number;
  changedAt: number;
  reason: string | null;
  markedBy: string | null;
  sources: string[];
  withdrawal: { at: number; by: string; reason: string } | null;
}
interface AuditEntry {
  action: 'marked' | 'withdrawn';
  source: string | null;
  by: string | null;
  role: string | null;
  reason: string | null;
  at: number;
}
type State = 'active' | 'withdrawn' | 'all';

const ROLE_TEXT: Record<string, string> = { agent: '话务员', supervisor: '班长', admin: '管理员', unit_handler: '承办单位' };
const errText = (e: unknown): string => (e instanceof ApiError ? e.message : String(e));

/** order:<id> → 工单, call:<id> → 通话中标记, user:<id> → 人工标记. */
function sourceText(s: string): string {
  if (s.startsWith('order:')) return '工单标记';
  if (s.startsWith('call:')) return '通话中标记';
  if (s.startsWith('user:')) return '人工标记';
  return s;
}

function AuditList({ markId }: { markId: string }) {
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api<{ items: AuditEntry[] }>('GET', `/api/callers/confidential/${encodeURIComponent(markId)}/audit`).then((r) => setItems(r.items), (e: unknown) => setError(errText(e)));
  }, [markId]);
  if (error) return <Alert type="error" showIcon message={error} />;
  if (!items) return <Typography.Text type="secondary">正在读取…</Typography.Text>;
  return (
    <Table<AuditEntry> size="small" rowKey={(e) => `${e.at}-${e.action}`} pagination={false} dataSource={items} data-testid={`audit-${markId}`}
      columns={[
        { title: '时间', dataIndex: 'at', render: (v: number) => dateTime(v) },
        { title: '操作', dataIndex: 'action', render: (v: string) => (v === 'marked' ? '标记保密' : '撤销保密') },
        { title: '操作人', dataIndex: 'by', render: (v: string | null, e) => (v ? `${v}${e.role ? `（${ROLE_TEXT[e.role] ?? e.role}）` : ''}` : '系统') },
        { title: '来源', dataIndex: 'source', render: (v: string | null) => (v ? sourceText(v) : '—') },
        { title: '原因', dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
      ]} />
  );
}

export default function ConfidentialCallersPage(_props: { user: SessionUser }) {
  const [state, setState] = useState<State>('active');
  const [number, setNumber] = useState<string>('');
  const [items, setItems] = useState<Mark[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [withdrawing, setWithdrawing] = useState<Mark | null>(null);
  const [busy, setBusy] = useState(false);
  const [markForm] = Form.useForm<{ number: string; reason: string }>();
  const [withdrawForm] = Form.useForm<{ reason: string }>();

  const load = useCallback(() => {
    const q = new URLSearchParams({ state, page: String(page), pageSize: '20', ...(number ? { number } : {}) });
    void api<{ items: Mark[]; total: number }>('GET', `/api/callers/confidential?${q.toString()}`).then(
      (r) => {
        setItems(r.items);
        setTotal(r.total);
      },
      (e: unknown) => setError(errText(e)),
    );
  }, [state, number, page]);
  useEffect(load, [load]);

  const mark = async (v: { number: string; reason: string }) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      const m = await api<Mark>('POST', '/api/callers/confidential', { number: v.number.trim(), reason: v.reason.trim() });
      setDone(`已将 ${m.callerNumber} 标记为保密，此后来电将对非承办人员隐藏号码`);
      markForm.resetFields();
      load();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  const withdraw = async () => {
    if (!withdrawing) return;
    const v = await withdrawForm.validateFields();
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      const m = await api<Mark>('POST', `/api/callers/confidential/${encodeURIComponent(withdrawing.id)}/withdraw`, { reason: v.reason.trim() });
      setDone(`已撤销 ${m.callerNumber} 的保密标记：此后来电正常显示，此前的通话仍保密`);
      setWithdrawing(null);
      withdrawForm.resetFields();
      load();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <PageHeader title="12345 热线 · 保密来电人" />
      <Layout.Content style={{ padding: 12 }}>
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          <Card size="small" title="标记保密来电人">
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              来电人要求保密后，其号码在大屏、其他坐席和报表中对非承办人员隐藏，自下一次来电的第一个事件起生效。
            </Typography.Paragraph>
            <Form form={markForm} name="mark" layout="inline" onFinish={(v) => void mark(v)}>
              <Form.Item name="number" label="来电号码" rules={[{ required: true, message: '请填写来电号码' }, { pattern: /^[0-9+*#-]{5,32}$/, message: '号码格式不正确' }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name="reason" label="原因" rules={[{ required: true, whitespace: true, message: '请填写原因' }, { max: 200, message: '原因不超过200字' }]}>
                <Input style={{ width: 320 }} placeholder="如：来电人来信要求保密" />
              </Form.Item>
              <Button type="primary" htmlType="submit" disabled={busy}>标记保密</Button>
            </Form>
          </Card>
          {done && <Alert type="success" showIcon message={done} data-testid="confidential-done" />}
          {error && <Alert type="error" showIcon message={error} data-testid="confidential-error" />}
          <Card size="small" title="保密来电人名单">
            <Space wrap style={{ marginBottom: 8 }}>
              <div role="radiogroup" aria-label="状态">
                <Radio.Group optionType="button" size="small" value={state} onChange={(e) => { setState(e.target.value as State); setPage(1); }}
                  options={[{ value: 'active', label: '生效中' }, { value: 'withdrawn', label: '已撤销' }, { value: 'all', label: '全部' }]} />
              </div>
              <Input.Search aria-label="按号码查找" placeholder="输入完整号码查找" allowClear enterButton="查找" style={{ width: 300 }}
                onSearch={(q) => { setNumber(q.trim()); setPage(1); }} />
            </Space>
            <Table<Mark> size="small" rowKey="id" dataSource={items} data-testid="confidential-callers"
              pagination={{ current: page, pageSize: 20, total, onChange: setPage, showTotal: (t) => `共 ${t} 条` }}
              locale={{ emptyText: <span style={{ color: '#595959' }}>暂无保密来电人</span> }}
              expandable={{ expandedRowRender: (m) => <AuditList markId={m.id} />, expandRowByClick: false }}
              columns={[
                { title: '来电号码', dataIndex: 'callerNumber', render: (v: string) => <span className="figure">{v}</span> },
                { title: '状态', dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="#874d00">保密中</Tag> : <Tag>已撤销</Tag>) },
                { title: '标记时间', dataIndex: 'since', render: (v: number) => dateTime(v) },
                { title: '来源', dataIndex: 'sources', render: (s: string[]) => [...new Set(s.map(sourceText))].join('、') || '—' },
                { title: '原因', key: 'reason', render: (_v, m) => (m.withdrawal ? `撤销：${m.withdrawal.reason}` : (m.reason ?? '—')) },
                {
                  title: '操作', key: 'op',
                  render: (_v, m) => (m.active ? <Button size="small" danger onClick={() => setWithdrawing(m)}>撤销保密</Button> : <span style={{ color: '#595959' }}>{m.withdrawal ? dateTime(m.withdrawal.at) : ''}</span>),
                },
              ]} />
          </Card>
        </Space>
        <Modal open={withdrawing !== null} title={`撤销 ${withdrawing?.callerNumber ?? ''} 的保密标记`} okText="确认撤销" cancelText="取消" okButtonProps={{ danger: true, disabled: busy }}
          onOk={() => void withdraw().catch(() => undefined)} onCancel={() => setWithdrawing(null)} destroyOnHidden>
          <Typography.Paragraph>撤销后该来电人此后的来电将正常显示号码；此前的通话和保密工单仍保持保密。</Typography.Paragraph>
          <Form form={withdrawForm} name="withdraw" layout="vertical">
            <Form.Item name="reason" label="撤销原因" rules={[{ required: true, whitespace: true, message: '请填写撤销原因' }, { max: 200, message: '原因不超过200字' }]}>
              <Input />
            </Form.Item>
          </Form>
        </Modal>
      </Layout.Content>
    </Layout>
  );
}
