/** The 统计报表 and 系统管理 pages: reports for managers and unit handlers (their own unit), administration for administrators. */
import type { PageRoute } from '../routes';

export const REPORT_ROUTES: readonly PageRoute[] = [
  { path: '/reports', label: '统计报表', roles: ['supervisor', 'admin', 'unit_handler'], load: () => import('./ReportsPage') },
  { path: '/admin', label: '系统管理', roles: ['admin'], load: () => import('../admin/AdminPage') },
];
