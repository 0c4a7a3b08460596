// TRUST_PROXY: which TCP peers may tell this service the client's address (X-Forwarded-For) and the public
// protocol and host (X-Forwarded-Proto, X-Forwarded-Host). Behind an ingress every request's peer is the ingress:
// without this, the rating pages' per-IP limit counts all customers together.
import ipaddr from 'ipaddr.js';

const EXPECTED = 'false or comma-separated IP addresses or CIDR ranges of the proxies in front (e.g. 10.0.0.0/8)';

/** One entry: an IPv4 address in four decimal parts, an IPv6 address, or either with a /prefix. */
function isAddressOrRange(entry: string): boolean {
  if (entry.includes('/')) return ipaddr.IPv6.isValidCIDR(entry) || ipaddr.IPv4.isValidCIDRFourPartDecimal(entry);
  // Not ipaddr.isValid: it also takes `10.1` or `0x0a000001` for an IPv4 address, which nobody means here.
  return ipaddr.IPv6.isValid(entry) || ipaddr.IPv4.isValidFourPartDecimal(entry);
}

/**
 * The trusted proxies (none: trust no header, the TCP peer is the client), or the problem with the value.
 * Refused: `true` (every peer trusted: any client could choose its address, and so its own rate limit) and a hop
 * count (it cannot tell the ingress from a client that sends the header itself; Fastify 5.12 ignores one, failing
 * closed, so it would silently trust nothing).
 */
export function parseTrustProxy(value: string): string[] | { problem: string } {
  if (value === 'false') return [];
  if (value === 'true') return { problem: `must be ${EXPECTED}; true (trust every peer) is refused: any client could then choose its own address` };
  if (/^\d+$/.test(value))
    return { problem: `must be ${EXPECTED}; a hop count ("${value}") is refused: it cannot tell the proxy from a client sending X-Forwarded-For itself` };
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.find((e) => !isAddressOrRange(e));
  if (bad !== undefined || entries.length === 0) return { problem: `must be ${EXPECTED}, got "${bad ?? value}"` };
  return entries;
}
