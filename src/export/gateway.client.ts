// One GraphQL POST to the gateway, retried when the failure is transient: network errors and timeouts,
// HTTP 5xx and 429 (Retry-After honoured), and GraphQL errors that are not the caller's fault.
// Everything else fails at once with a one-line message; the token never appears in one.
import { abortReason, ExportError } from './export.errors.js';
import { parseRetryAfter, retryDelay, sleep, type RetryPolicy } from './retry.policy.js';

export interface RetryEvent {
  /** Which request ("page 3"). */
  label: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  reason: string;
}

export interface GatewayClientOptions {
  endpoint: string;
  token: string;
  retry: RetryPolicy;
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string; response?: { body?: { errors?: GraphQLErrorBody[] } } };
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorBody[];
}

type Attempt = { ok: true; data: Record<string, unknown> } | { ok: false; error: ExportError; retryable: boolean; retryAfterMs?: number };

/** Codes that repeat on every retry: the request (query, variables, token, rights) is wrong, not the moment. */
const PERMANENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** The most specific message of a GraphQL error: the gateway nests a subgraph's own answer in extensions.response. */
function innerMessage(e: GraphQLErrorBody): string {
  const inner = e.extensions?.response?.body?.errors?.[0]?.message;
  // One line, without the final full stop (the message goes inside a sentence).
  return (inner ?? e.message ?? 'no message').replace(/\s+/g, ' ').replace(/\.$/, '');
}

function describeErrors(errors: GraphQLErrorBody[]): string {
  const first = errors[0]!;
  const code = first.extensions?.code;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return `${code ? `${code}: ` : ''}${innerMessage(first)}${more}`;
}

/**
 * A subgraph given as --endpoint refuses the export query in validation: the gateway's `tickets` and its
 * `TicketFilter` are unknown to the CSAT subgraph, the CSAT fields to the Tickets subgraph.
 */
const SUBGRAPH_SIGNS = /Unknown type "TicketFilter"|Cannot query field "(tickets|csatRating|csatComment|csatRatedAt)" on type "(Query|Ticket)"/;

function subgraphInstead(errors: GraphQLErrorBody[] | undefined, endpoint: string): ExportError | undefined {
  const sign = errors?.find((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && SUBGRAPH_SIGNS.test(e.message ?? ''));
  if (!sign) return undefined;
  return new ExportError(
    `${endpoint} looks like a subgraph, not the gateway (${innerMessage(sign)}): point --endpoint at the gateway or router that composes the Tickets and CSAT subgraphs`,
  );
}

function tokenRefused(errors: GraphQLErrorBody[] | undefined): ExportError {
  const e = errors?.find((x) => x.extensions?.code === 'UNAUTHENTICATED') ?? errors?.[0];
  const detail = e ? `: ${innerMessage(e)}` : '';
  return new ExportError(`the gateway refused the token (UNAUTHENTICATED${detail}); check --token or CSAT_EXPORT_TOKEN`);
}

/** The errno-style code of a failed fetch (undici wraps it in `cause`, sometimes in an AggregateError). */
function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } })?.cause;
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
}

const NETWORK_WORDS: Record<string, string> = {
  UND_ERR_SOCKET: 'the connection was closed before the answer was complete',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
};

function networkError(err: unknown, endpoint: string): ExportError {
  const code = networkCode(err);
  if (code && UNREACHABLE_CODES.has(code)) {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : code;
    return new ExportError(`the gateway is unreachable at ${endpoint} (${why})`);
  }
  const cause = (err as { cause?: { message?: string } })?.cause?.message ?? (err as Error)?.message ?? String(err);
  const why = code ? `${NETWORK_WORDS[code] ?? cause} (${code})` : cause;
  return new ExportError(`network error talking to the gateway at ${endpoint}: ${why}`);
}

export class GatewayClient {
  constructor(private readonly opts: GatewayClientOptions) {}

  /** `data` of a successful response; throws ExportError once retries are spent or at once when retrying cannot help. */
  async request(query: string, variables: Record<string, unknown>, label: string, cancel?: AbortSignal): Promise<Record<string, unknown>> {
    const body = JSON.stringify({ query, variables });
    const { retry } = this.opts;
    const signal = cancel && this.opts.signal ? AbortSignal.any([this.opts.signal, cancel]) : (cancel ?? this.opts.signal);
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(body, signal);
      if (result.ok) return result.data;
      if (!result.retryable) throw result.error;
      if (attempt >= retry.retries) {
        const tries = retry.retries === 0 ? 'no retries allowed' : `gave up after ${retry.retries} ${retry.retries === 1 ? 'retry' : 'retries'}`;
        throw new ExportError(`${result.error.message} (${label}; ${tries})`);
      }
      const delayMs = retryDelay(attempt, retry, result.retryAfterMs);
      this.opts.onRetry?.({ label, retry: attempt + 1, delayMs, reason: result.error.message });
      await sleep(delayMs, signal);
    }
  }

  private async attempt(body: string, signal: AbortSignal | undefined): Promise<Attempt> {
    const { endpoint, token, timeoutMs } = this.opts;
    if (signal?.aborted) throw abortReason(signal);
    // A timer cleared with the answer, not AbortSignal.timeout: that one would live on for timeoutMs per request.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    let status: number;
    let statusText: string;
    let retryAfter: string | null;
    let text: string;
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          'apollographql-client-name': 'csat-export',
        },
        body,
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      status = res.status;
      statusText = res.statusText;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      if (timeout.signal.aborted) {
        return { ok: false, retryable: true, error: new ExportError(`the gateway at ${endpoint} did not answer within ${timeoutMs / 1000} s`) };
      }
      return { ok: false, retryable: true, error: networkError(err, endpoint) };
    } finally {
      clearTimeout(timer);
    }

    let parsed: GraphQLBody | undefined;
    try {
      const json: unknown = JSON.parse(text);
      if (json && typeof json === 'object' && !Array.isArray(json)) parsed = json as GraphQLBody;
    } catch {
      parsed = undefined;
    }
    const errors = parsed?.errors?.length ? parsed.errors : undefined;

    if (status === 401) return { ok: false, retryable: false, error: tokenRefused(errors) };
    if (status === 408 || status === 429 || status >= 500) {
      const detail = errors ? `: ${describeErrors(errors)}` : '';
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined;
      return { ok: false, retryable: true, retryAfterMs, error: new ExportError(`the gateway answered HTTP ${status} ${statusText}${detail}`.trim()) };
    }
    const subgraph = subgraphInstead(errors, endpoint);
    if (subgraph) return { ok: false, retryable: false, error: subgraph };
    if (status < 200 || status >= 300) {
      if (errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return { ok: false, retryable: false, error: tokenRefused(errors) };
      const hint = status === 404 || status === 405 ? `; is ${endpoint} the GraphQL endpoint?` : '';
      const detail = errors ? describeErrors(errors) : `HTTP ${status} ${statusText}${hint}`;
      return { ok: false, retryable: false, error: new ExportError(`the gateway rejected the request: ${detail}`) };
    }
    if (!parsed) {
      return { ok: false, retryable: false, error: new ExportError(`the answer from ${endpoint} is not GraphQL JSON; is it the GraphQL endpoint?`) };
    }
    if (errors) {
      // Any error fails the page: a partial answer (say, CSAT fields null because a subgraph failed)
      // must never become a complete-looking file.
      if (errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return { ok: false, retryable: false, error: tokenRefused(errors) };
      const permanent = errors.some((e) => PERMANENT_CODES.has(e.extensions?.code ?? ''));
      return { ok: false, retryable: !permanent, error: new ExportError(`the gateway answered with an error: ${describeErrors(errors)}`) };
    }
    if (!parsed.data || typeof parsed.data !== 'object') {
      return { ok: false, retryable: false, error: new ExportError('the gateway answered without data') };
    }
    return { ok: true, data: parsed.data };
  }
}

