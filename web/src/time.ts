/** Times shown in Asia/Shanghai whatever the browser's zone; durations as 分:秒. */
const timeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateTimeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

export const clockTime = (ms: number): string => timeFmt.format(ms);
export const dateTime = (ms: number): string => dateTimeFmt.format(ms);

export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Today's midnight in Asia/Shanghai (UTC+8, no daylight saving) as epoch ms. */
export function shanghaiMidnight(now: number): number {
  const offset = 8 * 3600_000;
  return Math.floor((now + offset) / 86_400_000) * 86_400_000 - offset;
}

export const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
