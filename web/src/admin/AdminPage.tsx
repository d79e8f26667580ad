/**
 * 系统管理 (administrators only; the server refuses the API to anyone else): users and roles, the
 * agent directory (工号, name, queues), queues, the unit directory (承办单位), regulation presets and
 * the working-day calendar.
 */
import { useEffect, useState } from 'react';
import { Card, Layout, Table, Tabs } from 'antd';
import { api, type SessionUser } from '../api';
import { PageHeader } from '../reports/PageHeader';
import { AgentsTab } from './AgentsTab';
import { CalendarTab } from './CalendarTab';
import { statusTag, type QueueRow } from './common';
import { PresetsTab } from './PresetsTab';
import { UnitsTab } from './UnitsTab';
import { UsersTab } from './UsersTab';

function QueuesTab() {
  const [items, setItems] = useState<QueueRow[]>([]);
  useEffect(() => {
    void api<{ items: QueueRow[] }>('GET', '/api/queues').then((r) => setItems(r.items), () => undefined);
  }, []);
  return (
    <Table<QueueRow> size="small" rowKey="queueId" dataSource={items} pagination={false} data-testid="queues-admin"
      columns={[
        { title: '队列', dataIndex: 'queueId' },
        { title: '名称', dataIndex: 'name' },
        { title: '承办单位', dataIndex: 'unitId', render: (x: string | null) => x ?? '—' },
        { title: '服务水平阈值（秒）', dataIndex: 'serviceLevelThresholdSec' },
        { title: '优先级', dataIndex: 'priority' },
        { title: '状态', dataIndex: 'active', render: statusTag },
      ]} />
  );
}

/** The tab in the address: `#/admin?tab=presets`. */
const initialTab = (): string => new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('tab') ?? 'users';

export default function AdminPage({ user }: { user: SessionUser }) {
  const [tab, setTab] = useState(initialTab);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <PageHeader title="12345 热线 · 系统管理" />
      <Layout.Content style={{ padding: 12 }}>
        <Card size="small">
          <Tabs activeKey={tab} onChange={setTab} destroyInactiveTabPane items={[
            { key: 'users', label: '用户与角色', children: <UsersTab me={user} /> },
            { key: 'agents', label: '坐席', children: <AgentsTab /> },
            { key: 'queues', label: '队列', children: <QueuesTab /> },
            { key: 'units', label: '承办单位', children: <UnitsTab /> },
            { key: 'presets', label: '规则预设', children: <PresetsTab /> },
            { key: 'calendar', label: '工作日历', children: <CalendarTab /> },
          ]} />
        </Card>
      </Layout.Content>
    </Layout>
  );
}
