import { bearerHeaders } from '@millwright/http-auth';
import { httpCall } from '@millwright/http-client';

/** The parts of the twin API's answers a window rebuild reads. */
interface TwinVersion {
  version: number;
}
interface HistoryPage {
  points: Array<{ seq: number; ts: number; values: Record<string, number> }>;
}

/** Reads what a window rebuild needs from the twin service's REST API. */
export class TwinHistoryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token = '',
  ) {}

  /** The twin's version, then its last `limit` readings (oldest first). */
  async window(site: string, asset: string, limit: number): Promise<{ version: number; points: HistoryPage['points'] }> {
    const base = `${this.baseUrl}/api/v1/twins/${encodeURIComponent(site)}/${encodeURIComponent(asset)}`;
    const twin = await this.json<TwinVersion>(base);
    const page = await this.json<HistoryPage>(`${base}/history?limit=${limit}`);
    return { version: twin.version, points: page.points };
  }

  private async json<T>(url: string): Promise<T> {
    const res = await httpCall(url, { timeoutMs: 5000, headers: bearerHeaders(this.token) });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    return JSON.parse(res.text) as T;
  }
}
