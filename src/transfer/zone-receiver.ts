// Acceptance of what a transfer brought: IXFR diffs applied to the version we hold (RFC 1995 §4), the serial
// required to move forwards (RFC 1982), and the zone checks of src/zone run — refused with a reason, never applied.
import { toHex } from '../util/index.js';
import { canonicalRdata, RRType, typeToString, type Name, type ResourceRecord } from '../wire/index.js';
import { checkZone, isError, modelRecords, serialCompare, soaSerial, ZoneModel, type CheckOptions, type Diagnostic, type ZoneNode } from '../zone/index.js';
import type { IxfrDiff, TransferResult } from './xfr-parser.js';
import { TransferError } from './xfr-errors.js';

/** One accepted version of a zone. `records` hold the SOA once and every other record. */
export interface ZoneVersion {
  readonly zone: Name;
  readonly serial: number;
  readonly soa: ResourceRecord;
  /**
   * Every record. A version made by an IXFR applied in place builds this from `model` when first read, and only
   * while it is the newest version (the model moves on with the next IXFR).
   */
  readonly records: readonly ResourceRecord[];
  /** The zone as a model (the one the checks ran on); the next IXFR is applied to it in place. */
  readonly model?: ZoneModel;
  /** For a version made from the previous one by an IXFR: what changed (the apex SOA removed and added). */
  readonly diff?: { readonly removed: readonly ResourceRecord[]; readonly added: readonly ResourceRecord[] };
}

/** Options of `acceptTransfer`. */
export interface AcceptOptions {
  /** Passed to `checkZone` (severity overrides, TTL limit). */
  readonly check?: CheckOptions;
  /** Accept a serial that is not newer than ours (an operator reset). Default false. */
  readonly allowOlderSerial?: boolean;
}

/** The new version and the zone-check warnings it passed with. */
export interface AcceptedZone {
  readonly version: ZoneVersion;
  readonly warnings: readonly Diagnostic[];
  /** True when nothing changed (the up-to-date answer). */
  readonly unchanged: boolean;
}

function recordKey(rr: ResourceRecord): string {
  return `${rr.owner.key()}|${rr.type}|${rr.class}|${toHex(canonicalRdata(rr.type, rr.rdata))}`;
}

/** Apply IXFR diffs to `records` (RFC 1995 §4): every deleted record must be present; throws XFR_IXFR_MISMATCH. */
export function applyIxfrDiffs(current: ZoneVersion, result: Extract<TransferResult, { kind: 'incremental' }>): ResourceRecord[] {
  if (result.fromSerial !== current.serial) {
    throw new TransferError('XFR_IXFR_MISMATCH', `the IXFR starts at serial ${result.fromSerial}, we hold ${current.serial}`, { zone: current.zone.toString(), from: result.fromSerial, held: current.serial });
  }
  const map = new Map<string, ResourceRecord>();
  for (const rr of current.records) if (rr.type !== RRType.SOA) map.set(recordKey(rr), rr);
  for (const d of result.diffs) {
    for (const rr of d.deleted) {
      if (rr.type === RRType.SOA) continue;
      const k = recordKey(rr);
      if (!map.delete(k)) {
        throw new TransferError('XFR_IXFR_MISMATCH', `IXFR step ${soaSerial(d.fromSoa.rdata)}→${soaSerial(d.toSoa.rdata)} deletes ${rr.owner.toString()} ${typeToString(rr.type)}, which we do not hold`, {
          zone: current.zone.toString(),
          owner: rr.owner.toString(),
          type: typeToString(rr.type),
        });
      }
    }
    for (const rr of d.added) if (rr.type !== RRType.SOA) map.set(recordKey(rr), rr);
  }
  return [result.soa, ...map.values()];
}

/**
 * Decide whether a transfer result becomes the zone's new version: the serial must be newer than `current`'s
 * (unless allowed), IXFR diffs must apply, and `checkZone` must report no error. Throws TransferError
 * (XFR_SERIAL_NOT_NEWER, XFR_IXFR_MISMATCH, XFR_ZONE_CHECK with `diagnostics`) and leaves `current` untouched.
 */
export function acceptTransfer(result: TransferResult, current: ZoneVersion | undefined, opts: AcceptOptions = {}): AcceptedZone {
  const zoneText = result.zone.toString();
  if (result.kind === 'up-to-date') {
    if (!current) throw new TransferError('XFR_IXFR_MISMATCH', 'an up-to-date answer to a request we did not make from a held version', { zone: zoneText });
    return { version: current, warnings: [], unchanged: true };
  }
  if (current && !opts.allowOlderSerial && serialCompare(result.serial, current.serial) !== 1) {
    throw new TransferError('XFR_SERIAL_NOT_NEWER', `serial ${result.serial} is not newer than ours (${current.serial})`, { zone: zoneText, serial: result.serial, held: current.serial });
  }
  let records: ResourceRecord[];
  if (result.kind === 'incremental') {
    if (!current) throw new TransferError('XFR_IXFR_MISMATCH', 'an incremental answer but no version to apply it to', { zone: zoneText });
    const inPlace = current.model ? acceptInPlace(result, current, current.model, opts) : undefined;
    if (inPlace) return inPlace;
    records = applyIxfrDiffs(current, result);
  } else records = result.records;
  const model = ZoneModel.build(records, result.zone);
  const diags = checkZone(model, opts.check);
  refuseErrors(diags, zoneText, result.serial);
  const version: ZoneVersion = { zone: result.zone, serial: result.serial, soa: result.soa, records, model };
  HOLDER.set(model, version);
  return { version, warnings: diags.filter((d) => !isError(d)), unchanged: false };
}

/** Which version a model stands for now: an IXFR applied in place moves it on to the new version. */
const HOLDER = new WeakMap<ZoneModel, ZoneVersion>();

function refuseErrors(diags: readonly Diagnostic[], zoneText: string, serial: number): void {
  const errors = diags.filter(isError);
  if (errors.length === 0) return;
  const first = errors.slice(0, 3).map((d) => `${d.code} at ${d.owner.toString()}: ${d.message}`).join('; ');
  throw new TransferError('XFR_ZONE_CHECK', `the received zone fails ${errors.length} check(s): ${first}`, {
    zone: zoneText,
    serial,
    diagnostics: errors.map((d) => ({ code: d.code, owner: d.owner.toString(), message: d.message })),
  });
}

/** The net change of IXFR steps (a record added by one step and deleted by a later one cancels), SOA left out. */
function netChange(diffs: readonly IxfrDiff[]): { removed: ResourceRecord[]; added: ResourceRecord[] } {
  if (diffs.length === 1) return { removed: diffs[0]!.deleted.filter((r) => r.type !== RRType.SOA), added: diffs[0]!.added.filter((r) => r.type !== RRType.SOA) };
  const net = new Map<string, { rr: ResourceRecord; count: number }>();
  for (const d of diffs) {
    for (const [list, delta] of [[d.deleted, -1], [d.added, 1]] as const) {
      for (const rr of list) {
        if (rr.type === RRType.SOA) continue;
        const k = recordKey(rr);
        const e = net.get(k);
        if (e) e.count += delta;
        else net.set(k, { rr, count: delta });
      }
    }
  }
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  for (const { rr, count } of net.values()) {
    if (count < 0) removed.push(rr);
    else if (count > 0) added.push(rr);
  }
  return { removed, added };
}

const ADDRESS = new Set<number>([RRType.A, RRType.AAAA]);

/**
 * An IXFR applied to the held model in place (docs/decisions.md, "Changes signed in place"), checked at the names
 * it touched — or the whole zone when a name lost its addresses or gained a CNAME, which other names' NS, MX or
 * SRV targets may rely on. Undone and refused on a check error. Undefined (nothing changed) when the change moves a
 * zone cut or touches delegated data, for the caller's whole-zone path.
 */
function acceptInPlace(result: Extract<TransferResult, { kind: 'incremental' }>, current: ZoneVersion, model: ZoneModel, opts: AcceptOptions): AcceptedZone | undefined {
  if (result.fromSerial !== current.serial) {
    throw new TransferError('XFR_IXFR_MISMATCH', `the IXFR starts at serial ${result.fromSerial}, we hold ${current.serial}`, { zone: current.zone.toString(), from: result.fromSerial, held: current.serial });
  }
  // an older version whose model has since moved on takes the whole-zone path
  if (HOLDER.get(model) !== current) return undefined;
  const change = netChange(result.diffs);
  const out = model.patch([current.soa, ...change.removed], [result.soa, ...change.added]);
  if (!out.ok) {
    if (out.kind === 'unsupported') return undefined;
    const rr = out.record;
    throw new TransferError('XFR_IXFR_MISMATCH', `IXFR ${current.serial}→${result.serial} deletes ${rr.owner.toString()} ${typeToString(rr.type)}, which we do not hold`, {
      zone: current.zone.toString(),
      owner: rr.owner.toString(),
      type: typeToString(rr.type),
    });
  }
  let whole = false;
  const touched: ZoneNode[] = [];
  for (const o of out.owners) {
    if (o.node) touched.push(o.node);
    if (o.changedTypes.has(RRType.CNAME)) whole = true;
    if ([...o.changedTypes].some((t) => ADDRESS.has(t)) && !(o.node?.rrsets.some((s) => ADDRESS.has(s.type)) ?? false)) whole = true;
  }
  const diags = checkZone(model, whole ? opts.check : { ...opts.check, only: touched });
  try {
    refuseErrors(diags, result.zone.toString(), result.serial);
  } catch (e) {
    model.patch(out.applied.added, out.applied.removed);
    throw e;
  }
  let records: ResourceRecord[] | undefined;
  const version: ZoneVersion = {
    zone: result.zone,
    serial: result.serial,
    soa: result.soa,
    get records(): readonly ResourceRecord[] {
      if (!records && HOLDER.get(model) !== version) throw new TransferError('XFR_IXFR_MISMATCH', `version ${result.serial} of ${result.zone.toString()} was superseded in place; its records are gone`, { zone: result.zone.toString() });
      return (records ??= modelRecords(model));
    },
    model,
    diff: out.applied,
  };
  HOLDER.set(model, version);
  return { version, warnings: diags.filter((d) => !isError(d)), unchanged: false };
}
