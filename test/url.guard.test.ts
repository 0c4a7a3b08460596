// The SSRF guard (src/webhooks/url.guard.ts): public unicast only. One address from every entry of the IANA IPv4
// and IPv6 Special-Purpose Address Registries (plus multicast, broadcast, site-local, IPv4-compatible and the space
// outside 2000::/3) with its verdict; public controls beside each edge; IPv4 embedded in IPv6; DNS names resolving
// to such addresses (a lookup of our own: no DNS); refusals through the API at save, and at delivery. Nothing here
// connects anywhere: the app's worker is off and the delivery check refuses before connecting.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postOnce } from '../src/webhooks/delivery/delivery.sender.js';
import { addressClass, addressRefusal, checkWebhookUrl, type HostLookup } from '../src/webhooks/url.guard.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

type Verdict = 'refused' | 'loopback' | 'public';

/** [registry entry, its block, one address in it, verdict]. Refused also where IANA says "globally reachable" (anycast infrastructure, never a receiver). */
const IPV4: [string, string, string, Verdict][] = [
  ['"This network"', '0.0.0.0/8', '0.1.2.3', 'refused'],
  ['"This host on this network"', '0.0.0.0/32', '0.0.0.0', 'refused'],
  ['Private-Use', '10.0.0.0/8', '10.255.255.254', 'refused'],
  ['Shared Address Space', '100.64.0.0/10', '100.64.0.1', 'refused'],
  ['Loopback', '127.0.0.0/8', '127.0.0.2', 'loopback'],
  ['Link Local (cloud metadata)', '169.254.0.0/16', '169.254.169.254', 'refused'],
  ['Private-Use', '172.16.0.0/12', '172.31.255.254', 'refused'],
  ['IETF Protocol Assignments', '192.0.0.0/24', '192.0.0.100', 'refused'],
  ['IPv4 Service Continuity Prefix', '192.0.0.0/29', '192.0.0.1', 'refused'],
  ['IPv4 dummy address', '192.0.0.8/32', '192.0.0.8', 'refused'],
  ['Port Control Protocol Anycast', '192.0.0.9/32', '192.0.0.9', 'refused'],
  ['Traversal Using Relays around NAT Anycast', '192.0.0.10/32', '192.0.0.10', 'refused'],
  ['NAT64/DNS64 Discovery', '192.0.0.170/32', '192.0.0.170', 'refused'],
  ['NAT64/DNS64 Discovery', '192.0.0.171/32', '192.0.0.171', 'refused'],
  ['Documentation (TEST-NET-1)', '192.0.2.0/24', '192.0.2.1', 'refused'],
  ['AS112-v4', '192.31.196.0/24', '192.31.196.1', 'refused'],
  ['AMT', '192.52.193.0/24', '192.52.193.1', 'refused'],
  ['Deprecated (6to4 Relay Anycast)', '192.88.99.0/24', '192.88.99.1', 'refused'],
  ['6a44-relay anycast address', '192.88.99.2/32', '192.88.99.2', 'refused'],
  ['Private-Use', '192.168.0.0/16', '192.168.1.1', 'refused'],
  ['Direct Delegation AS112 Service', '192.175.48.0/24', '192.175.48.1', 'refused'],
  ['Benchmarking', '198.18.0.0/15', '198.19.255.254', 'refused'],
  ['Documentation (TEST-NET-2)', '198.51.100.0/24', '198.51.100.1', 'refused'],
  ['Documentation (TEST-NET-3)', '203.0.113.0/24', '203.0.113.1', 'refused'],
  ['Reserved', '240.0.0.0/4', '240.0.0.1', 'refused'],
  ['Limited Broadcast', '255.255.255.255/32', '255.255.255.255', 'refused'],
  ['Multicast (its own registry)', '224.0.0.0/4', '239.255.255.250', 'refused'],
];

const IPV6: [string, string, string, Verdict][] = [
  ['Loopback Address', '::1/128', '::1', 'loopback'],
  ['Unspecified Address', '::/128', '::', 'refused'],
  ['IPv4-mapped Address (of a private address)', '::ffff:0:0/96', '::ffff:10.0.0.1', 'refused'],
  ['IPv4-mapped Address (of loopback)', '::ffff:0:0/96', '::ffff:127.0.0.1', 'loopback'],
  ['IPv4-mapped Address (of a public address)', '::ffff:0:0/96', '::ffff:8.8.8.8', 'public'],
  ['IPv4-IPv6 Translat. (NAT64, metadata behind it)', '64:ff9b::/96', '64:ff9b::a9fe:a9fe', 'refused'],
  ['IPv4-IPv6 Translat. (NAT64, loopback behind it)', '64:ff9b::/96', '64:ff9b::7f00:1', 'refused'],
  ['IPv4-IPv6 Translat. (NAT64, public behind it)', '64:ff9b::/96', '64:ff9b::808:808', 'public'],
  ['Local-use IPv4/IPv6 Translation', '64:ff9b:1::/48', '64:ff9b:1::808:808', 'refused'],
  ['Discard-Only Address Block', '100::/64', '100::1', 'refused'],
  ['Dummy IPv6 Prefix', '100:0:0:1::/64', '100:0:0:1::1', 'refused'],
  ['IETF Protocol Assignments', '2001::/23', '2001:100::1', 'refused'],
  ['TEREDO (client 127.0.0.1)', '2001::/32', '2001:0:4136:e378:8000:63bf:80ff:fffe', 'refused'],
  ['TEREDO (public server and client: refused whole)', '2001::/32', '2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'refused'],
  ['Port Control Protocol Anycast', '2001:1::1/128', '2001:1::1', 'refused'],
  ['Traversal Using Relays around NAT Anycast', '2001:1::2/128', '2001:1::2', 'refused'],
  ['DNS-SD Service Registration Protocol Anycast', '2001:1::3/128', '2001:1::3', 'refused'],
  ['Benchmarking', '2001:2::/48', '2001:2::1', 'refused'],
  ['AMT', '2001:3::/32', '2001:3::1', 'refused'],
  ['AS112-v6', '2001:4:112::/48', '2001:4:112::1', 'refused'],
  ['Deprecated (previously ORCHID)', '2001:10::/28', '2001:10::1', 'refused'],
  ['ORCHIDv2', '2001:20::/28', '2001:20::1', 'refused'],
  ['Drone Remote ID Protocol Entity Tags (DETs) Prefix', '2001:30::/28', '2001:30::1', 'refused'],
  ['Documentation', '2001:db8::/32', '2001:db8::1', 'refused'],
  ['6to4 (127.0.0.1 inside)', '2002::/16', '2002:7f00:1::1', 'refused'],
  ['6to4 (169.254.169.254 inside)', '2002::/16', '2002:a9fe:a9fe::1', 'refused'],
  ['6to4 (8.8.8.8 inside: refused whole)', '2002::/16', '2002:808:808::1', 'refused'],
  ['Direct Delegation AS112 Service', '2620:4f:8000::/48', '2620:4f:8000::1', 'refused'],
  ['Documentation', '3fff::/20', '3fff::1', 'refused'],
  ['Segment Routing (SRv6) SIDs', '5f00::/16', '5f00::1', 'refused'],
  ['Unique-Local (AWS metadata)', 'fc00::/7', 'fd00:ec2::254', 'refused'],
  ['Unique-Local', 'fc00::/7', 'fc00::1', 'refused'],
  ['Link-Local Unicast', 'fe80::/10', 'fe80::1', 'refused'],
  ['Multicast (its own registry)', 'ff00::/8', 'ff02::1', 'refused'],
  ['Site-local (deprecated, RFC 3879)', 'fec0::/10', 'fec0::1', 'refused'],
  ['IPv4-compatible (deprecated, RFC 4291)', '::/96', '::7f00:1', 'refused'],
  ['IPv4-compatible of a public address', '::/96', '::808:808', 'refused'],
  ['IPv4-translated (RFC 6145)', '::ffff:0:0:0/96', '::ffff:0:a00:1', 'refused'],
  ['Outside global unicast', '4000::/3', '4000::1', 'refused'],
];

/** Public addresses, several right beside a special range's edge. */
const PUBLIC = ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.1', '192.88.98.255', '198.17.255.255', '198.20.0.0', '223.255.255.254', '2606:4700:4700::1111', '2001:4860:4860::8888', '2001:200::1', '2a00:1450:4001::1', '3ffe::1'];

const verdict = (address: string): Verdict => (addressRefusal(address, false) === null ? 'public' : addressRefusal(address, true) === null ? 'loopback' : 'refused');

describe('every special-purpose range', () => {
  it.each([...IPV4, ...IPV6])('%s %s: %s is %s', (_, __, address, expected) => {
    expect(verdict(address)).toBe(expected);
  });

  it.each(PUBLIC)('%s is public', (address) => {
    expect(addressClass(address)).toBe('public');
  });

  it('names the range it refuses', () => {
    expect(addressClass('10.0.0.1')).toBe('private');
    expect(addressClass('2002:7f00:1::1')).toBe('6to4');
    expect(addressClass('64:ff9b::a9fe:a9fe')).toBe('linkLocal behind NAT64');
    expect(addressRefusal('192.0.2.1', false)).toBe('a non-public address (reserved)');
    expect(addressClass('example.com')).toBe('not an IP address');
  });
});

/** Names resolve only as the tests say; anything else does not resolve (no DNS query leaves the machine). */
const names: Record<string, string[]> = {
  'metadata.example.test': ['169.254.169.254'],
  'mapped.example.test': ['::ffff:10.0.0.1'],
  'compat.example.test': ['::7f00:1'],
  'sixtofour.example.test': ['2002:a9fe:a9fe::1'],
  'teredo.example.test': ['2001:0:4136:e378:8000:63bf:80ff:fffe'],
  'nat64.example.test': ['64:ff9b::a00:1'],
  'testnet.example.test': ['198.51.100.7'],
  'mixed.example.test': ['93.184.215.14', '192.168.0.10'],
  'public.example.test': ['93.184.215.14', '2606:4700:4700::1111'],
  'nat64-public.example.test': ['64:ff9b::5db8:d70e'],
};
const lookup: HostLookup = async (host) => {
  const found = names[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** The URLs issue 17 found accepted in production, and names resolving to special addresses. */
const REFUSED_URLS = [
  'https://[::127.0.0.1]/hooks',
  'https://[::7f00:1]/hooks',
  'https://[fec0::1]/hooks',
  'https://[2002:7f00:1::1]/hooks',
  'https://[2002:a9fe:a9fe::1]/hooks',
  'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hooks',
  'https://[100::1]/hooks',
  'https://192.0.2.1/hooks',
  'https://198.51.100.1/hooks',
  'https://203.0.113.1/hooks',
  'https://192.88.99.1/hooks',
  'https://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
  ...Object.keys(names)
    .filter((n) => !n.startsWith('public') && !n.startsWith('nat64-public'))
    .map((n) => `https://${n}/hooks`),
  'https://nowhere.example.test/hooks',
];

describe('checkWebhookUrl', () => {
  it.each(REFUSED_URLS)('refuses %s', async (url) => {
    await expect(checkWebhookUrl(url, { allowLoopback: false, lookup })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  });

  it.each(['https://public.example.test/hooks', 'https://nat64-public.example.test/hooks', 'https://[2606:4700:4700::1111]/hooks', 'https://93.184.215.14/hooks'])('accepts %s', async (url) => {
    await expect(checkWebhookUrl(url, { allowLoopback: false, lookup })).resolves.toBeInstanceOf(URL);
  });
});

describe('through the API (worker off: nothing stored is called)', () => {
  const ctx = useTestApp({ LOG_LEVEL: 'warn' }, { lookup });
  const CREATE = `mutation($i: CreateCsatWebhookInput!) { createCsatWebhook(input: $i) { webhook { id url } } }`;
  const UPDATE = `mutation($i: UpdateCsatWebhookInput!) { updateCsatWebhook(input: $i) { id url } }`;

  it('refuses each at save (create and update) with BAD_USER_INPUT on url, and stores none of them', async () => {
    const ws = randomUUID();
    const admin = await tokenFor(viewer('admin', ws));
    const ok = await ctx.app.gql(CREATE, { i: { url: 'https://public.example.test/hooks', events: ['CSAT_RATING_CREATED'] } }, { token: admin });
    expect(ok.errors).toBeUndefined();
    for (const url of REFUSED_URLS) {
      const created = await ctx.app.gql(CREATE, { i: { url, events: ['CSAT_RATING_CREATED'] } }, { token: admin });
      expect(created.errors?.[0]?.extensions, url).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
      const updated = await ctx.app.gql(UPDATE, { i: { id: ok.data.createCsatWebhook.webhook.id, url } }, { token: admin });
      expect(updated.errors?.[0]?.extensions, url).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    }
    const { rows } = await ctx.pool.query('select url from csat_webhook where workspace_id = $1', [ws]);
    expect(rows).toEqual([{ url: 'https://public.example.test/hooks' }]);
  });
});

describe('at delivery, after DNS resolution', () => {
  it.each(['metadata', 'mapped', 'compat', 'sixtofour', 'teredo', 'nat64', 'testnet', 'mixed'])('a name now resolving as %s is refused before any connection', async (name) => {
    const result = await postOnce(new URL(`https://${name}.example.test/hooks`), {}, '{}', { lookup, allowLoopback: false, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/refused: .* resolves to a non-public address/) });
  });
});
