import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { BadUserInputError } from '../errors/domain.errors.js';

/** Resolves a host name to its addresses (the service uses DNS; tests pass their own). */
export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

// Global unicast: IANA allocates unicast IPv6 from 2000::/3 only; the rest (IPv4-compatible ::/96, 100::/8 …) is
// reserved, special or unassigned, whatever ipaddr.js does or does not name in it yet.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
// NAT64's well-known prefix (RFC 6052): a gateway translates it to the IPv4 address in its last 32 bits. Receivers
// of an IPv6-only deployment (DNS64) resolve to it, so it is allowed when that IPv4 address is public.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * What an address reaches: `public` (a unicast address outside every special-purpose range), `loopback`, or the
 * ipaddr.js name of the special range it is in (`private`, `linkLocal`, `reserved`, `6to4`, `teredo`, …).
 * IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are judged by the IPv4 address they reach.
 * 6to4 (2002::/16) and Teredo (2001::/32) are refused whole: deprecated tunnels through relays this service
 * cannot vouch for, and no receiver needs them (docs/webhooks.md, SSRF guard).
 */
export function addressClass(address: string): string {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    if (!isIP(address)) return 'not an IP address';
    ip = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    else if (v6.match(NAT64_WELL_KNOWN)) {
      const [hi, lo] = v6.parts.slice(-2) as [number, number];
      const embedded = addressClass(`${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`);
      return embedded === 'public' ? 'public' : `${embedded} behind NAT64`;
    }
  }
  const range = ip.range();
  if (range === 'loopback') return 'loopback';
  if (range !== 'unicast') return range;
  if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return 'outside global unicast (2000::/3)';
  return 'public';
}

/** Why this address may not be called, or null when it may: public unicast only (loopback too with allowLoopback). */
export function addressRefusal(address: string, allowLoopback: boolean): string | null {
  const reached = addressClass(address);
  if (reached === 'public') return null;
  if (reached === 'loopback') return allowLoopback ? null : 'a loopback address';
  return `a non-public address (${reached})`;
}

export interface GuardOptions {
  allowLoopback: boolean;
  lookup: HostLookup;
}

/**
 * The URL an endpoint may have: https (http too, with WEBHOOKS_ALLOW_LOOPBACK, for loopback receivers), no
 * credentials, and a host whose every address is public. Checked when an endpoint is saved and again at
 * every delivery (DNS can change); refusals are BAD_USER_INPUT on `url`.
 */
export async function checkWebhookUrl(text: string, opts: GuardOptions): Promise<URL> {
  const refuse = (why: string) => new BadUserInputError(`url refused: ${why}`, 'url');
  if (text.length > 2000) throw refuse('longer than 2000 characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowLoopback)) throw refuse('it must be https');
  if (url.username || url.password) throw refuse('credentials in the URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await opts.lookup(host)).map((a) => a.address);
    } catch {
      throw refuse(`${host} does not resolve`);
    }
  }
  if (!addresses.length) throw refuse(`${host} does not resolve`);
  for (const address of addresses) {
    const why = addressRefusal(address, opts.allowLoopback);
    if (why) throw refuse(`${host} resolves to ${why}`);
  }
  // Plain http only to loopback: the development receiver, never something on the network.
  if (url.protocol === 'http:' && addresses.some((a) => addressRefusal(a, false) === null)) throw refuse('http is allowed for loopback receivers only; use https');
  return url;
}
