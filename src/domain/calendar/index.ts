export * from './calendar.types';
export * from './local-time';
export * from './work-calendar';
export * from './calendar-update';
export { CN_2025 } from './data/cn-2025.calendar-data';
export { CN_2026 } from './data/cn-2026.calendar-data';
