/** The header of the 统计报表 and 系统管理 pages: title, the pages this role may open, sign out. */
import { Button, Layout, Space, Typography } from 'antd';
import { signOut, type SessionUser } from '../api';
import { pagesFor } from '../routes';

export function NavLinks({ user, current, light }: { user: SessionUser; current?: string; light?: boolean }) {
  const color = light ? '#fff' : undefined;
  return (
    <nav aria-label="页面导航">
      <Space size={16}>
        {user.role !== 'agent' && user.role !== 'unit_handler' && (
          <a href="#/" style={{ color }}>班长监控</a>
        )}
        {pagesFor(user.role).map((p) => (
          <a key={p.key} href={`#/${p.key}`} aria-current={current === p.key ? 'page' : undefined} style={{ color, fontWeight: current === p.key ? 700 : 400 }}>
            {p.label}
          </a>
        ))}
      </Space>
    </nav>
  );
}

export function PageHeader({ user, title, current }: { user: SessionUser; title: string; current: string }) {
  return (
    <Layout.Header className="no-print" style={{ display: 'flex', alignItems: 'center', gap: 24, paddingInline: 20, background: '#0b3d91' }}>
      <Typography.Title level={1} style={{ color: '#fff', fontSize: 22, margin: 0, whiteSpace: 'nowrap' }}>{title}</Typography.Title>
      <NavLinks user={user} current={current} light />
      <span style={{ flex: 1 }} />
      <Button onClick={signOut}>退出登录（{user.displayName}）</Button>
    </Layout.Header>
  );
}
