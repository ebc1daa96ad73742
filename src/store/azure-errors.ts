/**
 * Maps @azure/storage-blob failures to StoreErrors. The retry classification lives here (by HTTP status
 * and service error code). Raw SDK errors are never attached as `cause`: their `request` holds the SAS URL.
 */
import { AbortedError, type StoreError } from '../errors.js';
import { redactSecrets } from './redact.js';
import { parseRetryAfter, storeError } from './store-errors.js';

export const AUTH_MESSAGE = 'the SAS is invalid, expired, or lacks read/write/delete/list permission';

// Transport errors worth another try: the connection broke or the host was momentarily unreachable.
const RETRYABLE_NET_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'UND_ERR_SOCKET', 'REQUEST_SEND_ERROR', 'ERR_STREAM_PREMATURE_CLOSE',
]);

interface SdkErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
  details?: { errorCode?: string };
  response?: { headers?: { get(name: string): string | undefined | null }; bodyAsText?: string | null };
}

// The SDK's own messages when it cannot parse or deserialize an error body: they embed "[object Object]"
// and the whole body, so they are replaced by what we can read from the body ourselves.
const SDK_PARSE_FAILURE = /^Error .* occurred (while parsing|in deserializing) the response/;

/**
 * The service's `<Code>` and `<Message>` from an XML error body, read with two patterns: the body
 * may be one the SDK's XML parser refused. The message is cut to its first line (the rest is
 * RequestId/Time), unescaped for the five XML entities, capped, and redacted by the caller.
 */
export function serviceErrorFromBody(body: string | null | undefined): { code?: string; message?: string } {
  if (!body) return {};
  const code = /<Code>\s*([A-Za-z0-9_.-]{1,100})\s*<\/Code>/.exec(body)?.[1];
  const raw = /<Message>([\s\S]*?)(<\/Message>|$)/.exec(body)?.[1];
  const message = raw === undefined ? undefined : raw.split('\n', 1)[0].trim()
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return { code, message: message || undefined };
}

/** Context for one failed call: what the store is, which blob, whether the caller aborted or we timed out. */
export interface AzureErrorContext {
  description: string;
  blob?: string;
  op: string;
  userSignal?: AbortSignal;
  timedOut?: boolean;
}

/** Converts anything the SDK (or the body stream) threw into a StoreError or AbortedError without secrets. */
export function mapAzureError(err: unknown, ctx: AzureErrorContext): StoreError | AbortedError {
  if (ctx.userSignal?.aborted) return new AbortedError();
  const e = (err ?? {}) as SdkErrorLike;
  const where = ctx.blob === undefined ? `${ctx.description}` : `${ctx.description}: ${ctx.blob}`;
  const blob = ctx.blob;
  if (ctx.timedOut || e.name === 'AbortError') {
    return storeError('CLFS_STORE_UNAVAILABLE', `${where}: ${ctx.op} timed out`, { blob, retryable: true });
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // The x-ms-error-code header survives bodies the SDK fails to parse (HEAD has none at all).
  const fromBody = status === undefined ? {} : serviceErrorFromBody(e.response?.bodyAsText);
  const sdkCode = typeof e.code === 'string' && e.code !== 'PARSE_ERROR' ? e.code : undefined;
  const serviceCode = e.response?.headers?.get('x-ms-error-code') ?? e.details?.errorCode ?? fromBody.code ?? sdkCode;
  const parseFailed = SDK_PARSE_FAILURE.test(e.message ?? '');
  // never the SDK's parse-failure text (it holds the raw body); the service's own message instead
  const detail = parseFailed ? firstLine(fromBody.message ?? 'the service sent an error body that could not be read') : firstLine(e.message);
  if (status === undefined) {
    const retryable = serviceCode !== undefined ? RETRYABLE_NET_CODES.has(serviceCode) || /socket|ECONNRESET|hang up/i.test(detail) : true;
    return storeError('CLFS_STORE_UNAVAILABLE', `${where}: ${ctx.op} failed: connection error (${serviceCode ?? detail})`, { blob, retryable, serviceCode });
  }
  const retryAfterMs = parseRetryAfter(e.response?.headers?.get('retry-after'));
  const opts = { blob, status, serviceCode, retryAfterMs };
  if (status === 404) {
    if (serviceCode === 'ContainerNotFound') return storeError('CLFS_STORE_CONTAINER_MISSING', `${ctx.description}: container does not exist`, opts);
    return storeError('CLFS_STORE_NOT_FOUND', `${where}: blob not found`, opts);
  }
  if (status === 401 || status === 403) return storeError('CLFS_STORE_AUTH', `${where}: ${ctx.op} refused (HTTP ${status}): ${AUTH_MESSAGE}`, opts);
  if (status === 429 || (status === 503 && serviceCode === 'ServerBusy')) {
    return storeError('CLFS_STORE_THROTTLED', `${where}: ${ctx.op} throttled (HTTP ${status}${codeSuffix(serviceCode)})`, { ...opts, retryable: true });
  }
  if (status === 408 || status === 500 || status === 502 || status === 503 || status === 504) {
    return storeError('CLFS_STORE_UNAVAILABLE', `${where}: ${ctx.op} failed (HTTP ${status}${codeSuffix(serviceCode)})`, { ...opts, retryable: true });
  }
  return storeError('CLFS_STORE_IO', `${where}: ${ctx.op} failed (HTTP ${status}${codeSuffix(serviceCode)}): ${detail}`, opts);
}

function codeSuffix(code: string | undefined): string {
  return code ? ` ${code}` : '';
}

/** The first line of an SDK message (the rest is RequestId/Time noise), redacted. */
function firstLine(message: string | undefined): string {
  const line = (message ?? '').split('\n', 1)[0].trim();
  return redactSecrets(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}
