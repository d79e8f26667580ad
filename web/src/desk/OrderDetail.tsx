/** One order as the desk shows it: the request, its deadlines, 催办/督办 history and the full history. */
import { Descriptions, Table, Tag, Timeline, Typography } from 'antd';
import { ORDER_STATUS_TEXT } from '../texts';
import { dateTime } from '../time';
import type { Deadline, Order } from './deskApi';
import { ACTION_TEXT, STAGE_TEXT, unitText } from './deskTexts';
import { useUnits } from '../units';

/** A due instant as shown everywhere on the desk: Asia/Shanghai to the minute, the exact instant in `dateTime`. */
export function Due({ at, testId }: { at: string | null | undefined; testId?: string }) {
  if (!at) return <span data-testid={testId}>—</span>;
  return (
    <time dateTime={at} data-testid={testId}>
      {dateTime(Date.parse(at))}
    </time>
  );
}

export function DeadlineTable({ deadlines, testId }: { deadlines: Record<string, Deadline | undefined>; testId: string }) {
  const rows = Object.values(deadlines).filter((d): d is Deadline => d !== undefined);
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="stage"
      data-testid={testId}
      dataSource={rows}
      columns={[
        { title: '环节', dataIndex: 'stage', render: (s: string) => STAGE_TEXT[s] ?? s },
        { title: '时限', render: (_: unknown, d: Deadline) => `${d.rule.limit}${unitText(d.rule.unit)}${d.extendedBy > 0 ? `（已延期${d.extendedBy}${unitText(d.rule.unit)}）` : ''}` },
        { title: '到期时间', render: (_: unknown, d: Deadline) => <Due at={d.dueAt} testId={`${testId}-${d.stage}`} /> },
        { title: '状态', render: (_: unknown, d: Deadline) => (d.metAt ? <Tag>已完成</Tag> : d.provisional ? <Tag>暂定</Tag> : <Tag color="#0958d9">进行中</Tag>) },
      ]}
    />
  );
}

const NOTICE_TEXT: Record<string, string> = {
  reminder: '催办', yellow: '黄牌督办', red: '红牌督办', escalation: '升级督办', 'manual-reminder': '催办（人工）', 'manual-supervision': '督办（人工）',
};

/**
 * A sent notice's key is `<order>:<stage>:<reminder@fraction | level | manual-<kind>@<instant>>:<due instant>`; the order
 * records the keys in the order its recordNotice entries were written, so the i-th entry is the i-th key.
 */
function noticeParts(key: string | undefined): { stage: string; level: string } {
  const [, stage = '', tag = ''] = (key ?? '').split(':');
  return { stage, level: tag.startsWith('reminder') ? 'reminder' : tag.split('@')[0] ?? tag };
}

function noticeText(key: string | undefined): string {
  const p = noticeParts(key);
  return `${STAGE_TEXT[p.stage] ?? p.stage}环节 ${NOTICE_TEXT[p.level] ?? '催办/督办'}`;
}

const noticeColor = (key: string | undefined): string => (noticeParts(key).level.endsWith('reminder') ? '#7c4a00' : '#a8071a');

export function OrderDetail({ order }: { order: Order }) {
  const notices = order.history.filter((h) => h.action === 'recordNotice');
  const { name: unitName } = useUnits();
  return (
    <div data-testid="order-detail">
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label="工单编号">{order.number}</Descriptions.Item>
        <Descriptions.Item label="状态">
          <span data-testid="order-status">{ORDER_STATUS_TEXT[order.status] ?? order.status}</span>
        </Descriptions.Item>
        <Descriptions.Item label="诉求类型">{order.category}</Descriptions.Item>
        <Descriptions.Item label="紧急程度">{order.urgency}</Descriptions.Item>
        <Descriptions.Item label="来电人">
          {order.caller.name ?? '—'} {order.caller.phone ?? ''} {order.callerMasked && <Tag color="#531dab">保密</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label="主办/协办">
          <span data-testid="order-units">
            {order.leadUnitId ? unitName(order.leadUnitId) : '未派单'}
            {order.coUnitIds.length > 0 ? ` / ${order.coUnitIds.map(unitName).join('、')}` : ''}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label="诉求内容" span={2}>
          {order.content}
        </Descriptions.Item>
        {order.repeatOf && (
          <Descriptions.Item label="重复诉求" span={2}>
            第 {order.repeatNumber} 次重复（首件 {order.repeatOf}）{order.escalated && <Tag color="#a8071a">已升级</Tag>}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        办理时限
      </Typography.Title>
      <DeadlineTable deadlines={order.deadlines} testId="order-deadlines" />
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        催办/督办记录
      </Typography.Title>
      <div data-testid="order-notices">
        {notices.length === 0 ? (
          <Typography.Text type="secondary">暂无催办、督办</Typography.Text>
        ) : (
          <Timeline items={notices.map((n, i) => ({ key: n.seq, color: noticeColor(order.sentNoticeKeys[i]), children: `${dateTime(Date.parse(n.at))} ${noticeText(order.sentNoticeKeys[i])}` }))} />
        )}
      </div>
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        办理记录
      </Typography.Title>
      <Timeline
        data-testid="order-history"
        items={order.history.map((h) => ({
          key: h.seq,
          children: (
            <span>
              {dateTime(Date.parse(h.at))} {ACTION_TEXT[h.action] ?? h.action}（{ORDER_STATUS_TEXT[h.fromStatus] ?? h.fromStatus} → {ORDER_STATUS_TEXT[h.toStatus] ?? h.toStatus}）
              {h.comment ? `：${h.comment}` : ''}
            </span>
          ),
        }))}
      />
    </div>
  );
}
