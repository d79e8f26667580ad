/**
 * 承办单位 (unit directory): each unit's name, short name and contact as every console shows them,
 * and whether orders may be dispatched to it. Unit ids are what orders and handlers' accounts carry,
 * so an id is chosen once and never changed.
 */
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, Space, Table, Tag } from 'antd';
import { api, ApiError } from '../api';
import { loadUnits, useUnits, type UnitInfo } from '../units';
import { TAG_GREEN } from './tags';

interface UnitForm {
  id: string;
  name: string;
  shortName?: string;
  contact?: string;
  enabled: boolean;
}

const EMPTY: Partial<UnitForm> = { id: '', name: '', shortName: '', contact: '', enabled: true };

export function UnitsTab() {
  const { units } = useUnits();
  const [editing, setEditing] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<UnitForm>();

  const edit = (u: UnitInfo) => {
    setEditing(u.id);
    setDone(null);
    setError(null);
    form.setFieldsValue({ id: u.id, name: u.name, shortName: u.shortName ?? '', contact: u.contact ?? '', enabled: u.enabled });
  };
  const reset = () => {
    setEditing(null);
    form.setFieldsValue(EMPTY);
  };
  const save = async (v: UnitForm) => {
    setDone(null);
    setError(null);
    const body = { name: v.name, shortName: v.shortName?.trim() || null, contact: v.contact?.trim() || null, enabled: v.enabled };
    try {
      if (editing) await api('PUT', `/api/units/${encodeURIComponent(editing)}`, body);
      else await api('POST', '/api/units', { id: v.id, ...body });
      setDone(editing ? `已保存承办单位 ${v.name}` : `已新建承办单位 ${v.name}`);
      reset();
      await loadUnits(true);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? '单位编号已存在' : e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Table<UnitInfo> size="small" rowKey="id" dataSource={units} pagination={{ pageSize: 20 }} data-testid="units-admin"
        onRow={(u) => ({ 'data-testid': `unit-${u.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '单位编号', dataIndex: 'id' },
          { title: '单位名称', dataIndex: 'name' },
          { title: '简称', dataIndex: 'shortName', render: (x: string | null) => x ?? '—' },
          { title: '联系方式', dataIndex: 'contact', render: (x: string | null) => x ?? '—' },
          { title: '承办人员', dataIndex: 'handlers', render: (h: string[]) => (h.length > 0 ? h.join('、') : '—') },
          { title: '接收派单', dataIndex: 'enabled', render: (on: boolean) => (on ? <Tag color={TAG_GREEN}>启用</Tag> : <Tag>停用</Tag>) },
          { title: '操作', render: (_: unknown, u) => <Button size="small" onClick={() => edit(u)} aria-label={`编辑 ${u.name}`}>编辑</Button> },
        ]} />
      <Card size="small" title={editing ? `编辑承办单位（${editing}）` : '新建承办单位'}>
        <Form form={form} layout="inline" initialValues={EMPTY} onFinish={(v) => void save(v)}>
          <Form.Item name="id" label="单位编号" rules={[{ required: true, message: '请填写单位编号' }, { pattern: /^[A-Za-z0-9._:@-]{1,128}$/, message: '单位编号为字母、数字或 . _ : @ -' }]}>
            <Input disabled={editing !== null} />
          </Form.Item>
          <Form.Item name="name" label="单位名称" rules={[{ required: true, whitespace: true, message: '请填写单位名称' }, { max: 64, message: '单位名称不超过64字' }]}><Input /></Form.Item>
          <Form.Item name="shortName" label="简称" rules={[{ max: 16, message: '简称不超过16字' }]}><Input /></Form.Item>
          <Form.Item name="contact" label="联系方式" rules={[{ max: 64, message: '联系方式不超过64字' }]}><Input placeholder="联系人及电话" /></Form.Item>
          <Form.Item name="enabled" valuePropName="checked"><Checkbox>接收派单</Checkbox></Form.Item>
          <Button type="primary" htmlType="submit">{editing ? '保存' : '新建'}</Button>
          {editing && <Button style={{ marginLeft: 8 }} onClick={reset}>取消编辑</Button>}
        </Form>
        {done && <Alert style={{ marginTop: 12 }} type="success" showIcon message={done} data-testid="unit-saved" />}
        {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
      </Card>
    </Space>
  );
}
