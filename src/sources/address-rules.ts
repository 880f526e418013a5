/**
 * Which network addresses a source may be fetched from. Pure: an address in, the rule that refuses
 * it (or null) out. Ranges come from ipaddr.js (IANA special-purpose registries), so new special
 * ranges are its maintainers' to add, not ours; only ordinary public unicast is allowed.
 */
import ipaddr from 'ipaddr.js';

/** Cloud metadata endpoints (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS over IPv6: fd00:ec2::254). Named first: the worst target. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** ipaddr.js's range names, said as a person would read them in a refusal. */
const RULES: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address (0.0.0.0 or ::)',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (169.254.0.0/16, fe80::/10)',
  loopback: 'a loopback address (this machine: 127.0.0.0/8, ::1)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private network address (10/8, 172.16/12, 192.168/16)',
  uniqueLocal: 'a private IPv6 address (unique local, fc00::/7)',
  reserved: 'a reserved address (documentation, benchmarking or future use)',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'an IPv4-embedded IPv6 address (NAT64)',
  '6to4': 'a 6to4 tunnel address (it may reach any IPv4 host)',
  teredo: 'a Teredo tunnel address (it may reach any IPv4 host)',
  as112: 'an AS112 (reverse DNS sink) address',
  orchid2: 'an ORCHIDv2 (overlay) address',
  droneRemoteIdProtocolEntityTags: 'a drone remote-ID address',
  amt: 'an AMT (multicast tunnel) address',
  benchmarking: 'a benchmarking address',
  discardOnly: 'a discard-only address',
};

/**
 * The rule that refuses fetching from `address` (an IPv4 or IPv6 literal), or null when it is a
 * public unicast address. An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as its IPv4
 * address. Something that is not an address at all is refused too.
 */
export function addressRefusal(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return `not an IP address (${bare.slice(0, 60)})`;
  const parsed = ipaddr.process(bare);
  const normal = parsed.toNormalizedString();
  if (METADATA_ADDRESSES.has(normal) || METADATA_ADDRESSES.has(parsed.toString())) return 'a cloud metadata address';
  const range = parsed.range();
  if (range === 'unicast') return null;
  return RULES[range] ?? `a special-purpose address (${range})`;
}

/** Whether a URL host is an IP literal rather than a name to look up. */
export function isAddressLiteral(host: string): boolean {
  return ipaddr.isValid(host.replace(/^\[|\]$/g, ''));
}
