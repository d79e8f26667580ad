/**
 * 工作日历: the years with official data (others are counted Mon–Fri, provisional) and a form to
 * add or correct a year from the State Council notice. Storing a year makes the server count the
 * open orders' provisional deadlines again; the answer says how many changed.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, InputNumber, Space, Table, Typography } from 'antd';
import { api, ApiError } from '../api';

interface YearSummary {
  year: number;
  version: number;
  source: { title: string; publishedOn: string; documentNo?: string };
  holidays: number;
  makeUpWorkdays: number;
}

interface Holiday {
  name: string;
  from: string;
  to: string;
}

interface FormValues {
  year: number;
  version: number;
  title: string;
  publishedOn: string;
  documentNo?: string;
  holidays: Holiday[];
  makeUp?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function CalendarTab() {
  const [items, setItems] = useState<YearSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [form] = Form.useForm<FormValues>();
  const load = useCallback(() => {
    void api<{ items: YearSummary[] }>('GET', '/api/calendar/years').then((r) => setItems(r.items), () => undefined);
  }, []);
  useEffect(load, [load]);

  const submit = async (v: FormValues) => {
    setError(null);
    setResult(null);
    const makeUpWorkdays = (v.makeUp ?? '').split(/[\s,，、]+/).filter(Boolean);
    const bad = makeUpWorkdays.find((d) => !DATE.test(d));
    if (bad) {
      setError(`调休上班日“${bad}”不是日期（格式 2027-02-07）`);
      return;
    }
    try {
      const r = await api<YearSummary & { provisionalDeadlines: { examined: number; changed: number } }>('PUT', `/api/calendar/years/${v.year}`, {
        year: v.year, version: v.version,
        source: { title: v.title, publishedOn: v.publishedOn, ...(v.documentNo ? { documentNo: v.documentNo } : {}) },
        holidays: v.holidays, makeUpWorkdays,
      });
      const text = `已录入 ${r.year} 年日历（版本 ${r.version}，节假日 ${r.holidays} 段，调休上班 ${r.makeUpWorkdays} 天）；重算临时期限：检查 ${r.provisionalDeadlines.examined} 件，变更 ${r.provisionalDeadlines.changed} 件`;
      setResult(text);
      load();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setError('该年份已有相同或更新的版本，请提高版本号');
      else if (e instanceof ApiError && e.status === 400) setError(`未通过校验：${(e.field ?? '').replace(/^body\./, '') || '日历数据'}取值无效（日期须在该年内、起止有序、不得重叠）`);
      else setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Alert type="info" showIcon message="未录入官方数据的年份按周一至周五推算工作日，期限标为“临时”；录入该年日历后，系统自动重算所有未办结工单的临时期限并通知承办单位。" />
      <Table<YearSummary>
        size="small" rowKey="year" pagination={false} dataSource={items} data-testid="calendar-years"
        columns={[
          { title: '年份', dataIndex: 'year' },
          { title: '版本', dataIndex: 'version' },
          { title: '依据', render: (_, y) => `${y.source.title}${y.source.documentNo ? `（${y.source.documentNo}）` : ''}` },
          { title: '发布日期', render: (_, y) => y.source.publishedOn },
          { title: '节假日（段）', dataIndex: 'holidays' },
          { title: '调休上班（天）', dataIndex: 'makeUpWorkdays' },
        ]}
      />
      <Card size="small" title={<Typography.Title level={3} style={{ fontSize: 15, margin: 0 }}>录入或更正一年的官方日历</Typography.Title>}>
        <Form<FormValues> form={form} layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ version: 1, holidays: [{ name: '', from: '', to: '' }] }}>
          <Space wrap align="start" size={16}>
            <Form.Item name="year" label="年份" rules={[{ required: true, message: '请填写年份' }, { type: 'integer', min: 1949, max: 2200, message: '年份须在1949到2200之间' }]}>
              <InputNumber style={{ width: 110 }} />
            </Form.Item>
            <Form.Item name="version" label="版本" rules={[{ required: true, message: '请填写版本' }, { type: 'integer', min: 1, message: '版本须为正整数' }]}>
              <InputNumber style={{ width: 90 }} />
            </Form.Item>
            <Form.Item name="title" label="通知标题" rules={[{ required: true, whitespace: true, message: '请填写通知标题' }]}>
              <Input style={{ width: 360 }} placeholder="国务院办公厅关于2027年部分节假日安排的通知" />
            </Form.Item>
            <Form.Item name="documentNo" label="文号">
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="publishedOn" label="发布日期" rules={[{ required: true, message: '请选择发布日期' }]}>
              <Input type="date" style={{ width: 170 }} />
            </Form.Item>
          </Space>
          <Form.List name="holidays">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Space key={f.key} align="start" wrap>
                    <Form.Item name={[f.name, 'name']} label={`节日${i + 1}名称`} rules={[{ required: true, whitespace: true, message: '请填写节日名称' }]}>
                      <Input style={{ width: 140 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'from']} label={`节日${i + 1}放假开始`} rules={[{ required: true, message: '请选择开始日期' }]}>
                      <Input type="date" style={{ width: 170 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'to']} label={`节日${i + 1}放假结束`} rules={[
                      { required: true, message: '请选择结束日期' },
                      ({ getFieldValue }) => ({ validator: async (_, x: string) => {
                        const from = getFieldValue(['holidays', f.name, 'from']) as string | undefined;
                        if (x && from && x < from) throw new Error('结束日期不得早于开始日期');
                      } }),
                    ]}>
                      <Input type="date" style={{ width: 170 }} />
                    </Form.Item>
                    {fields.length > 1 && <Button style={{ marginTop: 30 }} onClick={() => remove(f.name)}>删除</Button>}
                  </Space>
                ))}
                <Button onClick={() => add({ name: '', from: '', to: '' })}>添加节日</Button>
              </>
            )}
          </Form.List>
          <Form.Item name="makeUp" label="调休上班日（周末上班的日期，空格或逗号分隔）" style={{ marginTop: 12 }}>
            <Input.TextArea rows={2} placeholder="2027-02-07, 2027-02-20" />
          </Form.Item>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="calendar-error" />}
          {result && <Alert type="success" showIcon message={result} style={{ marginBottom: 12 }} data-testid="calendar-result" />}
          <Button type="primary" htmlType="submit">保存日历</Button>
        </Form>
      </Card>
    </Space>
  );
}
