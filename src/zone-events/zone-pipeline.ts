// One customer zone's signing pipeline (seeds 000/001): a new source version or a due re-sign → sign
// (incrementally, reusing every signature still good) → verify → publish → NOTIFY the destinations → SOA-check
// them until they serve the new serial. Whatever fails, the last good signed zone stays published.
import { equalBytes, silentLogger, type Clock, type Logger } from '../util/index.js';
import { RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { modelRecords, ZoneModel, serialAdd, serialCompare, soaSerial, withSoaSerial } from '../zone/index.js';
import {
  DEFAULT_REFRESH,
  DEFAULT_VALIDITY,
  formatVerifyFailure,
  resignInPlace,
  resignZone,
  signedDiff,
  signZone,
  verifyZoneModel,
  type DenialOptions,
  type SignZoneOptions,
  type ZoneDiff,
  type ZoneKeys,
} from '../dnssec/index.js';
import { changedParts, initialZoneStatus, type ZoneStatus } from './zone-status.js';

/** Which keys (by id) a version publishes and signs with, reported back to the key manager once confirmed. */
export interface PublishedKeySets {
  readonly dnskeys: readonly string[];
  readonly dnskeySigners: readonly string[];
  readonly zoneSigners: readonly string[];
}

/** How to sign now: the keys (from the key lifecycle engine) and the policy's signature settings (seconds). */
export interface SigningSetup {
  /** The key ids behind `keys` and `extraDnskeys`, carried into the signed version. */
  readonly keySets?: PublishedKeySets;
  readonly keys: ZoneKeys;
  /** DNSKEY records published without signing anything (a pre-published successor, a gaining provider's key). */
  readonly extraDnskeys?: readonly ResourceRecord[];
  readonly denial?: DenialOptions;
  readonly validity?: number;
  readonly refresh?: number;
  readonly jitter?: number;
  readonly dnskeyTtl?: number;
}

/** A signed version, as published. */
export interface SignedVersion {
  readonly origin: Name;
  readonly serial: number;
  /**
   * The whole signed zone. For a version made in place (see `touched`) this is built from the model when first
   * read, and may only be read while the version is the newest: the model moves on with the next change.
   */
  readonly records: readonly ResourceRecord[];
  /** The apex SOA as published. */
  readonly soa?: ResourceRecord;
  /** The earliest RRSIG expiration (seconds; conservative: never later than the real one) and the largest TTL. */
  readonly earliestExpiration?: number;
  readonly maxTtl?: number;
  /**
   * Set when this version was made by changing the previous version's `model` in place: the owners whose data or
   * signatures changed (publishers update their indexes there instead of rebuilding them).
   */
  readonly touched?: readonly Name[];
  /** The change from the previously published version (for the IXFR journal); absent for the first. */
  readonly diff?: ZoneDiff;
  readonly previousSerial?: number;
  /** Number of RRSIG records in the version. */
  readonly signatureCount?: number;
  /** Signatures made and signatures kept from the previous version. */
  readonly signaturesMade: number;
  readonly signaturesReused: number;
  /** When it was signed (clock ms). */
  readonly signedAt: number;
  /** When it must be re-signed at the latest (clock ms): the earliest signature refresh point or the cadence. */
  readonly resignAt: number;
  /** The key sets it was signed with (from the signing setup). */
  readonly keySets?: PublishedKeySets;
  /** The zone model the version was verified on (publishers may serve it instead of building their own). */
  readonly model?: ZoneModel;
}

/** One destination's answer to a NOTIFY or an SOA check. */
export interface DestinationResult {
  readonly destination: string;
  readonly ok: boolean;
  /** The serial it serves (SOA check). */
  readonly serial?: number;
  readonly reason?: string;
}

/** What the pipeline does to the world, supplied by the service (real transfer, server and store code). */
export interface ZonePipelinePorts {
  signingSetup(): SigningSetup | Promise<SigningSetup>;
  /** Serve `version` (server ZoneSet + IXFR journal); must not throw for a version that verified. */
  publish(version: SignedVersion): void | Promise<void>;
  /** NOTIFY every destination that wants it; stop retrying when `signal` aborts (a newer version took over). */
  notifyDestinations(version: SignedVersion, signal?: AbortSignal): Promise<readonly DestinationResult[]>;
  /** Ask every destination for its SOA; `ok` when it serves `serial` or newer. */
  checkDestinations(serial: number): Promise<readonly DestinationResult[]>;
  /** Called on every status change, in order. */
  statusChanged?(status: ZoneStatus, previous: ZoneStatus): void | Promise<void>;
  /** Every destination serves `version` (or newer), confirmed at `at`: the key manager's zone observation. */
  confirmed?(version: SignedVersion, at: number): void | Promise<void>;
}

/** Settings of a pipeline. Durations in milliseconds. */
export interface ZonePipelineOptions {
  readonly origin: Name;
  readonly clock: Clock;
  readonly ports: ZonePipelinePorts;
  readonly logger?: Logger;
  /** Re-sign at least this often even without changes (seeds: every 7 days). */
  readonly resignIntervalMs?: number;
  /** SOA checks of the destinations after a NOTIFY: how many, and the pause before each (doubling). */
  readonly destinationChecks?: { readonly attempts: number; readonly firstDelayMs: number };
  /** State kept from an earlier run. */
  readonly restore?: { readonly status: ZoneStatus; readonly unsigned?: readonly ResourceRecord[]; readonly signed?: SignedVersion };
}

const DAY_MS = 86_400_000;
const GENERATED = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM]);

/** The signing pipeline of one zone. Operations run one at a time, in the order they were asked for. */
export class ZonePipeline {
  readonly origin: Name;
  readonly #o: ZonePipelineOptions;
  readonly #log: Logger;
  #status: ZoneStatus;
  #unsigned: readonly ResourceRecord[] | (() => readonly ResourceRecord[]) | undefined;
  /** Versions made in place: marks them stale once a newer one changed their model. */
  readonly #retire = new WeakMap<SignedVersion, () => void>();
  /**
   * Set when a version could not be made or published: the served version then lacks a change the source has (and
   * after a failed publish, what the publisher saw is unknown), so the next version is signed as a whole zone.
   */
  #inPlaceBroken = false;
  #signed: SignedVersion | undefined;
  #queue: Promise<void> = Promise.resolve();
  #destinations: AbortController | undefined;
  #destinationRun: Promise<void> = Promise.resolve();
  #wake = new AbortController();
  /** Versions this pipeline verified itself (a version restored from disk is not among them). */
  readonly #verified = new WeakSet<SignedVersion>();

  constructor(opts: ZonePipelineOptions) {
    this.origin = opts.origin;
    this.#o = opts;
    this.#log = opts.logger ?? silentLogger;
    this.#status = opts.restore?.status ?? initialZoneStatus(opts.clock.now());
    this.#unsigned = opts.restore?.unsigned;
    this.#signed = opts.restore?.signed;
  }

  /** The status now. */
  get status(): ZoneStatus {
    return this.#status;
  }

  /** The signed version being served (the last good one). */
  get served(): SignedVersion | undefined {
    return this.#signed;
  }

  /**
   * A new unsigned version arrived from a source: sign, verify, publish, notify. `change` is the difference from
   * the previous unsigned version (an IXFR's; the apex SOA removed and added): with it, a zone whose last version
   * was signed and verified here is changed in place, in time proportional to the change.
   */
  sourceUpdated(records: readonly ResourceRecord[] | (() => readonly ResourceRecord[]), change?: ZoneDiff): Promise<void> {
    return this.#enqueue(async () => {
      const soa = change ? change.added.find((r) => r.type === RRType.SOA) : typeof records === 'function' ? undefined : records.find((r) => r.type === RRType.SOA && r.owner.equals(this.origin));
      await this.#setStatus({ source: 'SOURCE_OK', ...(soa ? { sourceSerial: soaSerial(soa.rdata) } : {}) }, undefined);
      this.#unsigned = records;
      if (change && (await this.#changeInPlace(change))) return;
      await this.#signAndPublish('source change');
    });
  }

  /**
   * The in-place path (docs/decisions.md, "Changes signed in place"): true when the change was published, or
   * refused for failing verification; false when it is not one this path handles (the full path then runs).
   */
  async #changeInPlace(change: ZoneDiff): Promise<boolean> {
    const prev = this.#signed;
    const model = prev?.model;
    if (!prev || !model || !this.#verified.has(prev) || this.#inPlaceBroken) return false;
    const clock = this.#o.clock;
    const nowMs = clock.now();
    const now = Math.floor(nowMs / 1000);
    const setup = await this.#o.ports.signingSetup();
    const dnskeySet = model.rrset(this.origin, RRType.DNSKEY);
    if (setup.dnskeyTtl !== undefined && dnskeySet && dnskeySet.ttl !== setup.dnskeyTtl) return false;
    const signers = 'csk' in setup.keys ? [setup.keys.csk] : [...setup.keys.ksks, ...setup.keys.zsks];
    const dnskeys = [...signers.map((k) => k.dnskeyRdata), ...(setup.extraDnskeys ?? []).map((r) => r.rdata)];
    const held = model.rrset(this.origin, RRType.SOA);
    const incoming = change.added.find((r) => r.type === RRType.SOA && r.owner.equals(this.origin));
    if (!held || !incoming) return false;
    // destinations only transfer a higher serial (RFC 1982): a source that went back is moved on
    const s = soaSerial(incoming.rdata);
    const soa = serialCompare(s, prev.serial) === 1 ? incoming : { ...incoming, rdata: withSoaSerial(incoming.rdata, serialAdd(prev.serial, 1)) };
    const unsigned: ZoneDiff = {
      removed: [{ owner: held.owner, type: RRType.SOA, class: held.class, ttl: held.ttl, rdata: held.rdatas[0]! }, ...change.removed.filter((r) => r.type !== RRType.SOA)],
      added: [soa, ...change.added.filter((r) => r.type !== RRType.SOA)],
    };
    const out = resignInPlace(model, unsigned, {
      origin: this.origin,
      keys: setup.keys,
      now,
      dnskeys,
      ...(setup.validity !== undefined ? { validity: setup.validity } : {}),
      ...(setup.jitter !== undefined ? { jitter: setup.jitter } : {}),
    });
    if (out.kind === 'fallback') {
      this.#log.debug({ zone: this.origin.toString(), reason: out.reason }, 'change not signed in place; signing the whole zone');
      return false;
    }
    const serial = soaSerial(soa.rdata);
    if (out.kind === 'failed') {
      // the served version now lacks a change the source has: the next one is signed as a whole zone
      this.#inPlaceBroken = true;
      await this.#setStatus({ signing: 'SIGNING_FAILED' }, `serial ${serial} not published: ${out.failures.length} verification failure${out.failures.length > 1 ? 's' : ''}, first: ${out.failures[0]}`);
      this.#log.warn({ zone: this.origin.toString(), serial, failures: out.failures.slice(0, 5) }, 'change signed in place failed verification; keeping the last good version');
      return true;
    }
    const refresh = (setup.refresh ?? DEFAULT_REFRESH) * 1000;
    const earliest = Math.min(prev.earliestExpiration ?? out.earliestNew, out.earliestNew);
    let maxTtl = prev.maxTtl ?? 0;
    for (const r of out.diff.added) if (r.ttl > maxTtl) maxTtl = r.ttl;
    let removedSigs = 0;
    for (const r of out.diff.removed) if (r.type === RRType.RRSIG) removedSigs++;
    let sigCount = 0;
    if (prev.signatureCount !== undefined) sigCount = prev.signatureCount - removedSigs + out.made;
    else for (const set of model.rrsets()) if (set.type === RRType.RRSIG) sigCount += set.rdatas.length;
    let records: ResourceRecord[] | undefined;
    let current = true;
    const version: SignedVersion = {
      origin: this.origin,
      serial,
      get records(): readonly ResourceRecord[] {
        if (!records && !current) throw new Error(`signed version ${serial} was changed in place by a newer one`);
        return (records ??= modelRecords(model));
      },
      soa,
      earliestExpiration: earliest,
      maxTtl,
      diff: out.diff,
      previousSerial: prev.serial,
      signaturesMade: out.made,
      signaturesReused: Math.max(0, sigCount - out.made),
      signatureCount: sigCount,
      signedAt: nowMs,
      resignAt: Math.max(Math.min(prev.resignAt, nowMs + (this.#o.resignIntervalMs ?? 7 * DAY_MS), earliest * 1000 - refresh), nowMs + 60_000),
      ...(setup.keySets ? { keySets: setup.keySets } : {}),
      model,
      touched: out.touched,
    };
    this.#retire.get(prev)?.();
    this.#retire.set(version, () => (current = false));
    try {
      await this.#o.ports.publish(version);
    } catch (e) {
      out.undo();
      // the served version now lacks a change the source has: the next one is signed as a whole zone
      this.#inPlaceBroken = true;
      await this.#setStatus({ signing: 'SIGNING_FAILED' }, `publishing serial ${serial} failed: ${(e as Error).message}`);
      return true;
    }
    this.#log.debug({ zone: this.origin.toString(), serial, why: 'source change', made: out.made, inPlace: true, ms: clock.now() - nowMs }, 'published');
    await this.#accept(version);
    return true;
  }

  /** Make `version` the served one and start on its destinations. */
  async #accept(version: SignedVersion): Promise<void> {
    this.#verified.add(version);
    this.#signed = version;
    this.#inPlaceBroken = false;
    this.#wake.abort();
    this.#wake = new AbortController();
    await this.#setStatus({ signing: 'SIGNED', servedSerial: version.serial, destination: 'DESTINATION_PENDING' }, undefined);
    this.#startDestinations(version);
  }

  /** The source has nothing new: confirms SOURCE_OK after a failure. */
  sourceUpToDate(): Promise<void> {
    return this.#enqueue(() => this.#setStatus({ source: 'SOURCE_OK' }, undefined));
  }

  /** Every source failed: SOA_QUERY_FAILED when no SOA query worked, else SOURCE_FAILED_XFER. */
  sourceFailed(phase: 'soa-query' | 'transfer', reason: string): Promise<void> {
    return this.#enqueue(() => this.#setStatus({ source: phase === 'soa-query' ? 'SOA_QUERY_FAILED' : 'SOURCE_FAILED_XFER' }, reason));
  }

  /** Re-sign what is held now (keys changed, signatures due); nothing happens before the first transfer. */
  resign(why: string): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#unsigned) await this.#signAndPublish(why);
    });
  }

  /**
   * Re-sign whenever the served version reaches its `resignAt`, until `signal` aborts. Returns when aborted.
   * Waits (without spinning) while nothing is signed yet.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const wake = this.#wake.signal;
      const at = this.#signed?.resignAt;
      const both = AbortSignal.any([signal, wake]);
      try {
        await this.#o.clock.sleep(at === undefined ? 365 * DAY_MS : Math.max(0, at - this.#o.clock.now()), both);
      } catch {
        if (signal.aborted) break;
        continue; // woken: a new version changed resignAt
      }
      if (signal.aborted) break;
      if (this.#signed && this.#o.clock.now() >= this.#signed.resignAt) await this.resign('signatures due for refresh');
    }
    this.#destinations?.abort();
    await this.#destinationRun;
  }

  /** Resolves once no operation is queued or running (destination checks sleeping on the clock do not count). */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.#queue;
      await q.then(
        () => undefined,
        () => undefined,
      );
      if (q === this.#queue) return;
    }
  }

  /** Wait until every operation asked for so far, including destination checks, has finished. */
  async settled(): Promise<void> {
    await this.#queue;
    await this.#destinationRun;
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch((e: unknown) => this.#log.warn({ zone: this.origin.toString(), err: e }, 'zone pipeline step failed'));
    return run;
  }

  async #setStatus(change: Partial<Omit<ZoneStatus, 'at'>>, reason: string | undefined): Promise<void> {
    const before = this.#status;
    const next: ZoneStatus = { ...before, ...change, at: this.#o.clock.now() };
    const withReason: ZoneStatus = reason === undefined ? withoutReason(next) : { ...next, reason };
    const same = changedParts(before, withReason).length === 0 && before.reason === withReason.reason && before.servedSerial === withReason.servedSerial && before.sourceSerial === withReason.sourceSerial;
    if (same) return;
    this.#status = withReason;
    try {
      await this.#o.ports.statusChanged?.(withReason, before);
    } catch (e) {
      this.#log.warn({ zone: this.origin.toString(), err: e }, 'status listener failed');
    }
  }

  async #signAndPublish(why: string): Promise<void> {
    const held = this.#unsigned;
    if (!held) return;
    const unsigned = typeof held === 'function' ? held() : held;
    const clock = this.#o.clock;
    const nowMs = clock.now();
    // milliseconds spent in each step, for the debug log (benchmarks read it)
    const ms: Record<string, number> = {};
    let mark = nowMs;
    const lap = (step: string): void => {
      const t = clock.now();
      ms[step] = t - mark;
      mark = t;
    };
    const now = Math.floor(nowMs / 1000);
    let version: SignedVersion;
    try {
      const setup = await this.#o.ports.signingSetup();
      lap('setup');
      const prev = this.#signed;
      const input = this.#input(unsigned, setup, prev?.serial);
      const serial = soaSerial(input.find((r) => r.type === RRType.SOA)!.rdata);
      const opts: SignZoneOptions = {
        origin: this.origin,
        keys: setup.keys,
        now,
        serialPolicy: 'keep',
        ...(setup.denial ? { denial: setup.denial } : {}),
        ...(setup.validity !== undefined ? { validity: setup.validity } : {}),
        // replace every signature within `refresh + jitter` of its end in one batch (Knot's rrsig-pre-refresh), so
        // jittered expirations do not turn into a re-sign every few hours
        refresh: (setup.refresh ?? DEFAULT_REFRESH) + jitterOf(setup),
        ...(setup.jitter !== undefined ? { jitter: setup.jitter } : {}),
        ...(setup.dnskeyTtl !== undefined ? { dnskeyTtl: setup.dnskeyTtl } : {}),
      };
      let records: ResourceRecord[];
      let diff: ZoneDiff | undefined;
      let made: number;
      let reused = 0;
      if (prev) {
        // the unsigned diff against everything the previous version held except what the signer generates,
        // so DNSKEYs of retired keys leave and the new input is exactly what gets signed
        const base = prev.records.filter((r) => !GENERATED.has(r.type));
        const r = resignZone(prev.records, signedDiff(base, input), opts);
        records = r.records;
        diff = r.diff;
        made = r.signed;
        reused = r.reused;
      } else {
        records = signZone(input, opts);
        made = records.filter((r) => r.type === RRType.RRSIG).length;
      }
      // a re-sign of a version verified here re-checks every signature it made and every RRset that changed;
      // what is octet-identical to the verified previous version keeps its cryptographic check (docs/decisions.md)
      const earlier = prev && diff && this.#verified.has(prev) ? alreadyVerified(diff) : undefined;
      lap('sign');
      const model = ZoneModel.build(records, this.origin);
      const verdict = verifyZoneModel(model, { origin: this.origin, now, ...(earlier ? { alreadyVerified: earlier } : {}) });
      lap('verify');
      if (!verdict.ok) {
        const first = verdict.failures[0]!;
        // the served version now lacks a change the source has: the next one is signed as a whole zone
        this.#inPlaceBroken = true;
        await this.#setStatus({ signing: 'SIGNING_FAILED' }, `serial ${serial} not published: ${verdict.failures.length} verification failure${verdict.failures.length > 1 ? 's' : ''}, first: ${formatVerifyFailure(first)}`);
        this.#log.warn({ zone: this.origin.toString(), serial, failures: verdict.failures.length }, 'signed zone failed verification; keeping the last good version');
        return;
      }
      const refresh = (setup.refresh ?? DEFAULT_REFRESH) * 1000;
      const earliest = earliestExpiration(records, now);
      const resignAt = Math.min(nowMs + (this.#o.resignIntervalMs ?? 7 * DAY_MS), earliest * 1000 - refresh);
      let maxTtl = 0;
      for (const r of records) if (r.ttl > maxTtl) maxTtl = r.ttl;
      version = {
        origin: this.origin,
        serial,
        records,
        soa: records.find((r) => r.type === RRType.SOA && r.owner.equals(this.origin))!,
        signatureCount: made + reused,
        earliestExpiration: earliest,
        maxTtl,
        ...(diff && prev ? { diff, previousSerial: prev.serial } : {}),
        signaturesMade: made,
        signaturesReused: reused,
        signedAt: nowMs,
        resignAt: Math.max(resignAt, nowMs + 60_000),
        ...(setup.keySets ? { keySets: setup.keySets } : {}),
        model,
      };
    } catch (e) {
      // the served version now lacks a change the source has: the next one is signed as a whole zone
      this.#inPlaceBroken = true;
      await this.#setStatus({ signing: 'SIGNING_FAILED' }, `signing failed (${why}): ${(e as Error).message}`);
      this.#log.warn({ zone: this.origin.toString(), err: e }, 'signing failed; keeping the last good version');
      return;
    }
    try {
      await this.#o.ports.publish(version);
      lap('publish');
    } catch (e) {
      // the served version now lacks a change the source has: the next one is signed as a whole zone
      this.#inPlaceBroken = true;
      await this.#setStatus({ signing: 'SIGNING_FAILED' }, `publishing serial ${version.serial} failed: ${(e as Error).message}`);
      return;
    }
    this.#log.debug({ zone: this.origin.toString(), serial: version.serial, why, made: version.signaturesMade, reused: version.signaturesReused, ms }, 'published');
    await this.#accept(version);
  }

  /** The records to sign: the source's zone with the serial moved past the last published one, plus extra DNSKEYs. */
  #input(unsigned: readonly ResourceRecord[], setup: SigningSetup, lastSerial: number | undefined): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const r of unsigned) {
      if (GENERATED.has(r.type)) continue;
      if (r.type === RRType.SOA && r.owner.equals(this.origin) && lastSerial !== undefined) {
        const s = soaSerial(r.rdata);
        // destinations only transfer a higher serial (RFC 1982): a re-sign or a source that went back moves it on
        out.push(serialCompare(s, lastSerial) === 1 ? r : { ...r, rdata: withSoaSerial(r.rdata, serialAdd(lastSerial, 1)) });
      } else out.push(r);
    }
    for (const k of setup.extraDnskeys ?? []) out.push(k);
    return out;
  }

  #startDestinations(version: SignedVersion): void {
    this.#destinations?.abort();
    const ctl = new AbortController();
    this.#destinations = ctl;
    const previous = this.#destinationRun;
    this.#destinationRun = previous.then(() => this.#checkDestinations(version, ctl.signal)).catch((e: unknown) => this.#log.warn({ zone: this.origin.toString(), err: e }, 'destination check failed'));
  }

  async #checkDestinations(version: SignedVersion, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    // a destination that never acknowledges must not hold this version (and every newer one queued behind it)
    const notified = await this.#o.ports.notifyDestinations(version, signal);
    if (signal.aborted) return;
    for (const n of notified) if (!n.ok) this.#log.debug({ zone: this.origin.toString(), destination: n.destination, reason: n.reason }, 'NOTIFY not acknowledged');
    const { attempts, firstDelayMs } = this.#o.destinationChecks ?? { attempts: 6, firstDelayMs: 10_000 };
    let delay = firstDelayMs;
    let last: readonly DestinationResult[] = [];
    for (let i = 0; i < attempts; i++) {
      try {
        await this.#o.clock.sleep(delay, signal);
      } catch {
        return; // a newer version took over
      }
      delay *= 2;
      last = await this.#o.ports.checkDestinations(version.serial);
      if (signal.aborted) return;
      if (last.every((d) => d.ok)) {
        await this.#enqueue(() => this.#setStatus({ destination: 'DESTINATION_OK' }, undefined));
        try {
          await this.#o.ports.confirmed?.(version, this.#o.clock.now());
        } catch (e) {
          this.#log.warn({ zone: this.origin.toString(), err: e }, 'confirmation listener failed');
        }
        return;
      }
    }
    const failing = last.filter((d) => !d.ok).map((d) => `${d.destination}: ${d.reason ?? (d.serial === undefined ? 'no answer' : `serves serial ${d.serial}`)}`);
    await this.#enqueue(() => this.#setStatus({ destination: 'DESTINATION_FAILED_XFER' }, `serial ${version.serial} not on ${failing.join('; ')}`));
  }
}

/**
 * For incremental verification: an RRSIG needs no new cryptographic check when it was in the previous (verified)
 * version — it is not among the diff's added records — and no record of the RRset it covers changed. Undefined
 * (verify everything) when the DNSKEY RRset changed, since then every signature's key must be looked at again.
 */
export function alreadyVerified(diff: ZoneDiff): ((owner: Name, covered: number, rrsig: Uint8Array) => boolean) | undefined {
  const changedSets = new Set<string>();
  const touchedOwners = new Set<string>();
  const addedSigs = new Map<string, Uint8Array[]>();
  for (const list of [diff.removed, diff.added]) {
    for (const r of list) {
      const owner = r.owner.key();
      touchedOwners.add(owner);
      if (r.type === RRType.DNSKEY) return undefined;
      if (r.type !== RRType.RRSIG) changedSets.add(`${owner}/${r.type}`);
      else if (list === diff.added) {
        const l = addedSigs.get(owner);
        if (l) l.push(r.rdata);
        else addedSigs.set(owner, [r.rdata]);
      }
    }
  }
  return (owner, covered, rrsig) => {
    const k = owner.key();
    if (!touchedOwners.has(k)) return true;
    if (changedSets.has(`${k}/${covered}`)) return false;
    return !(addedSigs.get(k)?.some((x) => equalBytes(x, rrsig)) ?? false);
  };
}

/** The signer's default jitter: validity / 14 (one day for 14 days). */
function jitterOf(setup: SigningSetup): number {
  return setup.jitter ?? Math.floor((setup.validity ?? DEFAULT_VALIDITY) / 14);
}

function withoutReason(s: ZoneStatus): ZoneStatus {
  if (s.reason === undefined) return s;
  const { reason: _drop, ...rest } = s;
  return rest;
}

/** The earliest RRSIG expiration in the zone (seconds), RFC 1982 relative to `now`. */
function earliestExpiration(records: readonly ResourceRecord[], now: number): number {
  let min = Infinity;
  for (const r of records) {
    if (r.type !== RRType.RRSIG || r.rdata.length < 12) continue;
    const exp = ((r.rdata[8]! << 24) | (r.rdata[9]! << 16) | (r.rdata[10]! << 8) | r.rdata[11]!) >>> 0;
    const abs = now + ((exp - now) | 0);
    if (abs < min) min = abs;
  }
  return min;
}
