/**
 * The egress guard: which addresses an outbound HTTP request may reach. A target's host is
 * resolved once, every resolved address is classified, and the request is denied when any of them
 * is internal (loopback, private, link-local, CGNAT, cloud metadata, unspecified, multicast or
 * reserved) unless the worker's allow-list covers it. The caller then connects to the one address
 * returned, so a second DNS answer cannot swap in another target (DNS rebinding).
 *
 * @example
 * const policy = compileEgressPolicy({ allowCidrs: ['10.20.0.0/16'] });
 * const target = await checkTarget('https://api.example.com/v1', policy, dns.promises.lookup);
 * // connect to target.address, with Host and TLS servername target.hostname
 */
import { isIP } from 'node:net';

/** Where an address leads: `public`, or the reason it is denied by default. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'cgnat'
  | 'cloud_metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** What the worker allows beyond public addresses. Comes from worker configuration, never from a plan. */
export interface EgressPolicy {
  /** Host names (exact, case-insensitive; `*.example.com` for its subdomains) that may resolve to internal addresses. */
  readonly allowHosts?: readonly string[];
  /** Address ranges (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`) that may be reached whatever the host. */
  readonly allowCidrs?: readonly string[];
}

/** One answer of `dns.promises.lookup(host, { all: true })`. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** The resolver `checkTarget` uses: `dns.promises.lookup` with `all: true`, or a fake in tests. */
export type ResolveAll = (hostname: string, options: { all: true; verbatim?: boolean }) => Promise<ResolvedAddress[]>;

/** A checked target: connect to `address`, and send `hostname` as Host and TLS servername. */
export interface CheckedTarget {
  readonly url: URL;
  /** The URL's host without IPv6 brackets, lower case. */
  readonly hostname: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly addressClass: AddressClass;
}

/** The guard refused a target; says which host, which address and why. */
export class EgressDenied extends Error {
  override readonly name = 'EgressDenied';
  constructor(
    message: string,
    readonly hostname: string,
    readonly address: string | undefined,
    readonly addressClass: AddressClass | 'scheme' | 'unresolved',
  ) {
    super(message);
  }
}

/** An address as family and integer, IPv4-mapped forms already unwrapped. */
interface ParsedAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  // Zone ids (`fe80::1%eth0`) name an interface, not a different address.
  let rest = text.split('%')[0] ?? '';
  const lastColon = rest.lastIndexOf(':');
  if (rest.includes('.', lastColon)) {
    // A dotted IPv4 tail (`::ffff:127.0.0.1`) is the last two 16-bit groups.
    const tail = parseV4(rest.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    rest = `${rest.slice(0, lastColon + 1)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const back = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const explicit = head.length + back.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<string>(8 - explicit).fill('0'), ...back]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

/** Parses an IP address; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes the IPv4 address it carries. */
function parseAddress(ip: string): ParsedAddress | undefined {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (isIP(text) === 4) {
    const v4 = parseV4(text);
    return v4 === undefined ? undefined : { family: 4, value: v4 };
  }
  if (!text.includes(':')) return undefined;
  const v6 = parseV6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

function inRange(value: bigint, bits: number, base: bigint, prefix: number): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

const v4 = (text: string): bigint => parseV4(text) ?? 0n;
const v6 = (text: string): bigint => parseV6(text) ?? 0n;

// Most specific first: metadata addresses sit inside link-local and CGNAT.
const V4_RANGES: readonly (readonly [bigint, number, AddressClass])[] = [
  [v4('169.254.169.254'), 32, 'cloud_metadata'], // AWS, GCP, Azure, OpenStack
  [v4('169.254.170.2'), 32, 'cloud_metadata'], // AWS ECS task metadata
  [v4('100.100.100.200'), 32, 'cloud_metadata'], // Alibaba Cloud
  [v4('0.0.0.0'), 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'cgnat'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link_local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'], // IETF protocol assignments
  [v4('192.0.2.0'), 24, 'reserved'], // documentation
  [v4('192.88.99.0'), 24, 'reserved'], // 6to4 relay anycast
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'], // benchmarking
  [v4('198.51.100.0'), 24, 'reserved'], // documentation
  [v4('203.0.113.0'), 24, 'reserved'], // documentation
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'], // future use and broadcast
];

const V6_RANGES: readonly (readonly [bigint, number, AddressClass])[] = [
  [v6('fd00:ec2::254'), 128, 'cloud_metadata'], // AWS IMDS over IPv6
  [v6('::'), 128, 'unspecified'],
  [v6('::1'), 128, 'loopback'],
  [v6('fc00::'), 7, 'private'], // unique local
  [v6('fe80::'), 10, 'link_local'],
  [v6('fec0::'), 10, 'private'], // deprecated site-local
  [v6('ff00::'), 8, 'multicast'],
  [v6('2001:db8::'), 32, 'reserved'], // documentation
  [v6('2001::'), 32, 'reserved'], // Teredo: tunnels to an embedded IPv4 address
];

// IPv6 prefixes that carry an IPv4 address in their last 32 bits: classified as that address.
const V4_EMBEDDING: readonly (readonly [bigint, number])[] = [
  [0n, 96], // IPv4-compatible (::a.b.c.d, deprecated)
  [v6('64:ff9b::'), 96], // NAT64 well-known prefix
];

function classifyParsed(parsed: ParsedAddress): AddressClass {
  if (parsed.family === 4) {
    for (const [base, prefix, cls] of V4_RANGES) if (inRange(parsed.value, 32, base, prefix)) return cls;
    return 'public';
  }
  for (const [base, prefix, cls] of V6_RANGES) if (inRange(parsed.value, 128, base, prefix)) return cls;
  for (const [base, prefix] of V4_EMBEDDING) {
    if (inRange(parsed.value, 128, base, prefix)) return classifyParsed({ family: 4, value: parsed.value & 0xffffffffn });
  }
  // 6to4 (2002::/16) carries an IPv4 address in bits 16-47.
  if (inRange(parsed.value, 128, v6('2002::'), 16)) return classifyParsed({ family: 4, value: (parsed.value >> 80n) & 0xffffffffn });
  // Only 2000::/3 is global unicast; the rest of the space is special-purpose or unassigned.
  return inRange(parsed.value, 128, v6('2000::'), 3) ? 'public' : 'reserved';
}

/**
 * Classifies an IP address literal (IPv4, IPv6, with or without brackets or a zone id).
 * IPv4-mapped and IPv4-compatible IPv6 forms are classified as the IPv4 address they carry.
 * Throws `TypeError` for text that is not an IP address.
 * @example classifyAddress('::ffff:7f00:1') // 'loopback'
 */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseAddress(ip);
  if (parsed === undefined) throw new TypeError(`'${ip}' is not an IP address.`);
  return classifyParsed(parsed);
}

/** A validated policy: host patterns lower-cased, ranges parsed. */
export interface CompiledEgressPolicy {
  readonly source: EgressPolicy;
  readonly hosts: readonly string[];
  readonly cidrs: readonly { readonly text: string; readonly family: 4 | 6; readonly base: bigint; readonly prefix: number }[];
}

/**
 * Validates a policy once, at worker start: throws `TypeError` naming the bad entry, so a typo in
 * the allow-list stops the worker instead of silently denying (or allowing) at run time.
 */
export function compileEgressPolicy(policy: EgressPolicy): CompiledEgressPolicy {
  const hosts = (policy.allowHosts ?? []).map((h) => {
    const host = h.trim().toLowerCase();
    if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
      throw new TypeError(`Egress allowHosts entry '${h}' is not a host name; use e.g. 'api.internal' or '*.corp.example'.`);
    }
    return host;
  });
  const cidrs = (policy.allowCidrs ?? []).map((text) => {
    const [addr = '', prefixText, ...extra] = text.trim().split('/');
    const parsed = parseAddress(addr);
    const bits = parsed?.family === 4 ? 32 : 128;
    // A mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
    const mappedShift = parsed?.family === 4 && addr.includes(':') ? 96 : 0;
    const prefix = prefixText === undefined ? bits : Number(prefixText) - mappedShift;
    if (parsed === undefined || extra.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits || prefixText === '') {
      throw new TypeError(`Egress allowCidrs entry '${text}' is not an address range; use e.g. '10.0.0.0/8', 'fd00::/8' or '127.0.0.1'.`);
    }
    return { text, family: parsed.family, base: parsed.value, prefix };
  });
  return { source: policy, hosts, cidrs };
}

/** The environment variable operators allow-list internal hosts and ranges with. */
export const EGRESS_ALLOW_VARIABLE = 'WEFT_EGRESS_ALLOW';

/**
 * The egress policy from `WEFT_EGRESS_ALLOW`: a comma-separated list of host names (`api.internal`,
 * `*.corp.example`) and addresses or ranges (`10.20.0.0/16`, `fd00::/8`, `127.0.0.1`). Unset or
 * empty allows nothing internal. A bad entry throws, naming the variable and the entry.
 * @example egressPolicyFromEnv({ WEFT_EGRESS_ALLOW: 'billing.internal, 10.20.0.0/16' })
 * // { allowHosts: ['billing.internal'], allowCidrs: ['10.20.0.0/16'] }
 */
export function egressPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): EgressPolicy {
  const entries = (env[EGRESS_ALLOW_VARIABLE] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const policy: EgressPolicy = {
    allowHosts: entries.filter((e) => !e.includes('/') && isIP(e) === 0),
    allowCidrs: entries.filter((e) => e.includes('/') || isIP(e) !== 0),
  };
  try {
    compileEgressPolicy(policy);
  } catch (err) {
    throw new TypeError(`${EGRESS_ALLOW_VARIABLE}: ${(err as Error).message}`);
  }
  return policy;
}

function hostAllowed(policy: CompiledEgressPolicy, hostname: string): boolean {
  return policy.hosts.some((h) => (h.startsWith('*.') ? hostname.endsWith(h.slice(1)) : hostname === h));
}

function cidrAllowed(policy: CompiledEgressPolicy, parsed: ParsedAddress): boolean {
  return policy.cidrs.some((c) => c.family === parsed.family && inRange(parsed.value, parsed.family === 4 ? 32 : 128, c.base, c.prefix));
}

/** The hint every denial ends with. */
export const ALLOW_LIST_HINT =
  'If this target is intended, add the host or its address range to the worker\'s WEFT_EGRESS_ALLOW ' +
  '(or, in code, egress allowHosts / allowCidrs of createHttpRequestHandler and createEmitHandler); plans cannot change the allow-list.';

/**
 * Checks `url` against the policy: resolves its host once with `lookup` (IP literals are not
 * resolved), classifies every address, and returns the one to connect to. Throws `EgressDenied`
 * for a non-HTTP scheme, an empty answer, or any denied address that the allow-list does not
 * cover; resolver errors propagate unchanged. Cloud-metadata addresses are allowed only by an
 * explicit `allowCidrs` range, never by a host name.
 */
export async function checkTarget(url: string | URL, policy: CompiledEgressPolicy, lookup: ResolveAll): Promise<CheckedTarget> {
  const target = new URL(url);
  const hostname = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new EgressDenied(`Egress to ${target.protocol}//${hostname} is denied: only http: and https: are allowed.`, hostname, undefined, 'scheme');
  }
  const literal = parseAddress(hostname);
  const answers: readonly ResolvedAddress[] =
    literal === undefined ? await lookup(hostname, { all: true, verbatim: true }) : [{ address: hostname, family: isIP(hostname) }];
  if (answers.length === 0) {
    throw new EgressDenied(`Egress to '${hostname}' is denied: the name resolved to no address.`, hostname, undefined, 'unresolved');
  }
  const byHost = hostAllowed(policy, hostname);
  let chosen: CheckedTarget | undefined;
  for (const answer of answers) {
    const parsed = parseAddress(answer.address);
    if (parsed === undefined) {
      throw new EgressDenied(`Egress to '${hostname}' is denied: the resolver returned '${answer.address}', not an IP address.`, hostname, answer.address, 'unresolved');
    }
    const addressClass = classifyParsed(parsed);
    const allowed =
      addressClass === 'public' || cidrAllowed(policy, parsed) || (byHost && addressClass !== 'cloud_metadata');
    if (!allowed) {
      const via = literal === undefined ? `'${hostname}' resolves to ${answer.address}` : `${answer.address}`;
      throw new EgressDenied(
        `Egress to ${via}, a ${addressClass.replace('_', '-')} address, is denied. ${ALLOW_LIST_HINT}`,
        hostname,
        answer.address,
        addressClass,
      );
    }
    // Connect to what was checked; a mapped IPv6 answer is dialled as the IPv4 address it carries.
    chosen ??= { url: target, hostname, address: formatParsed(parsed, answer.address), family: parsed.family, addressClass };
  }
  return chosen as CheckedTarget;
}

function formatParsed(parsed: ParsedAddress, original: string): string {
  if (parsed.family === 6) return original.replace(/^\[|\]$/g, '');
  const v = parsed.value;
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}
