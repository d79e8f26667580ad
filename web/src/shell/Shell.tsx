/**
 * The frame around the pages of a role with more than one: a menu of its pages (hash routes, so a
 * page can be linked and the browser's back button works) and 退出登录. A role with one page gets it
 * without the menu (the agent console keeps its whole screen).
 */
import { Suspense, useEffect, useState } from 'react';
import { Button, Menu, Spin } from 'antd';
import { signOut, type SessionUser } from '../api';
import { pagesFor } from './pages';

const routeOf = (): string => window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';

export function Shell({ user }: { user: SessionUser }) {
  const pages = pagesFor(user.role);
  const [route, setRoute] = useState(routeOf());
  useEffect(() => {
    const on = () => setRoute(routeOf());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const page = pages.find((p) => p.key === route) ?? pages[0];
  if (!page) return <div style={{ padding: 24 }}>此账号没有可用的页面</div>;
  const Page = page.component;
  const content = (
    <Suspense fallback={<Spin size="large" tip="加载中…" fullscreen />}>
      <Page user={user} />
    </Suspense>
  );
  if (pages.length === 1 && user.role === 'agent') return content;
  return (
    <>
      <nav aria-label="功能导航" style={{ display: 'flex', alignItems: 'center', background: '#fff', borderBottom: '1px solid #d9d9d9', paddingRight: 16 }}>
        <Menu
          mode="horizontal"
          selectedKeys={[page.key]}
          style={{ flex: 1, borderBottom: 'none' }}
          items={pages.map((p) => ({ key: p.key, label: <a href={`#/${p.key}`}>{p.label}</a> }))}
        />
        <span style={{ marginRight: 12 }}>{user.displayName}</span>
        {page.key !== 'wallboard' && (
          <Button size="small" onClick={signOut}>
            退出登录
          </Button>
        )}
      </nav>
      {content}
    </>
  );
}
