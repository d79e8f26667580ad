/** A file from the API saved by the browser (the token goes in the header, so no plain link). */
import { accessToken, ApiError, refresh } from '../api';
import { errorText } from '../texts';

async function fetchFile(path: string): Promise<Response> {
  const get = () => fetch(path, { headers: { authorization: `Bearer ${accessToken() ?? ''}` } });
  let res = await get().catch(() => null);
  if (res?.status === 401) {
    await refresh();
    res = await get().catch(() => null);
  }
  if (!res) throw new ApiError(0, 'NETWORK', undefined, errorText('NETWORK'));
  if (!res.ok) {
    const data = (await res.json().catch(() => ({}))) as { code?: string; field?: string };
    const code = data.code ?? `HTTP_${res.status}`;
    throw new ApiError(res.status, code, data.field, errorText(code, data.field));
  }
  return res;
}

export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await fetchFile(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
