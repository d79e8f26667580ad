/** Pieces shared by the desk's pages: the radar table, native labelled selects, the live notices. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, Table, Tag } from 'antd';
import { ORDER_STATUS_TEXT } from '../texts';
import { Live } from '../socket';
import { dateTime } from '../time';
import type { RadarRow } from './deskApi';
import { Due } from './OrderDetail';
import { LEVEL_COLOR, LEVEL_TEXT, STAGE_TEXT } from './deskTexts';

export function LevelTag({ level }: { level: RadarRow['level'] }) {
  if (!level) return <Tag>无时限</Tag>;
  return (
    <Tag color={LEVEL_COLOR[level]} data-level={level}>
      {LEVEL_TEXT[level]}
    </Tag>
  );
}

/** Time left as 剩余 2天3小时 / 超期 5小时 (from the server's `now` plus the time since). */
export function timeLeft(dueAt: string | null, now: number): string {
  if (!dueAt) return '—';
  const ms = Date.parse(dueAt) - now;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = d > 0 ? `${d}天${h}小时` : h > 0 ? `${h}小时${m}分` : `${m}分`;
  return ms >= 0 ? `剩余 ${text}` : `超期 ${text}`;
}

export interface RadarTableProps {
  rows: RadarRow[];
  loading: boolean;
  now: number;
  onOpen: (row: RadarRow) => void;
  /** Server-side paging; absent: one page. */
  paging?: { page: number; pageSize: number; total: number; onChange: (page: number, pageSize: number) => void };
  /** Shows which role the reader's unit has on each order. */
  unitId?: string | null;
  testId: string;
  /** Repeat-complaint chains on the page nest under their first order. */
  groupChains?: boolean;
  /** A unit's name by id (the unit directory). */
  unitName?: (id: string) => string;
  /** Buttons of a row (催办/督办 on the radar). */
  rowActions?: (row: RadarRow) => ReactNode;
}

type TreeRow = RadarRow & { children?: TreeRow[] };

/** Orders of one repeat-complaint chain on the page, as one group under its first order. */
export function groupByChain(rows: RadarRow[]): TreeRow[] {
  const groups = new Map<string, RadarRow[]>();
  for (const r of rows) groups.set(r.chainRootId, [...(groups.get(r.chainRootId) ?? []), r]);
  const out: TreeRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.chainRootId)) continue;
    seen.add(r.chainRootId);
    const g = [...(groups.get(r.chainRootId) ?? [])].sort((a, b) => a.repeatNumber - b.repeatNumber);
    const [head, ...rest] = g;
    if (head) out.push(rest.length > 0 ? { ...head, children: rest } : head);
  }
  return out;
}

export function RadarTable(p: RadarTableProps) {
  const data: TreeRow[] = p.groupChains ? groupByChain(p.rows) : p.rows;
  // Chains open as they arrive (rows come after the first render); a group the user closed stays closed.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const expanded = data.filter((r) => r.children && !collapsed.has(r.id)).map((r) => r.id);
  return (
    <Table<TreeRow>
      size="small"
      rowKey="id"
      loading={p.loading}
      data-testid={p.testId}
      dataSource={data}
      expandable={{
        expandedRowKeys: expanded,
        onExpand: (open, r) => setCollapsed((c) => {
          const next = new Set(c);
          if (open) next.delete(r.id);
          else next.add(r.id);
          return next;
        }),
      }}
      onRow={(r) => ({ 'data-testid': `row-${r.number}`, 'data-level': r.level ?? 'none' }) as React.HTMLAttributes<HTMLElement>}
      pagination={
        p.paging
          ? { current: p.paging.page, pageSize: p.paging.pageSize, total: p.paging.total, showSizeChanger: false, showTotal: (t) => `共 ${t} 件`, onChange: p.paging.onChange }
          : false
      }
      columns={[
        {
          title: '工单编号',
          dataIndex: 'number',
          render: (n: string, r) => (
            <Button type="link" size="small" onClick={() => p.onOpen(r)} style={{ padding: 0, color: '#0b4a99' }}>
              {n}
            </Button>
          ),
        },
        { title: '状态', dataIndex: 'status', render: (s: string) => ORDER_STATUS_TEXT[s] ?? s },
        { title: '当前环节', dataIndex: 'stage', render: (s: string | null) => (s ? (STAGE_TEXT[s] ?? s) : '—') },
        { title: '到期时间', dataIndex: 'dueAt', render: (d: string | null, r) => <Due at={d} testId={`due-${r.number}`} /> },
        { title: '剩余时间', render: (_: unknown, r) => timeLeft(r.dueAt, p.now) },
        { title: '时限状态', dataIndex: 'level', render: (l: RadarRow['level']) => <LevelTag level={l} /> },
        ...(p.unitId
          ? [{ title: '本单位', render: (_: unknown, r: RadarRow) => (r.leadUnitId === p.unitId ? <Tag color="#0958d9">主办</Tag> : <Tag>协办</Tag>) }]
          : [{ title: '主办单位', dataIndex: 'leadUnitId', render: (u: string | null) => (u ? (p.unitName?.(u) ?? u) : '—') }]),
        { title: '诉求类型', dataIndex: 'category' },
        { title: '紧急程度', dataIndex: 'urgency' },
        {
          title: '来电人',
          render: (_: unknown, r) => (
            <span>
              {r.callerName ?? ''} {r.callerMasked && <Tag color="#531dab">保密</Tag>}
            </span>
          ),
        },
        {
          title: '重复诉求',
          render: (_: unknown, r) => (r.repeatOf ? <Tag color="#ad4e00">第{r.repeatNumber}次重复</Tag> : r.chainRootId === r.id ? '' : ''),
        },
        { title: '受理时间', dataIndex: 'createdAt', render: (c: string) => dateTime(Date.parse(c)) },
        ...(p.rowActions ? [{ title: '操作', render: (_: unknown, r: RadarRow) => p.rowActions?.(r) }] : []),
      ]}
    />
  );
}

export interface NativeSelectProps {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (v: string) => void;
  /** The first option: "all". */
  allLabel?: string;
}

/** A native <select> with its label: keyboard and screen-reader behaviour for free. */
export function NativeSelect(p: NativeSelectProps) {
  return (
    <label style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
      <span>{p.label}</span>
      <select value={p.value} onChange={(e) => p.onChange(e.target.value)} style={{ height: 30, minWidth: 120, border: '1px solid #8c8c8c', borderRadius: 6, padding: '0 6px' }}>
        {p.allLabel !== undefined && <option value="">{p.allLabel}</option>}
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface Notice {
  key: string;
  text: string;
  at: number;
}

const NOTICE_KIND: Record<string, string> = { reminder: '催办', supervision: '督办', contactRetry: '再次联系提醒', callback: '回访提醒' };

/**
 * The live work-order notices: unit handlers are in their unit's room from the start, hotline staff
 * join every order's (`workorders:join`). `onChange` runs for each change so lists refresh at once.
 */
export function useOrderNotices(join: boolean, onChange: () => void): Notice[] {
  const [notices, setNotices] = useState<Notice[]>([]);
  const cb = useRef(onChange);
  cb.current = onChange;
  useEffect(() => {
    const live = new Live();
    const s = live.socket;
    s.on('connect', () => {
      if (join) s.emit('workorders:join', {}, () => undefined);
      cb.current();
    });
    s.on('workorder:changed', (p: { key: string; number: string; to: string; kind: string; at: number }) => {
      const text = p.kind === 'created' ? `新工单 ${p.number}` : `工单 ${p.number} 已更新为「${ORDER_STATUS_TEXT[p.to] ?? p.to}」`;
      setNotices((n) => [{ key: p.key, text, at: p.at }, ...n.filter((x) => x.key !== p.key)].slice(0, 20));
      cb.current();
    });
    s.on('workorder:notice', (p: { key: string; number: string; kind: string; stage?: string; at: number }) => {
      const text = `工单 ${p.number} ${p.stage ? `${STAGE_TEXT[p.stage] ?? p.stage}环节` : ''}${NOTICE_KIND[p.kind] ?? p.kind}`;
      setNotices((n) => [{ key: p.key, text, at: p.at }, ...n.filter((x) => x.key !== p.key)].slice(0, 20));
      cb.current();
    });
    live.start();
    return () => live.close();
  }, [join]);
  return notices;
}
