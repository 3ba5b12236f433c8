// The configuration a customer pastes into their own servers after enrolling a zone (seed 001 "What do I need to
// configure"): BIND and Knot snippets for the source (allow-transfer to Signet, also-notify Signet) and for the
// destinations (Signet as their primary), and the addresses their firewall must let through.
import type { CustomerConfig, DestinationSpec, NameserverSpec, TsigKeyView } from '../zone-events/index.js';

/** Where Signet talks from and listens on. */
export interface SignetEndpoints {
  /** Signet's transfer/NOTIFY address(es) and port. */
  readonly addresses: readonly string[];
  readonly port: number;
}

function keyStatementBind(k: TsigKeyView | undefined): string {
  return k?.secret ? `key "${k.name}" {\n    algorithm ${k.algorithm};\n    secret "${k.secret}";\n};\n` : '';
}

function keyRef(name: string | undefined): string {
  return name ? ` key "${name}"` : '';
}

/** The snippets for one enrolled zone. `key` is the zone's TSIG key when it was generated (its secret included). */
export function customerConfig(zone: string, sources: readonly NameserverSpec[], destinations: readonly DestinationSpec[], signet: SignetEndpoints, key?: TsigKeyView): CustomerConfig {
  const z = zone.endsWith('.') ? zone.slice(0, -1) : zone;
  const srcKey = sources[0]?.tsigKey;
  const dstKey = destinations[0]?.tsigKey;
  const notifyTo = signet.addresses.map((a) => `${a} port ${signet.port}${keyRef(srcKey)};`).join(' ');
  const allowXfr = signet.addresses.map((a) => (srcKey ? `key "${srcKey}";` : `${a};`)).filter((v, i, l) => l.indexOf(v) === i).join(' ');
  const primaries = signet.addresses.map((a) => `${a} port ${signet.port}${keyRef(dstKey)};`).join(' ');
  const bind =
    keyStatementBind(key) +
    `// on the SOURCE name server (serves the unsigned zone):\n` +
    `zone "${z}" {\n    type primary;\n    file "${z}.zone";\n    allow-transfer { ${allowXfr} };\n    also-notify { ${notifyTo} };\n    notify explicit;\n};\n` +
    `// on each DESTINATION name server (serves the signed zone):\n` +
    `zone "${z}" {\n    type secondary;\n    file "${z}.signed";\n    primaries { ${primaries} };\n    allow-notify { ${signet.addresses.join('; ')}; };\n};\n`;
  const knotKey = key?.secret ? `key:\n  - id: ${key.name}\n    algorithm: ${key.algorithm}\n    secret: ${key.secret}\n\n` : '';
  const remotes = signet.addresses
    .map((a, i) => `  - id: signet${i + 1}\n    address: ${a}@${signet.port}${srcKey || dstKey ? `\n    key: ${srcKey ?? dstKey}` : ''}`)
    .join('\n');
  const ids = signet.addresses.map((_a, i) => `signet${i + 1}`).join(', ');
  const knot =
    knotKey +
    `remote:\n${remotes}\n\nacl:\n  - id: signet-xfr\n    address: [${signet.addresses.join(', ')}]\n    action: [transfer, notify]${srcKey ? `\n    key: ${srcKey}` : ''}\n\n` +
    `# on the SOURCE:\nzone:\n  - domain: ${z}\n    file: ${z}.zone\n    notify: [${ids}]\n    acl: [signet-xfr]\n\n` +
    `# on each DESTINATION:\nzone:\n  - domain: ${z}\n    master: [${ids}]\n    acl: [signet-xfr]\n`;
  // the rules to open, from each Signet address: to the source's port, to the destinations' port, and back to Signet's
  const udpTcp: ('udp' | 'tcp')[] = ['udp', 'tcp'];
  const ports = (l: readonly NameserverSpec[]): number[] => [...new Set(l.map((n) => n.port ?? 53))];
  const firewall = signet.addresses.flatMap((a) => [
    ...ports(sources).map((p) => ({ address: a, port: p, protocols: udpTcp, purpose: `from this Signet address to your source(s), port ${p}: SOA queries and zone transfers` })),
    ...ports(destinations.filter((d) => d.notify !== false)).map((p) => ({ address: a, port: p, protocols: udpTcp, purpose: `from this Signet address to your destinations, port ${p}: NOTIFY` })),
    { address: a, port: signet.port, protocols: udpTcp, purpose: 'from your destinations to this Signet address and port: SOA queries and transfers of the signed zone' },
  ]);
  return { bind, knot, firewall };
}
