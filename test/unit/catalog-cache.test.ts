import { CatalogCache } from '../../api/portal/catalog-cache';

describe('CatalogCache', () => {
  let now = 0;
  const cache = () => new CatalogCache<string>(1_000, () => now);
  beforeEach(() => {
    now = 0;
  });

  it('loads once per lifetime, sharing a load in progress, then loads again', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await Promise.all([c.get('r1', load), c.get('r1', load)])).toEqual(['v1', 'v1']);
    now = 999;
    expect(await c.get('r1', load)).toBe('v1');
    now = 1_000;
    expect(await c.get('r1', load)).toBe('v2');
    expect(await c.get('r2', load)).toBe('v3');
  });

  it('forgets everything on invalidate, and never keeps a failed load', async () => {
    const c = cache();
    await c.get('r1', async () => 'old');
    c.invalidate();
    expect(await c.get('r1', async () => 'new')).toBe('new');

    await expect(c.get('r2', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await c.get('r2', async () => 'recovered')).toBe('recovered');
  });
});
