import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { BadUserInputError } from '../errors/domain.errors.js';

/** Resolves a host name to its addresses (the service uses DNS; tests pass their own). */
export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Never an endpoint: private, link-local (and so the cloud metadata address 169.254.169.254), shared, multicast, reserved. */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7], // unique local, including AWS's IPv6 metadata fd00:ec2::254
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is checked as the IPv4 address it reaches. */
function unmapped(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why this address may not be called, or null when it may. */
export function addressRefusal(address: string, allowLoopback: boolean): string | null {
  const a = unmapped(address);
  if (LOOPBACK.check(a.address, a.type)) return allowLoopback ? null : 'a loopback address';
  if (FORBIDDEN.check(a.address, a.type)) return 'a private, link-local, metadata or reserved address';
  return null;
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
