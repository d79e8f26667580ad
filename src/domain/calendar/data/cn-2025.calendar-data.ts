import type { CalendarYearData } from '../calendar.types';

/**
 * 2025 holidays and 调休 make-up working days, from the State Council General Office notice
 * 《国务院办公厅关于2025年部分节假日安排的通知》 (published 2024-11-12), which applies the revised
 * 《全国年节及纪念日放假办法》 (13 holiday days from 2025-01-01).
 */
export const CN_2025: CalendarYearData = {
  year: 2025,
  version: 1,
  source: {
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    publishedOn: '2024-11-12',
  },
  holidays: [
    { name: '元旦', from: '2025-01-01', to: '2025-01-01' },
    { name: '春节', from: '2025-01-28', to: '2025-02-04' },
    { name: '清明节', from: '2025-04-04', to: '2025-04-06' },
    { name: '劳动节', from: '2025-05-01', to: '2025-05-05' },
    { name: '端午节', from: '2025-05-31', to: '2025-06-02' },
    { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08' },
  ],
  makeUpWorkdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
};
