/**
 * 规则预设: every preset with the version in effect and the next one scheduled; editing the time
 * limits, the extension cap and the callback share stores a new version with an effective date
 * (the server keeps every version and checks the whole preset again).
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { api, ApiError } from '../api';
import { dateTime } from '../time';
import { TAG_BLUE, TAG_GREEN } from './tags';

interface PresetSummary {
  id: string;
  name: string;
  version: number;
  effectiveFrom: string | null;
  scheduled: { version: number; effectiveFrom: string } | null;
  active: boolean;
}

interface VersionRow {
  version: number;
  name: string;
  builtIn: boolean;
  effectiveFrom: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  inEffect: boolean;
}

interface Rule {
  id: string;
  stage: string;
  urgencies?: string[];
  categories?: string[];
  limit: number;
  unit: string;
  source: string;
}

interface Preset {
  id: string;
  name: string;
  version: number;
  rules: Rule[];
  extension: { maxCount: number | null; source: string };
  callback: { samplingRate: number; source: string };
  [k: string]: unknown;
}

const STAGE_TEXT: Record<string, string> = {
  dispatch: '派单', sign: '签收', firstContact: '先行联系', return: '退单', complete: '办结', feedback: '反馈', callback: '回访',
};
const UNIT_TEXT: Record<string, string> = { minutes: '分钟', hours: '小时', naturalDays: '自然日', workingDays: '工作日' };

/** Today in Asia/Shanghai, YYYY-MM-DD. */
const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const dateText = (iso: string | null): string => (iso ? dateTime(Date.parse(iso)).slice(0, 10) : '内置（自始生效）');

/** The server's refusal of a field, in Chinese (the preset's own fields by their labels on this form). */
function presetFieldText(field: string | undefined): string {
  if (!field) return '预设';
  const rule = /^body\.rules\.(\d+)\.(\w+)$/.exec(field);
  if (rule) return `第${Number(rule[1]) + 1}条时限规则（${rule[2] === 'limit' ? '时限' : rule[2]}）`;
  const known: Record<string, string> = {
    'body.version': '版本号', 'body.effectiveFrom': '生效日期', 'body.name': '名称', 'body.rules': '时限规则',
    'body.extension.maxCount': '延期次数上限', 'body.callback.samplingRate': '回访抽样比例',
  };
  return known[field] ?? field.replace(/^body\./, '');
}

interface FormValues {
  name: string;
  version: number;
  effectiveFrom: string;
  limits: number[];
  maxExtensions: number | null;
  samplingRate: number;
}

function PresetEditor({ id, onSaved }: { id: string; onSaved: () => void }) {
  const [saved, setSaved] = useState<string | null>(null);
  const [preset, setPreset] = useState<Preset | null>(null);
  const [versions, setVersions] = useState<VersionRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<FormValues>();
  const latest = versions.reduce((m, v) => Math.max(m, v.version), 0);

  const load = useCallback(async () => {
    const [p, v] = await Promise.all([api<Preset>('GET', `/api/presets/${id}`), api<{ items: VersionRow[] }>('GET', `/api/presets/${id}/versions`)]);
    setPreset(p);
    setVersions(v.items);
    const next = v.items.reduce((m, x) => Math.max(m, x.version), 0) + 1;
    form.setFieldsValue({
      name: p.name, version: next, effectiveFrom: today(), limits: p.rules.map((r) => r.limit),
      maxExtensions: p.extension.maxCount, samplingRate: p.callback.samplingRate,
    });
  }, [id, form]);

  useEffect(() => {
    setError(null);
    void load().catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [load]);

  const submit = async (v: FormValues) => {
    if (!preset) return;
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      const body = {
        ...preset, name: v.name, version: v.version, effectiveFrom: v.effectiveFrom,
        rules: preset.rules.map((r, i) => ({ ...r, limit: v.limits[i] ?? r.limit })),
        extension: { ...preset.extension, maxCount: v.maxExtensions ?? null },
        callback: { ...preset.callback, samplingRate: v.samplingRate },
      };
      await api('PUT', `/api/presets/${id}`, body);
      setSaved(`已保存版本 ${v.version}，自 ${v.effectiveFrom} 起生效`);
      await load();
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setError(`${presetFieldText(e.field)}冲突：版本号须大于已保存的所有版本`);
      else if (e instanceof ApiError && e.status === 400) setError(`未通过校验：${presetFieldText(e.field)}取值无效`);
      else setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  if (!preset) return error ? <Alert type="error" showIcon message={error} /> : null;
  return (
    <Card size="small" title={<Typography.Title level={3} style={{ fontSize: 15, margin: 0 }}>编辑预设：{preset.name}（{id}）</Typography.Title>} data-testid="preset-editor">
      <Form<FormValues> form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark>
        <Space wrap align="start" size={16}>
          <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
            <Input style={{ width: 320 }} />
          </Form.Item>
          <Form.Item name="version" label="新版本号" rules={[
            { required: true, message: '请填写版本号' },
            { validator: async (_, x: number | null) => { if (x !== null && x !== undefined && (!Number.isInteger(x) || x <= latest)) throw new Error(`版本号须为大于 ${latest} 的整数`); } },
          ]}>
            <InputNumber style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="effectiveFrom" label="生效日期" rules={[
            { required: true, message: '请选择生效日期' },
            { validator: async (_, x: string) => { if (x && x < today()) throw new Error('生效日期不得早于今天'); } },
          ]}>
            <Input type="date" min={today()} style={{ width: 170 }} />
          </Form.Item>
          <Form.Item name="maxExtensions" label="延期次数上限（空为不限）" rules={[
            { validator: async (_, x: number | null) => { if (x !== null && x !== undefined && (!Number.isInteger(x) || x < 0)) throw new Error('延期次数上限须为不小于0的整数'); } },
          ]}>
            <InputNumber style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="samplingRate" label="回访抽样比例（0～1）" rules={[
            { required: true, message: '请填写回访抽样比例' },
            { validator: async (_, x: number | null) => { if (x !== null && x !== undefined && (x < 0 || x > 1)) throw new Error('回访抽样比例须在0到1之间'); } },
          ]}>
            <InputNumber step={0.05} style={{ width: 120 }} />
          </Form.Item>
        </Space>
        <Table<Rule>
          size="small" rowKey="id" pagination={false} dataSource={preset.rules} scroll={{ x: true }}
          columns={[
            { title: '规则', dataIndex: 'id' },
            { title: '环节', dataIndex: 'stage', render: (s: string) => STAGE_TEXT[s] ?? s },
            { title: '适用', render: (_, r) => [...(r.urgencies ?? []), ...(r.categories ?? [])].join('、') || '全部' },
            {
              title: '时限', render: (_, r, i) => (
                <Form.Item name={['limits', i]} style={{ margin: 0 }} rules={[
                  { required: true, message: '请填写时限' },
                  { validator: async (_, x: number | null) => {
                    if (x === null || x === undefined) return;
                    if (!(x > 0)) throw new Error('时限须为大于0的数');
                    if (r.unit === 'workingDays' && !Number.isInteger(x)) throw new Error('工作日时限须为整数');
                  } },
                ]}>
                  <InputNumber aria-label={`时限-${r.id}`} style={{ width: 110 }} addonAfter={UNIT_TEXT[r.unit] ?? r.unit} />
                </Form.Item>
              ),
            },
            { title: '依据', dataIndex: 'source', ellipsis: true },
          ]}
        />
        {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} data-testid="preset-error" />}
        {saved && <Alert style={{ marginTop: 12 }} type="success" showIcon message={saved} data-testid="preset-saved" />}
        <Button style={{ marginTop: 12 }} type="primary" htmlType="submit" loading={saving}>保存为新版本</Button>
      </Form>
      <Typography.Title level={4} style={{ fontSize: 14, marginTop: 16 }}>版本记录</Typography.Title>
      <Table<VersionRow>
        size="small" rowKey="version" pagination={false} dataSource={versions} data-testid="preset-versions"
        columns={[
          { title: '版本', dataIndex: 'version' },
          { title: '名称', dataIndex: 'name' },
          { title: '生效日期', dataIndex: 'effectiveFrom', render: dateText },
          { title: '状态', render: (_, v) => (v.inEffect ? <Tag color={TAG_GREEN}>生效中</Tag> : v.effectiveFrom && Date.parse(v.effectiveFrom) > Date.now() ? <Tag color={TAG_BLUE}>待生效</Tag> : <Tag>已被替代</Tag>) },
          { title: '保存人', dataIndex: 'updatedBy', render: (x: string | null) => x ?? '—' },
          { title: '保存时间', dataIndex: 'updatedAt', render: (x: string | null) => (x ? dateTime(Date.parse(x)) : '—') },
        ]}
      />
    </Card>
  );
}

export function PresetsTab() {
  const [items, setItems] = useState<PresetSummary[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const load = useCallback(() => {
    void api<{ items: PresetSummary[] }>('GET', '/api/presets').then((r) => setItems(r.items), () => undefined);
  }, []);
  useEffect(load, [load]);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Table<PresetSummary>
        size="small" rowKey="id" pagination={false} dataSource={items} data-testid="presets"
        columns={[
          { title: '名称', dataIndex: 'name', render: (n: string, p) => <Space>{n}{p.active && <Tag color={TAG_GREEN}>当前使用</Tag>}</Space> },
          { title: '标识', dataIndex: 'id' },
          { title: '生效版本', dataIndex: 'version' },
          { title: '生效日期', dataIndex: 'effectiveFrom', render: dateText },
          { title: '待生效', render: (_, p) => (p.scheduled ? `版本 ${p.scheduled.version}，${dateText(p.scheduled.effectiveFrom)} 起` : '—') },
          { title: '操作', render: (_, p) => <Button size="small" onClick={() => setEditing(p.id)} aria-label={`编辑 ${p.name}`}>编辑</Button> },
        ]}
      />
      {editing && <PresetEditor key={editing} id={editing} onSaved={load} />}
    </Space>
  );
}
