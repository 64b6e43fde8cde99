import { isHostName, RouterEndpointPolicy } from '../../shared/router-endpoints';

describe('router endpoint policy (ROUTER_ALLOWED_NETWORKS)', () => {
  const byDefault = new RouterEndpointPolicy(['default']);

  it('allows ordinary addresses by default, private networks and VPNs included', () => {
    for (const address of ['192.168.88.1', '10.8.0.1', '172.16.5.4', '100.64.0.1', '8.8.8.8', 'fd00::1', '2001:db8::1']) {
      expect({ address, allowed: byDefault.allowsAddress(address) }).toEqual({ address, allowed: true });
    }
  });

  it('refuses loopback, link-local, multicast and unspecified addresses by default, IPv4 and IPv6', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '169.254.169.254',
      '224.0.0.1',
      '239.1.2.3',
      '0.0.0.0',
      '0.1.2.3',
      '::1',
      '::',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
    ]) {
      expect({ address, allowed: byDefault.allowsAddress(address) }).toEqual({ address, allowed: false });
    }
  });

  it('allows exactly the listed networks without `default`, and adds them to it with `default`', () => {
    const lab = new RouterEndpointPolicy(['10.0.0.0/8', '2001:db8::/32', '127.0.0.1']);
    expect(['10.1.2.3', '2001:db8::9', '127.0.0.1'].map((a) => lab.allowsAddress(a))).toEqual([true, true, true]);
    expect(['192.168.1.1', '127.0.0.2', 'fd00::1'].map((a) => lab.allowsAddress(a))).toEqual([false, false, false]);
    const withLoopback = new RouterEndpointPolicy(['default', '127.0.0.0/8']);
    expect(['127.0.0.5', '192.168.1.1', '::1', '169.254.0.1'].map((a) => withLoopback.allowsAddress(a))).toEqual([true, true, false, false]);
  });

  it('checks hosts without DNS when a router is saved: addresses, and names that always mean this machine', () => {
    expect(byDefault.allowsHost('192.168.88.1')).toBe(true);
    expect(byDefault.allowsHost('router.example.net')).toBe(true);
    for (const host of ['127.0.0.1', '::1', 'localhost', 'LOCALHOST.', 'api.localhost', '169.254.169.254']) {
      expect({ host, allowed: byDefault.allowsHost(host) }).toEqual({ host, allowed: false });
    }
    expect(new RouterEndpointPolicy(['default', '127.0.0.1']).allowsHost('localhost')).toBe(true);
    expect(new RouterEndpointPolicy(['localhost']).allowsHost('localhost')).toBe(true);
  });

  it('tells host names from addresses in disguise', () => {
    expect(['router.example.net', 'mikrotik', 'r1.isp-vpn.example.', 'xn--caf-dma.example'].map(isHostName)).toEqual([true, true, true, true]);
    expect(['127.1', '2130706433', '0x7f000001', '0x7f.1', 'a..b', '-x.example', 'bad host', 'a_b.example', ''].map(isHostName)).toEqual(
      Array(9).fill(false),
    );
  });

  it('resolves a name and connects only to an allowed address: a name that resolves to loopback is refused', async () => {
    await expect(byDefault.resolve('localhost')).resolves.toMatchObject({ ok: false });
    await expect(new RouterEndpointPolicy(['default', '127.0.0.0/8']).resolve('localhost')).resolves.toEqual({ ok: true, address: '127.0.0.1' });
    await expect(byDefault.resolve('192.168.88.1')).resolves.toEqual({ ok: true, address: '192.168.88.1' });
    await expect(byDefault.resolve('127.0.0.1')).resolves.toEqual({ ok: false, addresses: ['127.0.0.1'] });
  });

  it('checks what a name resolves to at each resolution (DNS rebinding), and skips refused addresses of a name', async () => {
    const answers = [['192.168.88.1'], ['127.0.0.1'], ['127.0.0.1', '10.0.0.7']];
    const policy = new RouterEndpointPolicy(['default'], async () => answers.shift()!);
    await expect(policy.resolve('router.example.net')).resolves.toEqual({ ok: true, address: '192.168.88.1' });
    await expect(policy.resolve('router.example.net')).resolves.toEqual({ ok: false, addresses: ['127.0.0.1'] });
    await expect(policy.resolve('router.example.net')).resolves.toEqual({ ok: true, address: '10.0.0.7' });
  });

  it('trusts a listed name whatever it resolves to', async () => {
    const policy = new RouterEndpointPolicy(['router.lab.example'], async () => ['127.0.0.1']);
    await expect(policy.resolve('Router.Lab.Example.')).resolves.toEqual({ ok: true, address: '127.0.0.1' });
    await expect(policy.resolve('other.lab.example')).resolves.toEqual({ ok: false, addresses: ['127.0.0.1'] });
  });
});
