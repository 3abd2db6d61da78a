import { describe, expect, it } from 'vitest';
import { checkTarget, classifyAddress, compileEgressPolicy, EgressDenied, type AddressClass, type ResolveAll } from '../../catalog/egress.js';

/** A resolver for made-up names: no test here touches DNS. */
function fakeLookup(table: Record<string, string[]>): ResolveAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return Object.assign(lookup, { calls });
}

const cases: readonly (readonly [string, AddressClass])[] = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.0.1', 'link_local'],
  ['169.254.169.254', 'cloud_metadata'],
  ['169.254.170.2', 'cloud_metadata'],
  ['100.100.100.200', 'cloud_metadata'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.10', 'reserved'],
  ['198.18.0.1', 'reserved'],
  // Just outside the ranges above.
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['169.253.255.255', 'public'],
  ['11.0.0.1', 'public'],
  ['8.8.8.8', 'public'],
  ['93.184.216.34', 'public'],
  // IPv6
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['febf::1', 'link_local'],
  ['fd00:ec2::254', 'cloud_metadata'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['100::1', 'reserved'],
  ['[::1]', 'loopback'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:81c::200e', 'public'],
  // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms are their IPv4 address.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:a9fe:a9fe', 'cloud_metadata'],
  ['::ffff:169.254.169.254', 'cloud_metadata'],
  ['::ffff:100.64.0.1', 'cgnat'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:8.8.8.8', 'public'],
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::c0a8:101', 'private'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::808:808', 'public'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:0808:0808::1', 'public'],
];

describe('classifyAddress', () => {
  it.each(cases)('%s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each(['localhost', '1.2.3', '256.0.0.1', '::ffff:1.2.3.4.5', '1::2::3', 'fe80::g', ''])('rejects %j as not an address', (text) => {
    expect(() => classifyAddress(text)).toThrow(TypeError);
  });
});

describe('compileEgressPolicy', () => {
  it('accepts hosts, wildcards and ranges of both families', () => {
    const policy = compileEgressPolicy({ allowHosts: ['API.internal', '*.corp.example'], allowCidrs: ['10.0.0.0/8', 'fd00::/8', '127.0.0.1'] });
    expect(policy.hosts).toEqual(['api.internal', '*.corp.example']);
    expect(policy.cidrs.map((c) => [c.family, c.prefix])).toEqual([[4, 8], [6, 8], [4, 32]]);
  });

  it.each([['10.0.0.0/33'], ['10.0.0/8'], ['fd00::/129'], ['10.0.0.0/'], ['nope']])('rejects allowCidrs entry %s, naming it', (cidr) => {
    expect(() => compileEgressPolicy({ allowCidrs: [cidr] })).toThrow(`'${cidr}' is not an address range`);
  });

  it('rejects a host entry that is not a host name', () => {
    expect(() => compileEgressPolicy({ allowHosts: ['http://x.test/'] })).toThrow(/allowHosts entry 'http:\/\/x\.test\/' is not a host name/);
  });
});

describe('checkTarget', () => {
  const open = compileEgressPolicy({});

  it('resolves a name once and returns the address to connect to', async () => {
    const lookup = fakeLookup({ 'api.example.test': ['93.184.216.34', '2606:2800:220:1::1'] });
    const target = await checkTarget('https://API.example.test/v1', open, lookup);
    expect(target).toMatchObject({ hostname: 'api.example.test', address: '93.184.216.34', family: 4, addressClass: 'public' });
    expect(lookup.calls).toEqual(['api.example.test']);
  });

  it.each([
    ['10.0.0.7', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'cloud_metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['fd00:ec2::254', 'cloud_metadata'],
    ['100.64.1.1', 'cgnat'],
  ])('denies a name resolving to %s (%s), naming host, address, class and the allow-list', async (address, cls) => {
    const lookup = fakeLookup({ 'sneaky.example.test': [address] });
    const err = await checkTarget('http://sneaky.example.test/', open, lookup).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EgressDenied);
    const denied = err as EgressDenied;
    expect(denied).toMatchObject({ hostname: 'sneaky.example.test', address, addressClass: cls });
    expect(denied.message).toContain(`'sneaky.example.test' resolves to ${address}`);
    expect(denied.message).toContain(cls.replace('_', '-'));
    expect(denied.message).toMatch(/allowHosts.*allowCidrs/);
  });

  it('denies when any one of several answers is internal', async () => {
    const lookup = fakeLookup({ 'mixed.example.test': ['93.184.216.34', '10.0.0.1'] });
    await expect(checkTarget('http://mixed.example.test/', open, lookup)).rejects.toMatchObject({ address: '10.0.0.1', addressClass: 'private' });
  });

  it.each(['http://127.0.0.1:8080/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0x7f.1/', 'http://2130706433/', 'http://[::ffff:a9fe:a9fe]/'])(
    'denies the literal %s without resolving it',
    async (url) => {
      const lookup = fakeLookup({});
      await expect(checkTarget(url, open, lookup)).rejects.toBeInstanceOf(EgressDenied);
      expect(lookup.calls).toEqual([]);
    },
  );

  it('allows an internal address covered by allowCidrs, including the IPv4-mapped form', async () => {
    const policy = compileEgressPolicy({ allowCidrs: ['127.0.0.0/8'] });
    await expect(checkTarget('http://127.0.0.1/', policy, fakeLookup({}))).resolves.toMatchObject({ address: '127.0.0.1', addressClass: 'loopback' });
    await expect(checkTarget('http://[::ffff:7f00:1]/', policy, fakeLookup({}))).resolves.toMatchObject({ address: '127.0.0.1', family: 4 });
    await expect(checkTarget('http://[::1]/', policy, fakeLookup({}))).rejects.toMatchObject({ addressClass: 'loopback' });
  });

  it('allows an allow-listed host (exact or wildcard) to resolve inside, except to cloud metadata', async () => {
    const policy = compileEgressPolicy({ allowHosts: ['billing.internal', '*.corp.test'] });
    const lookup = fakeLookup({ 'billing.internal': ['10.1.2.3'], 'a.b.corp.test': ['192.168.0.9'], 'corp.test': ['10.0.0.1'], 'meta.corp.test': ['169.254.169.254'] });
    await expect(checkTarget('http://billing.internal/', policy, lookup)).resolves.toMatchObject({ address: '10.1.2.3' });
    await expect(checkTarget('http://a.b.corp.test/', policy, lookup)).resolves.toMatchObject({ address: '192.168.0.9' });
    await expect(checkTarget('http://corp.test/', policy, lookup)).rejects.toMatchObject({ addressClass: 'private' });
    await expect(checkTarget('http://meta.corp.test/', policy, lookup)).rejects.toMatchObject({ addressClass: 'cloud_metadata' });
    const metadata = compileEgressPolicy({ allowCidrs: ['169.254.169.254/32'] });
    await expect(checkTarget('http://169.254.169.254/', metadata, lookup)).resolves.toMatchObject({ addressClass: 'cloud_metadata' });
  });

  it('denies schemes other than http and https, and empty answers', async () => {
    await expect(checkTarget('file:///etc/passwd', open, fakeLookup({}))).rejects.toMatchObject({ addressClass: 'scheme' });
    await expect(checkTarget('http://empty.test/', open, fakeLookup({ 'empty.test': [] }))).rejects.toMatchObject({ addressClass: 'unresolved' });
  });

  it('lets resolver errors through unchanged', async () => {
    await expect(checkTarget('http://missing.test/', open, fakeLookup({}))).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
