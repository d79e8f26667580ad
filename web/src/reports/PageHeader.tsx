/** The title bar of the 统计报表 and 系统管理 pages (the shell's menu above it leads to the other pages and signs out). */
import { Layout, Typography } from 'antd';

export function PageHeader({ title }: { title: string }) {
  return (
    <Layout.Header className="no-print" style={{ display: 'flex', alignItems: 'center', paddingInline: 20, background: '#0b3d91', height: 56 }}>
      <Typography.Title level={1} style={{ color: '#fff', fontSize: 22, margin: 0, whiteSpace: 'nowrap' }}>{title}</Typography.Title>
    </Layout.Header>
  );
}
