import rateLimit from '@fastify/rate-limit';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { ServiceUnavailableError } from '../errors/domain.errors.js';
import type { Language } from '../../web/src/catalogue.js';
import { rateByLink, showLink } from './link.flow.js';
import { pageLanguage } from './link.locale.js';
import { MESSAGE_STATUS, PAGE_CSS_HASH, renderPage, renderPanel, type PageScript, type PageState } from './link.page.js';
import { ratePageScript, type PageScriptAsset } from './link.script.js';
import { tokenHash, type LinkSigner } from './link.token.js';

export interface LinkRouteOptions {
  signer: LinkSigner;
  /** PUBLIC_URL (or the listener's address): a POST's Origin may be its origin or the request's own. */
  publicUrl: () => string;
  /** A fresh EntityManager per request. */
  em: () => EntityManager;
  /** Requests per minute to the pages from one IP address (RATING_LINK_RATE_LIMIT_IP). */
  perIpPerMinute: number;
  /** Requests per minute for one link (RATING_LINK_RATE_LIMIT_TOKEN). */
  perTokenPerMinute: number;
}

/** A form's body: the rating and a comment of at most 2000 code points (UTF-8 and percent-encoding make it larger). */
const FORM_BODY_BYTES = 64 * 1024;

/** The enhancer's URL under PUBLIC_URL (a path prefix included), as the browser resolves the page's `assets/…`. */
function scriptUrl(publicUrl: string, script: PageScriptAsset): string | undefined {
  const url = new URL(`rate/assets/${script.file}`, `${publicUrl}/`).href;
  // A source expression ends at a space, ';' or ','; a PUBLIC_URL holding one gets the hash alone.
  return /^[^\s;,']+$/.test(url) ? url : undefined;
}

/**
 * No inline script, no eval, no frame, no other origin: one document, one inline style sheet and one module, each
 * known by its hash. The module also by its exact URL under PUBLIC_URL: a browser that matches a hash only
 * against inline code (CSP 2) still loads it, and one that does neither keeps the plain form.
 */
function contentSecurityPolicy(publicUrl: string, script: PageScriptAsset): string {
  const scriptSrc = [`'${script.integrity}'`, scriptUrl(publicUrl, script)].filter(Boolean).join(' ');
  return `default-src 'none'; style-src '${PAGE_CSS_HASH}'; img-src 'none'; script-src ${scriptSrc}; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
}

/** The enhancer asks for the outcome as JSON (web/src/csat-rate-page.ts); a browser's form and GET get the page. */
function wantsJson(request: FastifyRequest): boolean {
  return /\bapplication\/json\b/i.test(request.headers.accept ?? '');
}

/**
 * One answer for a state: the page, or for the enhancer `{ outcome, title, html }` with the page's panel. The same
 * status, headers and rendering either way: there is one path, and only its last step differs.
 */
function makeSend(csp: () => string, script: PageScript) {
  return (request: FastifyRequest, reply: FastifyReply, lang: Language, state: PageState, status = 200): FastifyReply => {
    const code = state.kind === 'message' ? MESSAGE_STATUS[state.message] : status;
    reply
      .header('content-security-policy', csp())
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cache-control', 'no-store')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-resource-policy', 'same-origin')
      .header('x-robots-tag', 'noindex, nofollow')
      .header('vary', 'accept')
      .header('content-language', lang)
      .code(code);
    if (wantsJson(request)) {
      const panel = renderPanel(lang, state);
      return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ outcome: panel.page, title: panel.title, html: panel.html }));
    }
    return reply.header('content-type', 'text/html; charset=utf-8').send(renderPage(lang, state, script));
  };
}

/** `?rating=N` or the form's `rating`: 1..5, else none (nothing preselected). */
function ratingOf(value: unknown): number | undefined {
  return typeof value === 'string' && /^[1-5]$/.test(value) ? Number(value) : undefined;
}

interface LinkRoute {
  Params: { token: string };
  Querystring: { rating?: string };
  Body: { rating?: string; comment?: string } | undefined;
}

/**
 * GET and POST /rate/<token>: the rating page of a link from the resolution email (docs/email-links.md), and GET
 * /rate/assets/<hash>.js, its enhancer. The token is only ever in the path; logs name it by a hash (`link`), and
 * the request line by its route, `/rate/:token`. Encapsulated: its form parser, rate limits and error pages stay
 * in this scope.
 */
export async function ratingLinkRoutes(fastify: FastifyInstance, opts: LinkRouteOptions): Promise<void> {
  const script = await ratePageScript();
  // PUBLIC_URL, or the listener's address once known (app.ts): the policy is made again only when it changes.
  let csp = { for: '', value: '' };
  const policy = () => {
    const publicUrl = opts.publicUrl();
    if (csp.for !== publicUrl) csp = { for: publicUrl, value: contentSecurityPolicy(publicUrl, script) };
    return csp.value;
  };
  const send = makeSend(policy, { src: `assets/${script.file}`, integrity: script.integrity });

  // Named by its content: cached for a year and never revalidated; a new build is a new URL (and a new CSP hash).
  // No rate limit: it names no link, and a browser asks for it once.
  fastify.get(`/rate/assets/${script.file}`, async (_request, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('cross-origin-resource-policy', 'same-origin')
      .send(script.code),
  );

  // Two limits on each request (the plugin's own hook runs one limiter per request): checked here, together.
  await fastify.register(rateLimit, { global: false, timeWindow: 60_000 });
  const limiters = [
    fastify.createRateLimit({ max: opts.perIpPerMinute, timeWindow: 60_000, keyGenerator: (request) => `ip:${request.ip}` }),
    fastify.createRateLimit({ max: opts.perTokenPerMinute, timeWindow: 60_000, keyGenerator: (request) => `link:${tokenHash((request.params as { token?: string }).token ?? '')}` }),
  ];
  const limited = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const limiter of limiters) {
      const result = await limiter(request);
      if (!result.isAllowed && result.isExceeded) {
        reply.header('retry-after', String(result.ttlInSeconds));
        throw Object.assign(new Error('rate limited'), { statusCode: 429 });
      }
    }
  };

  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: FORM_BODY_BYTES }, (_request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(Object.assign(new Error('form body is not valid UTF-8'), { statusCode: 400 }), undefined);
    const form = new URLSearchParams(body.toString('utf8'));
    done(null, { rating: form.get('rating') ?? undefined, comment: form.get('comment') ?? '' });
  });

  // Every refusal of this scope is a page: the rate limits' 429 and a body the parser refused among them.
  fastify.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const lang = pageLanguage(undefined, request.headers['accept-language']);
    const link = tokenHash((request.params as { token?: string }).token ?? '');
    if (error.statusCode === 429) {
      request.log.info({ link }, 'rating link rate-limited');
      return send(request, reply, lang, { kind: 'message', message: 'tooMany' });
    }
    if (error.statusCode && error.statusCode < 500) {
      request.log.debug({ link, msg: error.message }, 'rating link request refused');
      return send(request, reply, lang, { kind: 'message', message: 'invalid' });
    }
    const busy = error instanceof ServiceUnavailableError;
    request.log[busy ? 'warn' : 'error']({ err: error, link }, 'rating link page failed');
    return send(request, reply, lang, { kind: 'message', message: busy ? 'busy' : 'error' });
  });

  fastify.get<LinkRoute>('/rate/:token', { onRequest: limited }, async (request, reply) => {
    const checked = await opts.signer.verify(request.params.token);
    const lang = pageLanguage(checked.ok ? checked.claims.locale : undefined, request.headers['accept-language']);
    if (!checked.ok) {
      request.log.info({ link: tokenHash(request.params.token), outcome: checked.reason }, 'rating link refused');
      return send(request, reply, lang, { kind: 'message', message: checked.reason });
    }
    const state = await showLink(opts.em(), checked.claims, ratingOf(request.query.rating));
    request.log.debug({ link: tokenHash(request.params.token), outcome: state.kind === 'message' ? state.message : state.kind }, 'rating link shown');
    return send(request, reply, lang, state);
  });

  fastify.post<LinkRoute>('/rate/:token', { onRequest: limited }, async (request, reply) => {
    const link = tokenHash(request.params.token);
    const checked = await opts.signer.verify(request.params.token);
    const lang = pageLanguage(checked.ok ? checked.claims.locale : undefined, request.headers['accept-language']);
    // A form posted from another site's page. Browsers send "null" for this page's own form (its referrer policy is
    // no-referrer); the link itself is the credential, so this only keeps other sites from driving the form.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== 'null' && origin !== `${request.protocol}://${request.host}` && origin !== new URL(opts.publicUrl()).origin) {
      request.log.info({ link, outcome: 'crossSite' }, 'rating link refused');
      return send(request, reply, lang, { kind: 'message', message: 'crossSite' });
    }
    if (!checked.ok) {
      request.log.info({ link, outcome: checked.reason }, 'rating link refused');
      return send(request, reply, lang, { kind: 'message', message: checked.reason });
    }
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    const state = await rateByLink(opts.em(), checked.claims, ratingOf(body.rating), typeof body.comment === 'string' ? body.comment : '');
    request.log.info({ link, outcome: state.kind === 'message' ? state.message : state.kind }, 'rating link posted');
    return send(request, reply, lang, state, state.kind === 'prompt' ? 422 : 200);
  });
}
