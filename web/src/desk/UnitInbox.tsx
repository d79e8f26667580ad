/**
 * 承办单位工作台 (unit inbox): the unit's orders soonest due first (the server narrows the radar to
 * the unit), 签收, 先行联系 log, 回复/办结 with the report the preset requires, 申请延期 and 退单 with
 * the preset's guard shown before submitting (a dry run of the same state machine), the server's
 * refusal in Chinese when it still refuses, and live notices from the unit's room.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Drawer, Empty, Form, Input, InputNumber, List, Radio, Space, Tag, Typography, Upload } from 'antd';
import { ApiError, type SessionUser } from '../api';
import { useNow } from '../hooks';
import { clockTime } from '../time';
import { act, getOrder, orderFiles, preview, radar, uploadEvidence, type EvidenceFile, type Limits, type Order, type Preview, type RadarRow } from './deskApi';
import { OrderDetail } from './OrderDetail';
import { useUnits } from '../units';
import { RadarTable, useOrderNotices } from './common';
import { FILE_KIND_TEXT, REPORT_FIELDS, RETURN_REASON_TEXT, guardText, unitText, uploadErrorText } from './deskTexts';

const PAGE_SIZE = 20;

export default function UnitInbox({ user }: { user: SessionUser }) {
  const { message } = AntApp.useApp();
  const now = useNow(30_000);
  const [rows, setRows] = useState<RadarRow[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [loading, setLoading] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const notices = useOrderNotices(false, refresh);
  const { name: unitName } = useUnits();

  useEffect(() => {
    setLoading(true);
    radar({ page, pageSize: PAGE_SIZE })
      .then((r) => {
        setRows(r.items);
        setTotal(r.total);
      }, (e: unknown) => void message.error((e as Error).message))
      .finally(() => setLoading(false));
  }, [page, tick, message]);

  return (
    <div style={{ padding: 16, display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 300px', gap: 16 }}>
      <div>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          承办单位工作台 <Typography.Text type="secondary" data-testid="inbox-unit">（{user.unitId ? unitName(user.unitId) : '未设置单位'}）</Typography.Text>
        </Typography.Title>
        <RadarTable
          testId="inbox"
          rows={rows}
          loading={loading}
          now={now}
          unitId={user.unitId ?? null}
          onOpen={(r) => setOpenId(r.id)}
          paging={{ page, pageSize: PAGE_SIZE, total, onChange: (p) => setPage(p) }}
        />
      </div>
      <Card size="small" title="实时通知" data-testid="unit-notices">
        {notices.length === 0 ? (
          <Typography.Text type="secondary">暂无通知</Typography.Text>
        ) : (
          <List size="small" dataSource={notices} renderItem={(n) => <List.Item key={n.key}>{clockTime(n.at)} {n.text}</List.Item>} />
        )}
      </Card>
      <Drawer open={openId !== null} onClose={() => setOpenId(null)} width={880} title="工单办理" destroyOnClose>
        {openId && <UnitOrder id={openId} unitId={user.unitId ?? null} tick={tick} onDone={refresh} />}
      </Drawer>
    </div>
  );
}

function useAct(order: Order | null, setOrder: (o: Order) => void, onDone: () => void, limits: Limits | null) {
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const run = async (action: Record<string, unknown>, ok: string): Promise<boolean> => {
    if (!order) return false;
    setBusy(true);
    setRefusal(null);
    try {
      const o = await act(order.id, { ...action, rev: order.rev });
      setOrder(o);
      void message.success(ok);
      onDone();
      return true;
    } catch (e) {
      // The server's refusal, in the same words as the guard shown before submitting.
      const text = e instanceof ApiError && e.reasonCode ? guardText(e.reasonCode, limits) : (e as Error).message;
      setRefusal(text);
      void message.error(text);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, refusal, run, clear: () => setRefusal(null) };
}

function UnitOrder({ id, unitId, tick, onDone }: { id: string; unitId: string | null; tick: number; onDone: () => void }) {
  const [order, setOrder] = useState<Order | null>(null);
  useEffect(() => {
    getOrder(id).then(setOrder, () => setOrder(null));
  }, [id, tick]);
  if (!order) return <Empty description="加载中…" />;
  const lead = order.leadUnitId === unitId;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {!lead && <Alert type="info" showIcon message="本单位为协办单位：请配合主办单位办理，办理结果由主办单位回复。" />}
      {lead && <LeadActions order={order} setOrder={setOrder} onDone={onDone} />}
      <OrderDetail order={order} />
    </Space>
  );
}

function LeadActions({ order, setOrder, onDone }: { order: Order; setOrder: (o: Order) => void; onDone: () => void }) {
  const [limits, setLimits] = useState<Limits | null>(null);
  const a = useAct(order, setOrder, onDone, limits);
  const s = order.status;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {a.refusal && <Alert type="error" showIcon message={`未通过：${a.refusal}`} data-testid="server-refusal" />}
      {s === 'PENDING_SIGN' && (
        <Card size="small" title="签收">
          <Button type="primary" disabled={a.busy} onClick={() => void a.run({ type: 'sign' }, '已签收')}>
            签收
          </Button>
        </Card>
      )}
      {(s === 'IN_PROGRESS' || s === 'EXTENSION_REQUESTED') && <ContactCard order={order} run={a.run} busy={a.busy} />}
      {s === 'IN_PROGRESS' && <ExtensionCard order={order} run={a.run} busy={a.busy} onLimits={setLimits} />}
      {(s === 'PENDING_SIGN' || s === 'IN_PROGRESS') && <ReturnCard order={order} run={a.run} busy={a.busy} onLimits={setLimits} />}
      {s === 'IN_PROGRESS' && <CompleteCard run={a.run} busy={a.busy} />}
      {s === 'PENDING_FEEDBACK' && (
        <Card size="small" title="反馈来电人">
          <Button type="primary" disabled={a.busy} onClick={() => void a.run({ type: 'recordFeedback', channel: 'phone' }, '已登记反馈')}>
            已电话反馈来电人
          </Button>
        </Card>
      )}
      {s === 'EXTENSION_REQUESTED' && <Alert type="info" showIcon message="延期申请待审核" />}
      {s === 'RETURN_REQUESTED' && <Alert type="info" showIcon message="退单申请待审核" />}
      {s === 'PENDING_REVIEW' && <Alert type="info" showIcon message="办理结果待审核" />}
    </Space>
  );
}

type Run = (action: Record<string, unknown>, ok: string) => Promise<boolean>;

function ContactCard({ order, run, busy }: { order: Order; run: Run; busy: boolean }) {
  const [channel, setChannel] = useState<'phone' | 'sms'>('phone');
  const [reached, setReached] = useState(true);
  const [note, setNote] = useState('');
  return (
    <Card size="small" title={`先行联系${order.firstContactAt ? '（已联系）' : ''}`} data-testid="contact-card">
      <Space wrap>
        <Radio.Group aria-label="联系方式" value={channel} onChange={(e) => setChannel(e.target.value as 'phone' | 'sms')} options={[{ value: 'phone', label: '电话' }, { value: 'sms', label: '短信' }]} />
        <Checkbox checked={reached} onChange={(e) => setReached(e.target.checked)}>
          已联系上来电人
        </Checkbox>
        <Input aria-label="联系情况" placeholder="联系情况" value={note} onChange={(e) => setNote(e.target.value)} style={{ width: 280 }} />
        <Button disabled={busy} onClick={() => void run({ type: 'recordContactAttempt', channel, reached, ...(note.trim() ? { note: note.trim() } : {}) }, '已记录联系情况').then((ok) => ok && setNote(''))}>
          记录联系
        </Button>
      </Space>
      {order.contactAttempts.length > 0 && (
        <ul data-testid="contact-log" style={{ margin: '8px 0 0', paddingLeft: 18 }}>
          {order.contactAttempts.map((c) => (
            <li key={c.at}>
              {clockTime(Date.parse(c.at))} {c.channel === 'phone' ? '电话' : '短信'} {c.reached ? '已联系上' : '未联系上'} {c.note ?? ''}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function useGuard(order: Order, action: Record<string, unknown> | null, onLimits: (l: Limits) => void): Preview | null {
  const [pv, setPv] = useState<Preview | null>(null);
  const key = JSON.stringify(action);
  useEffect(() => {
    if (!action) return setPv(null);
    let live = true;
    preview(order.id, action).then(
      (p) => {
        if (!live) return;
        setPv(p);
        onLimits(p.limits);
      },
      () => live && setPv(null),
    );
    return () => {
      live = false;
    };
  }, [order.id, order.rev, key]);
  return pv;
}

function ExtensionCard({ order, run, busy, onLimits }: { order: Order; run: Run; busy: boolean; onLimits: (l: Limits) => void }) {
  const [step, setStep] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  // Before a step is chosen the guard is asked with the smallest step the preset allows (known from
  // the first answer), so 已延期过一次 or 距到期不足N个工作日 shows as soon as the card opens.
  const [probe, setProbe] = useState(1);
  const pv = useGuard(order, { type: 'requestExtension', step: step ?? probe, reason: reason.trim() || '（预检）' }, onLimits);
  const steps = pv?.limits.extension.allowedSteps;
  useEffect(() => {
    if (steps && steps[0] !== undefined && steps[0] !== probe) setProbe(steps[0]);
  }, [steps, probe]);
  const unit = unitText(pv?.limits.extension.unit ?? 'workingDays');
  const guard = pv && !pv.allowed && (step !== null || pv.code !== 'WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED') ? guardText(pv.code, pv.limits) : null;
  return (
    <Card size="small" title="申请延期" data-testid="extension-card">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          {steps ? `可申请 ${steps.join('/')}${unit}` : `单位：${unit}`}
          {pv ? `；到期前${pv.limits.extension.notWithinWorkingDaysOfDeadline}个工作日内不再受理延期` : ''}
          {pv?.limits.extension.maxCount !== null && pv ? `；最多${pv.limits.extension.maxCount}次` : ''}
        </Typography.Text>
        {guard && <Alert type="warning" showIcon message={guard} data-testid="extension-guard" />}
        {pv && pv.allowed && step !== null && <Alert type="success" showIcon message="符合延期规定，可以提交" data-testid="extension-ok" />}
        <Space wrap>
          <label>
            延期时长（{unit}）{' '}
            <InputNumber aria-label="延期时长" min={1} max={365} value={step} onChange={(v) => setStep(typeof v === 'number' ? v : null)} />
          </label>
          <Input aria-label="延期理由" placeholder="延期理由" value={reason} onChange={(e) => setReason(e.target.value)} style={{ width: 320 }} />
          <Button disabled={busy || step === null || !reason.trim()} onClick={() => void run({ type: 'requestExtension', step, reason: reason.trim() }, '延期申请已提交')}>
            提交延期申请
          </Button>
        </Space>
      </Space>
    </Card>
  );
}

function ReturnCard({ order, run, busy, onLimits }: { order: Order; run: Run; busy: boolean; onLimits: (l: Limits) => void }) {
  const { message } = AntApp.useApp();
  const [reason, setReason] = useState('notOurDuty');
  const [explanation, setExplanation] = useState('');
  const [open, setOpen] = useState(false);
  // The evidence (依据) sent with the return: files uploaded to the order for this step.
  const [files, setFiles] = useState<EvidenceFile[]>([]);
  const [uploading, setUploading] = useState(0);
  useEffect(() => {
    if (!open) return;
    // Files uploaded for a return earlier (a page reload) are offered again.
    orderFiles(order.id).then((all) => setFiles((now) => (now.length > 0 ? now : all.filter((f) => f.step === 'return'))), () => undefined);
  }, [open, order.id]);
  const evidence = files.map((f) => ({ id: f.id }));
  const pv = useGuard(order, open ? { type: 'requestReturn', reason, explanation: explanation.trim() || '（预检）', evidence } : null, onLimits);
  const add = async (file: File) => {
    setUploading((n) => n + 1);
    try {
      const stored = await uploadEvidence(order.id, 'return', file);
      setFiles((now) => [...now, stored]);
    } catch (e) {
      void message.error(`${file.name}：${e instanceof ApiError ? uploadErrorText(e.status, e.message) : (e as Error).message}`);
    } finally {
      setUploading((n) => n - 1);
    }
  };
  return (
    <Card size="small" title="退单" data-testid="return-card" extra={!open && <Button size="small" onClick={() => setOpen(true)}>申请退单</Button>}>
      {open && (
        <Space direction="vertical" style={{ width: '100%' }}>
          {pv && !pv.allowed && <Alert type="warning" showIcon message={guardText(pv.code, pv.limits)} data-testid="return-guard" />}
          <Radio.Group aria-label="退单理由" value={reason} onChange={(e) => setReason(e.target.value as string)} options={Object.entries(RETURN_REASON_TEXT).map(([value, label]) => ({ value, label }))} />
          <Input.TextArea aria-label="退单说明" placeholder="退单说明及依据" rows={2} value={explanation} onChange={(e) => setExplanation(e.target.value)} />
          <Upload
            multiple
            showUploadList={false}
            accept="image/jpeg,image/png,image/webp,application/pdf,audio/wav,audio/mpeg,audio/ogg"
            customRequest={(o) => void add(o.file as File).finally(() => o.onSuccess?.({}))}
          >
            <Button loading={uploading > 0}>上传依据（现场照片、文件、录音）</Button>
          </Upload>
          <List
            size="small"
            bordered
            data-testid="return-evidence"
            locale={{ emptyText: '尚未附依据' }}
            dataSource={files}
            renderItem={(f) => (
              <List.Item key={f.id} actions={[<Button key="remove" size="small" type="link" style={{ color: '#a8071a' }} onClick={() => setFiles((now) => now.filter((x) => x.id !== f.id))}>移除</Button>]}>
                <Space>
                  <Tag>{FILE_KIND_TEXT[f.kind] ?? f.kind}</Tag>
                  <span data-testid="evidence-name">{f.name}</span>
                  <Typography.Text type="secondary">{Math.max(1, Math.round(f.size / 1024))} KB</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          <Button disabled={busy || uploading > 0 || !explanation.trim()} onClick={() => void run({ type: 'requestReturn', reason, explanation: explanation.trim(), evidence }, '退单申请已提交')}>
            提交退单申请
          </Button>
        </Space>
      )}
    </Card>
  );
}

function CompleteCard({ run, busy }: { run: Run; busy: boolean }) {
  const [form] = Form.useForm();
  const submit = async () => {
    const v = (await form.validateFields()) as Record<string, string>;
    const { summary, ...report } = v;
    await run({ type: 'complete', summary, report }, '已回复办结，待审核');
  };
  return (
    <Card size="small" title="回复/办结" data-testid="complete-card">
      <Form form={form} layout="vertical" size="small" requiredMark>
        <Form.Item label="办理结果摘要" name="summary" rules={[{ required: true, message: '请填写办理结果摘要' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', columnGap: 8 }}>
          {REPORT_FIELDS.map(([name, label]) => (
            <Form.Item key={name} label={label} name={name} rules={[{ required: true, message: `请填写${label}` }]}>
              <Input />
            </Form.Item>
          ))}
        </div>
        <Button type="primary" disabled={busy} onClick={() => void submit().catch(() => undefined)}>
          提交办结
        </Button>
      </Form>
    </Card>
  );
}
