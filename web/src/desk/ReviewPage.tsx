/**
 * 审核与回访 (review and callback): reviewers approve or reject extension requests, returns and the
 * units' replies, and record callbacks on the national five-level scale; what the preset makes of
 * the answer (办结 or 重办) is shown before it is recorded, from a dry run of the state machine.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Drawer, Empty, Input, Radio, Space, Tabs, Typography } from 'antd';
import { ApiError } from '../api';
import { useNow } from '../hooks';
import { ORDER_STATUS_TEXT } from '../texts';
import { act, getOrder, preview, radar, type Order, type Preview, type RadarRow } from './deskApi';
import { DeadlineTable, OrderDetail } from './OrderDetail';
import { RadarTable, useOrderNotices } from './common';
import { REPORT_FIELDS, RETURN_REASON_TEXT, SATISFACTION_LEVELS, guardText, unitText } from './deskTexts';

const REVIEW = ['EXTENSION_REQUESTED', 'RETURN_REQUESTED', 'PENDING_REVIEW'];
const CALLBACK = ['PENDING_CALLBACK'];

export default function ReviewPage() {
  const { message } = AntApp.useApp();
  const now = useNow(30_000);
  const [tab, setTab] = useState('review');
  const [review, setReview] = useState<RadarRow[]>([]);
  const [callbacks, setCallbacks] = useState<RadarRow[]>([]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useOrderNotices(true, refresh);

  useEffect(() => {
    const fail = (e: unknown) => void message.error((e as Error).message);
    radar({ status: REVIEW, pageSize: 100 }).then((r) => setReview(r.items), fail);
    radar({ status: CALLBACK, pageSize: 100 }).then((r) => setCallbacks(r.items), fail);
  }, [tick, message]);

  return (
    <div style={{ padding: 16 }}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        审核与回访
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'review', label: `待审核（${review.length}）`, children: <RadarTable testId="review-list" rows={review} loading={false} now={now} onOpen={(r) => setOpenId(r.id)} /> },
          { key: 'callback', label: `待回访（${callbacks.length}）`, children: <RadarTable testId="callback-list" rows={callbacks} loading={false} now={now} onOpen={(r) => setOpenId(r.id)} /> },
        ]}
      />
      <Drawer open={openId !== null} onClose={() => setOpenId(null)} width={880} title="审核与回访" destroyOnClose>
        {openId && <ReviewOrder id={openId} tick={tick} onDone={refresh} />}
      </Drawer>
    </div>
  );
}

function ReviewOrder({ id, tick, onDone }: { id: string; tick: number; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [order, setOrder] = useState<Order | null>(null);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState('');
  useEffect(() => {
    getOrder(id).then(setOrder, () => setOrder(null));
  }, [id, tick]);
  const run = async (action: Record<string, unknown>, ok: string) => {
    if (!order) return;
    setBusy(true);
    try {
      const o = await act(order.id, { ...action, rev: order.rev });
      setOrder(o);
      setReason('');
      void message.success(ok);
      onDone();
    } catch (e) {
      void message.error(e instanceof ApiError && e.reasonCode ? guardText(e.reasonCode) : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (!order) return <Empty description="加载中…" />;
  const s = order.status;
  const reasonBox = <Input.TextArea aria-label="驳回/退回理由" placeholder="驳回或退回时填写理由" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />;
  const ext = order.extensions[order.extensions.length - 1];
  const ret = order.returns[order.returns.length - 1];
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {s === 'EXTENSION_REQUESTED' && ext && (
        <Card size="small" title="延期申请审核" data-testid="review-extension">
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="申请延期">{`${ext.step.value}${unitText(ext.step.unit)}`}</Descriptions.Item>
            <Descriptions.Item label="理由">{ext.reason}</Descriptions.Item>
          </Descriptions>
          <ApprovePreview order={order} />
          {reasonBox}
          <Space style={{ marginTop: 8 }}>
            <Button type="primary" disabled={busy} onClick={() => void run({ type: 'approveExtension' }, '已批准延期')}>
              批准延期
            </Button>
            <Button danger disabled={busy || !reason.trim()} onClick={() => void run({ type: 'rejectExtension', reason: reason.trim() }, '已驳回延期')}>
              驳回
            </Button>
          </Space>
        </Card>
      )}
      {s === 'RETURN_REQUESTED' && ret && (
        <Card size="small" title="退单审核">
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="退单理由">{RETURN_REASON_TEXT[ret.reason] ?? ret.reason}</Descriptions.Item>
            <Descriptions.Item label="说明">{ret.explanation}</Descriptions.Item>
          </Descriptions>
          {reasonBox}
          <Space style={{ marginTop: 8 }}>
            <Button type="primary" disabled={busy} onClick={() => void run({ type: 'approveReturn' }, '已同意退单，工单回到待派单')}>
              同意退单
            </Button>
            <Button danger disabled={busy || !reason.trim()} onClick={() => void run({ type: 'rejectReturn', reason: reason.trim() }, '已驳回退单')}>
              驳回退单
            </Button>
          </Space>
        </Card>
      )}
      {s === 'PENDING_REVIEW' && (
        <Card size="small" title="办理结果审核" data-testid="review-reply">
          <Descriptions size="small" column={1} bordered>
            {REPORT_FIELDS.map(([k, label]) => (
              <Descriptions.Item key={k} label={label}>
                {order.completionReport?.[k] ?? '—'}
              </Descriptions.Item>
            ))}
          </Descriptions>
          <div style={{ marginTop: 8 }}>{reasonBox}</div>
          <Space style={{ marginTop: 8 }}>
            <Button type="primary" disabled={busy} onClick={() => void run({ type: 'passReview' }, '审核通过')}>
              审核通过
            </Button>
            <Button danger disabled={busy || !reason.trim()} onClick={() => void run({ type: 'sendBack', reason: reason.trim() }, '已退回重办')}>
              退回重办
            </Button>
          </Space>
        </Card>
      )}
      {s === 'PENDING_CALLBACK' && <CallbackCard order={order} busy={busy} run={run} />}
      <OrderDetail order={order} />
    </Space>
  );
}

/** The deadlines an approval would give, before approving. */
function ApprovePreview({ order }: { order: Order }) {
  const [pv, setPv] = useState<Preview | null>(null);
  useEffect(() => {
    preview(order.id, { type: 'approveExtension' }).then(setPv, () => setPv(null));
  }, [order.id, order.rev]);
  if (!pv) return null;
  if (!pv.allowed) return <Alert type="error" showIcon message={guardText(pv.code, pv.limits)} />;
  return (
    <div data-testid="approve-preview" style={{ margin: '8px 0' }}>
      <Typography.Text>批准后时限为：</Typography.Text>
      <DeadlineTable deadlines={pv.deadlines} testId="approve-deadlines" />
    </div>
  );
}

function CallbackCard({ order, busy, run }: { order: Order; busy: boolean; run: (a: Record<string, unknown>, ok: string) => Promise<void> }) {
  const [level, setLevel] = useState<string | null>(null);
  const [pv, setPv] = useState<Preview | null>(null);
  useEffect(() => {
    if (!level) return setPv(null);
    preview(order.id, { type: 'recordCallback', level, contacted: true, feedbackReceived: true }).then(setPv, () => setPv(null));
  }, [order.id, order.rev, level]);
  return (
    <Card size="small" title="回访" data-testid="callback-card">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Radio.Group aria-label="满意度" value={level} onChange={(e) => setLevel(e.target.value as string)} options={SATISFACTION_LEVELS.map((l) => ({ value: l, label: l }))} />
        {pv && pv.allowed && (
          <Alert
            type={pv.status === 'CLOSED' ? 'success' : 'warning'}
            showIcon
            data-testid="callback-outcome"
            message={pv.status === 'CLOSED' ? '按现行规定：记录后工单办结归档' : `按现行规定：记录后工单退回重办（${ORDER_STATUS_TEXT[pv.status] ?? pv.status}）`}
          />
        )}
        <Button type="primary" disabled={busy || !level} onClick={() => void run({ type: 'recordCallback', level, contacted: true, feedbackReceived: true }, '回访结果已记录')}>
          记录回访结果
        </Button>
      </Space>
    </Card>
  );
}
