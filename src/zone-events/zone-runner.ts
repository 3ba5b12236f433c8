// One enrolled zone, running: the refresh scheduler pulls from the customer's sources, the key manager runs the
// key lifecycle (keys are created at the first good transfer), and the pipeline signs, verifies, publishes and
// checks the destinations. The service supplies publishing and destination I/O.
import { silentLogger, type Clock, type Logger } from '../util/index.js';
import type { Name } from '../wire/index.js';
import { RefreshScheduler, type RefreshEvent, type TransferLimits, type XfrSource, type ZoneVersion } from '../transfer/index.js';
import type { KeyEvent, KeyPolicy } from '../policy/index.js';
import { KeyManager, type KeyManagerListener, type KeyStatePort, type KeyVaultPort } from './key-manager.js';
import { ZonePipeline, type DestinationResult, type SignedVersion, type ZonePipelineOptions } from './zone-pipeline.js';
import type { ZoneStatus } from './zone-status.js';

/** Everything one zone needs. Durations in milliseconds. */
export interface ZoneRunnerOptions {
  readonly zone: Name;
  readonly clock: Clock;
  /** Clock for TSIG times when `clock` is simulated (TSIG needs real time on the wire). Default `clock`. */
  readonly tsigClock?: Clock;
  readonly logger?: Logger;
  readonly policy: KeyPolicy;
  readonly vault: KeyVaultPort;
  readonly keyState: KeyStatePort;
  /** Primary first, then backups. */
  readonly sources: readonly XfrSource[];
  /** Retry after a failed check (the seeds: hourly). */
  readonly retryMs?: number;
  /** Most records / octets one transfer from a source may carry (the transfer is refused beyond them). */
  readonly transferLimits?: TransferLimits;
  readonly resignIntervalMs?: number;
  readonly destinationChecks?: ZonePipelineOptions['destinationChecks'];
  publish(version: SignedVersion): void | Promise<void>;
  notifyDestinations(version: SignedVersion, signal?: AbortSignal): Promise<readonly DestinationResult[]>;
  checkDestinations(serial: number): Promise<readonly DestinationResult[]>;
  statusChanged?(status: ZoneStatus, previous: ZoneStatus): void | Promise<void>;
  keyEvents?(events: readonly KeyEvent[]): void;
  ds?: KeyManagerListener['ds'];
  /** Every refresh event, for logs and tests. */
  refreshEvent?(e: RefreshEvent): void;
  /**
   * What an earlier run left: the last unsigned version accepted from a source and the last signed version
   * published. The signed one is served again at once (and re-signed soon); the unsigned one lets the first refresh
   * ask for an IXFR and compare serials.
   */
  readonly restore?: { readonly unsigned: ZoneVersion; readonly signed?: SignedVersion; readonly status?: ZoneStatus; readonly confirmedAt?: number };
}

/** A running zone. `notify` makes it a NOTIFY target for the transfer module's receiver. */
export class ZoneRunner {
  readonly zone: Name;
  readonly pipeline: ZonePipeline;
  readonly keys: KeyManager;
  readonly scheduler: RefreshScheduler;
  readonly #o: ZoneRunnerOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #keysStarted = false;
  #events: Promise<void> = Promise.resolve();

  constructor(opts: ZoneRunnerOptions) {
    this.zone = opts.zone;
    this.#o = opts;
    this.#log = opts.logger ?? silentLogger;
    this.keys = new KeyManager({
      zone: opts.zone,
      policy: opts.policy,
      clock: opts.clock,
      vault: opts.vault,
      state: opts.keyState,
      ...(opts.logger ? { logger: opts.logger } : {}),
      listener: {
        signingChanged: () => void this.pipeline.resign('key change'),
        events: (e) => opts.keyEvents?.(e),
        ...(opts.ds ? { ds: opts.ds } : {}),
      },
    });
    this.pipeline = new ZonePipeline({
      origin: opts.zone,
      clock: opts.clock,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.resignIntervalMs !== undefined ? { resignIntervalMs: opts.resignIntervalMs } : {}),
      ...(opts.destinationChecks ? { destinationChecks: opts.destinationChecks } : {}),
      ...(opts.restore
        ? { restore: { status: opts.restore.status ?? { source: 'SOURCE_OK', signing: opts.restore.signed ? 'SIGNED' : 'UNSIGNED', destination: 'DESTINATION_PENDING', at: opts.clock.now() }, unsigned: opts.restore.unsigned.records, ...(opts.restore.signed ? { signed: opts.restore.signed } : {}) } }
        : {}),
      ports: {
        signingSetup: () => this.keys.signingSetup(),
        publish: (v) => opts.publish(v),
        notifyDestinations: (v, signal) => opts.notifyDestinations(v, signal),
        checkDestinations: (s) => opts.checkDestinations(s),
        ...(opts.statusChanged ? { statusChanged: (s: ZoneStatus, p: ZoneStatus) => opts.statusChanged!(s, p) } : {}),
        confirmed: (v, at) => (v.keySets ? this.keys.zoneConfirmed(v.keySets, at) : undefined),
      },
    });
    this.scheduler = new RefreshScheduler({
      zone: opts.zone,
      sources: opts.sources,
      clock: opts.clock,
      ...(opts.tsigClock ? { tsigClock: opts.tsigClock } : {}),
      ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}),
      ...(opts.transferLimits ? { limits: opts.transferLimits } : {}),
      ...(opts.restore ? { current: opts.restore.unsigned, ...(opts.restore.confirmedAt !== undefined ? { currentConfirmedAt: opts.restore.confirmedAt } : {}) } : {}),
      onEvent: (e) => {
        opts.refreshEvent?.(e);
        // events are handled in order, one at a time
        this.#events = this.#events.then(() => this.#onRefresh(e)).catch((err: unknown) => this.#log.warn({ zone: this.zone.toString(), err }, 'refresh event handling failed'));
      },
    });
  }

  /** The sources, for the NOTIFY receiver. */
  get sources(): readonly XfrSource[] {
    return this.#o.sources;
  }

  /** A NOTIFY from `source`: check that source now (RFC 1996 §3.11). */
  notify(source: XfrSource): Promise<unknown> {
    return this.scheduler.notify(source);
  }

  /** Start pulling; signing starts at the first good transfer (at once when an earlier run left a version). */
  start(): void {
    this.#loops.push(this.pipeline.run(this.#stop.signal));
    if (this.#o.restore && !this.#keysStarted) {
      this.#keysStarted = true;
      this.#loops.push(this.keys.run(this.#stop.signal));
      const signed = this.#o.restore.signed;
      // serve what was published before the restart right away; a re-sign follows when it is due
      if (signed) void Promise.resolve(this.#o.publish(signed)).catch((err: unknown) => this.#log.warn({ zone: this.zone.toString(), err }, 'could not re-publish the last signed version'));
    }
    this.scheduler.start();
  }

  /** Stop every loop; the last published version stays wherever it was published. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.scheduler.stop();
    await this.#events;
    await Promise.all(this.#loops);
  }

  /** Resolves when every refresh event so far has been handled and the pipeline is idle. */
  async idle(): Promise<void> {
    await this.#events;
    await this.keys.idle();
    await this.pipeline.idle();
  }

  async #onRefresh(e: RefreshEvent): Promise<void> {
    switch (e.type) {
      case 'updated':
        if (!this.#keysStarted) {
          // keys are made at the first good transfer, then the lifecycle runs on its own
          this.#keysStarted = true;
          await this.keys.step();
          this.#loops.push(this.keys.run(this.#stop.signal));
        }
        {
          // the version's records are built on demand (an IXFR applied in place): the pipeline asks only if it
          // signs the whole zone; with the IXFR's change it signs in place
          const v = e.version;
          await this.pipeline.sourceUpdated(() => v.records, v.diff);
        }
        return;
      case 'up-to-date':
        await this.pipeline.sourceUpToDate();
        return;
      case 'failed':
        await this.pipeline.sourceFailed(e.phase, e.reason);
        return;
      case 'expired':
        // the last signed version keeps being served; the failure status already says why
        this.#log.warn({ zone: this.zone.toString(), serial: e.serial, lastSuccessAt: e.lastSuccessAt }, 'source data expired (SOA EXPIRE passed); still serving the last signed version');
        return;
    }
  }
}
