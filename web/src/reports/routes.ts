/** The 统计报表 and 系统管理 pages: reports for managers and unit handlers (their own unit), administration for administrators. */
import { lazy } from 'react';
import type { PageEntry } from '../shell/pages';

export const REPORT_PAGES: readonly PageEntry[] = [
  { key: 'reports', label: '统计报表', roles: ['supervisor', 'admin', 'unit_handler'], component: lazy(() => import('./ReportsPage')) },
  { key: 'admin', label: '系统管理', roles: ['admin'], component: lazy(() => import('../admin/AdminPage')) },
];
