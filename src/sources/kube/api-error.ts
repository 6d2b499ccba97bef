// The one error type of the kube source: every failed API call, whatever went wrong, becomes a
// KubeApiError with the HTTP status (0 when no response came) and a reason callers branch on.
import { STATUS_CODES } from 'node:http';

const MAX_MESSAGE = 500;

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    /** HTTP status, or the `code` of a watch ERROR event; 0 when no response came at all. */
    readonly status: number,
    /**
     * Status.reason from the API server (Forbidden, NotFound, Expired, ...), or for status 0 the
     * network error code (ECONNREFUSED, ECONNRESET, CERT_HAS_EXPIRED, Timeout, ...).
     */
    readonly reason: string,
    message: string,
    /** From a Retry-After header (429, 503). */
    readonly retryAfterMs?: number,
  ) {
    super(message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message);
  }

  /**
   * The resourceVersion or continue token is too old: the only way on is a fresh LIST. A watch
   * says so with 410 (or an ERROR event with code 410), an expired continue token likewise.
   */
  get gone(): boolean {
    return this.status === 410;
  }

  /** Network failure, timeout, throttling or a server-side error: worth retrying as is. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** A metav1.Status object (the body of an error response, or of a watch ERROR event) → error. */
export function errorFromStatus(httpStatus: number, status: unknown, retryAfterMs?: number): KubeApiError {
  const body = typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : {};
  const code = typeof body.code === 'number' && body.code > 0 ? body.code : httpStatus;
  const reason = typeof body.reason === 'string' && body.reason ? body.reason : (STATUS_CODES[code] ?? 'Unknown');
  const message = typeof body.message === 'string' && body.message ? body.message : `${code} ${STATUS_CODES[code] ?? ''}`.trim();
  return new KubeApiError(code, reason, message, retryAfterMs);
}

/** Anything thrown while talking to the API server → KubeApiError (kept as is when it is one). */
export function toKubeApiError(error: unknown): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const err = error as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === 'string' ? err.code : (err?.name ?? 'Error');
  return new KubeApiError(0, code, err?.message || code);
}

/** Retry-After in seconds (the only form the API server sends) → ms. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined;
}
