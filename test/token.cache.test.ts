import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../src/auth/token.cache.js';
import type { Viewer } from '../src/auth/viewer.js';

const viewer: Viewer = { sub: '00000000-0000-4000-8000-000000000001', role: 'agent', workspace: '00000000-0000-4000-8000-000000000002' };

describe('VerifiedTokenCache', () => {
  it('serves a verified token until its exp, never after', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    cache.set('t', viewer, (now + 30_000) / 1000);
    expect(cache.get('t')).toEqual(viewer);
    now += 29_999;
    expect(cache.get('t')).toEqual(viewer);
    now += 1;
    expect(cache.get('t')).toBeUndefined();
  });

  it('re-verifies at least once a minute even for long-lived tokens', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    cache.set('t', viewer, (now + 24 * 3600_000) / 1000);
    now += 59_999;
    expect(cache.get('t')).toEqual(viewer);
    now += 1;
    expect(cache.get('t')).toBeUndefined();
  });

  it('stays bounded: the oldest entry goes first', () => {
    const cache = new VerifiedTokenCache(() => 0);
    for (let i = 0; i <= 10_000; i++) cache.set(`t${i}`, viewer, 3600);
    expect(cache.get('t0')).toBeUndefined();
    expect(cache.get('t1')).toEqual(viewer);
    expect(cache.get('t10000')).toEqual(viewer);
  });
});
