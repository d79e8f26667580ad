/** 保密来电人: the confidential-caller directory, for supervisors and administrators. */
import { lazy } from 'react';
import type { PageEntry } from '../shell/pages';

export const CALLER_PAGES: readonly PageEntry[] = [
  { key: 'confidential', label: '保密来电人', roles: ['supervisor', 'admin'], component: lazy(() => import('./ConfidentialCallersPage')) },
];
