// Acceptance of what a transfer brought: IXFR diffs applied to the version we hold (RFC 1995 §4), the serial
// required to move forwards (RFC 1982), and the zone checks of src/zone run — refused with a reason, never applied.
import { toHex } from '../util/index.js';
import { canonicalRdata, RRType, typeToString, type Name, type ResourceRecord } from '../wire/index.js';
import { checkZone, isError, serialCompare, soaSerial, ZoneModel, type CheckOptions, type Diagnostic } from '../zone/index.js';
import type { TransferResult } from './xfr-parser.js';
import { TransferError } from './xfr-errors.js';

/** One accepted version of a zone. `records` hold the SOA once and every other record. */
export interface ZoneVersion {
  readonly zone: Name;
  readonly serial: number;
  readonly soa: ResourceRecord;
  readonly records: readonly ResourceRecord[];
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
    records = applyIxfrDiffs(current, result);
  } else records = result.records;
  const model = ZoneModel.build(records, result.zone);
  const diags = checkZone(model, opts.check);
  const errors = diags.filter(isError);
  if (errors.length > 0) {
    const first = errors.slice(0, 3).map((d) => `${d.code} at ${d.owner.toString()}: ${d.message}`).join('; ');
    throw new TransferError('XFR_ZONE_CHECK', `the received zone fails ${errors.length} check(s): ${first}`, {
      zone: zoneText,
      serial: result.serial,
      diagnostics: errors.map((d) => ({ code: d.code, owner: d.owner.toString(), message: d.message })),
    });
  }
  return { version: { zone: result.zone, serial: result.serial, soa: result.soa, records }, warnings: diags.filter((d) => !isError(d)), unchanged: false };
}
