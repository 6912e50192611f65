// The one place that talks HTTP to the Meridian API: cookie session, CSRF header, JSON, errors.
import i18n from '../i18n';
import type { ErrorBody, ErrorDetail } from './types';

export const API_ROOT = '/api/v1';

/** An error answered by the API, in its standard shape ({"error":{code,message,target,details}}). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: ErrorDetail[];

  constructor(status: number, body: ErrorBody['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.target = body.target;
    this.details = body.details ?? [];
  }
}

/** The value of a cookie readable by scripts (the CSRF token is one; the session is not). */
export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  etag: string | null;
}

/**
 * Turns a link the server produced (absolute, e.g. @odata.nextLink) into a path on this origin,
 * so that the dev server's proxy and the embedded client follow it alike.
 */
export function toLocalPath(link: string): string {
  if (link.startsWith('/')) return link;
  const u = new URL(link);
  return u.pathname + u.search;
}

/**
 * The Accept-Language of API requests for the client's language: the server orders text by it
 * (a list sorted by name comes in pinyin order for 中文, in the default order for English).
 */
export function acceptLanguage(lang: string | undefined): string {
  return lang?.startsWith('zh') ? 'zh-CN,zh;q=0.9' : 'en-US,en;q=0.9';
}

/** Sends a request to the API; `path` is relative to /api/v1 ("accounts") or absolute ("/api/…"). */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': acceptLanguage(i18n.language),
    ...opts.headers,
  };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method)) {
    const csrf = readCookie('meridian_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const url = path.startsWith('/') ? path : `${API_ROOT}/${path}`;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  if (opts.signal) init.signal = opts.signal;
  const res = await fetch(url, init);
  const text = res.status === 204 ? '' : await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const body = (data as Partial<ErrorBody> | undefined)?.error;
    throw new ApiError(res.status, body && typeof body.code === 'string'
      ? body
      : { code: `http_${res.status}`, message: res.statusText || `HTTP ${res.status}` });
  }
  return { status: res.status, data: data as T, etag: res.headers.get('ETag') };
}
