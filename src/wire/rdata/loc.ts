// LOC: geographical location (RFC 1876 §2, presentation per §3). The typed view keeps the raw wire fields;
// presentation is the form BIND prints (`42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m`).
import { WireFormatError } from '../../util/index.js';
import { defineRdata } from './codec.js';
import { RRType } from '../types.js';
import type { RdataToken, RdataTokens } from './tokens.js';

export interface LOC {
  /** Diameter of the sphere, RFC 1876 precision byte (mantissa << 4 | power of ten, in centimetres). */
  readonly size: number;
  /** Horizontal precision, same encoding. */
  readonly horizPre: number;
  /** Vertical precision, same encoding. */
  readonly vertPre: number;
  /** Thousandths of an arc second, 2^31 being the equator. */
  readonly latitude: number;
  /** Thousandths of an arc second, 2^31 being the prime meridian. */
  readonly longitude: number;
  /** Centimetres from 100 000 m below the WGS 84 reference spheroid. */
  readonly altitude: number;
}

const EQUATOR = 0x80000000;
/** Altitude offset: 100 000 m in centimetres (RFC 1876 §2). */
const ALT_BASE = 10_000_000;
/** Defaults when omitted (RFC 1876 §3): size 1m, horizontal 10000m, vertical 10m. */
const DEFAULT_SIZE = 0x12;
const DEFAULT_HP = 0x16;
const DEFAULT_VP = 0x13;

/** True for a precision byte with mantissa and exponent both 0–9 and a non-zero mantissa (or exactly 0). */
function validPrecision(b: number): boolean {
  if (b === 0) return true;
  const man = b >> 4;
  const exp = b & 0x0f;
  return man >= 1 && man <= 9 && exp <= 9;
}

/** Centimetres → precision byte, keeping the leading digit (RFC 1876 Appendix A precsize_aton truncates). */
export function encodePrecision(cm: number): number {
  if (cm <= 0) return 0;
  let exp = 0;
  while (exp < 9 && cm >= 10 ** (exp + 1)) exp++;
  const man = Math.floor(cm / 10 ** exp);
  return (man << 4) | exp;
}

/** Precision byte → metres text as BIND prints it ("1m", "0.05m"). */
export function presentPrecision(b: number): string {
  const man = b >> 4;
  const exp = b & 0x0f;
  if (exp > 1) return `${man * 10 ** (exp - 2)}m`;
  return `0.${String(man * 10 ** exp).padStart(2, '0')}m`;
}

function presentAngle(v: number, pos: string, neg: string): string {
  let a: number;
  let hemi: string;
  if (v >= EQUATOR) {
    a = v - EQUATOR;
    hemi = pos;
  } else {
    a = EQUATOR - v;
    hemi = neg;
  }
  const frac = a % 1000;
  a = Math.floor(a / 1000);
  const s = a % 60;
  a = Math.floor(a / 60);
  const m = a % 60;
  const d = Math.floor(a / 60);
  return `${d} ${m} ${s}.${String(frac).padStart(3, '0')} ${hemi}`;
}

/** Read `d [m [s]] HEMI`; returns thousandths of an arc second from the reference (signed). */
function parseAngle(t: RdataTokens, what: string, maxDeg: number, pos: string, neg: string): number {
  const degTok = t.next(`${what} degrees`);
  if (!/^[0-9]+$/.test(degTok.text)) throw t.error(`${what} degrees must be a number, got "${degTok.text}"`, degTok);
  const deg = Number(degTok.text);
  if (deg > maxDeg) throw t.error(`${what} degrees ${degTok.text} is larger than ${maxDeg}`, degTok);
  let min = 0;
  let msec = 0;
  const isHemi = (tok: RdataToken): boolean => {
    const u = tok.text.toUpperCase();
    return u === pos || u === neg;
  };
  let tok = t.next(`${what} minutes or ${pos}/${neg}`);
  if (!isHemi(tok)) {
    if (!/^[0-9]+$/.test(tok.text)) throw t.error(`${what} minutes must be a number, got "${tok.text}"`, tok);
    min = Number(tok.text);
    if (min > 59) throw t.error(`${what} minutes ${tok.text} is larger than 59`, tok);
    tok = t.next(`${what} seconds or ${pos}/${neg}`);
    if (!isHemi(tok)) {
      const m = /^([0-9]*)(?:\.([0-9]{0,3}))?$/.exec(tok.text);
      if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw t.error(`${what} seconds must be a number with at most 3 decimals, got "${tok.text}"`, tok);
      const whole = Number(m[1] || '0');
      if (whole > 59) throw t.error(`${what} seconds ${tok.text} is not below 60`, tok);
      msec = whole * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
      tok = t.next(`${what} ${pos}/${neg}`);
      if (!isHemi(tok)) throw t.error(`expected ${pos} or ${neg}, got "${tok.text}"`, tok);
    }
  }
  const total = (deg * 3600 + min * 60) * 1000 + msec;
  if (total > maxDeg * 3600000) throw t.error(`${what} is beyond ${maxDeg} degrees`, degTok);
  return tok.text.toUpperCase() === pos ? total : -total;
}

/** A metres value `[-]digits[.dd][m]` → centimetres; undefined when malformed. */
function metresToCm(text: string, allowNegative: boolean): number | undefined {
  const m = /^(-?)([0-9]*)(?:\.([0-9]{0,2}))?[mM]?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  if (m[1] === '-' && !allowNegative) return undefined;
  const cm = Number(m[2] || '0') * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cm : cm;
}

function parsePrecision(t: RdataTokens, what: string, dflt: number): number {
  if (t.done) return dflt;
  const tok = t.next(what);
  const cm = metresToCm(tok.text, false);
  if (cm === undefined) throw t.error(`${what} must be metres like 10m or 0.05m, got "${tok.text}"`, tok);
  if (cm > 9_000_000_099) throw t.error(`${what} ${tok.text} is larger than 90000000m`, tok);
  return encodePrecision(cm);
}

export const codec = defineRdata<LOC>({
  type: RRType.LOC,
  mnemonic: 'LOC',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const at = r.offset;
    const version = r.u8('LOC version');
    if (version !== 0) throw new WireFormatError('WIRE_BAD_RDATA', `LOC version ${version} is not 0 (RFC 1876 §2)`, 'LOC version', at);
    const size = r.u8('LOC size');
    const horizPre = r.u8('LOC horizontal precision');
    const vertPre = r.u8('LOC vertical precision');
    for (const [b, f] of [[size, 'LOC size'], [horizPre, 'LOC horizontal precision'], [vertPre, 'LOC vertical precision']] as const) {
      if (!validPrecision(b)) throw new WireFormatError('WIRE_BAD_RDATA', `precision byte 0x${b.toString(16)} has a digit above 9`, f, at);
    }
    const latitude = r.u32('LOC latitude');
    if (Math.abs(latitude - EQUATOR) > 90 * 3600000) throw new WireFormatError('WIRE_BAD_RDATA', 'latitude beyond 90 degrees', 'LOC latitude', r.offset - 4);
    const longitude = r.u32('LOC longitude');
    if (Math.abs(longitude - EQUATOR) > 180 * 3600000) throw new WireFormatError('WIRE_BAD_RDATA', 'longitude beyond 180 degrees', 'LOC longitude', r.offset - 4);
    const altitude = r.u32('LOC altitude');
    return { size, horizPre, vertPre, latitude, longitude, altitude };
  },
  encode(w, v) {
    w.u8(0);
    w.u8(v.size);
    w.u8(v.horizPre);
    w.u8(v.vertPre);
    w.u32(v.latitude);
    w.u32(v.longitude);
    w.u32(v.altitude);
  },
  parse(t) {
    const lat = parseAngle(t, 'LOC latitude', 90, 'N', 'S');
    const lon = parseAngle(t, 'LOC longitude', 180, 'E', 'W');
    const altTok = t.next('LOC altitude');
    const alt = metresToCm(altTok.text, true);
    if (alt === undefined) throw t.error(`LOC altitude must be metres like -24m or 10.5m, got "${altTok.text}"`, altTok);
    if (alt < -ALT_BASE || alt > 0xffffffff - ALT_BASE) throw t.error(`LOC altitude ${altTok.text} is outside -100000m..42849672.95m`, altTok);
    const size = parsePrecision(t, 'LOC size', DEFAULT_SIZE);
    const horizPre = parsePrecision(t, 'LOC horizontal precision', DEFAULT_HP);
    const vertPre = parsePrecision(t, 'LOC vertical precision', DEFAULT_VP);
    t.end();
    return { size, horizPre, vertPre, latitude: EQUATOR + lat, longitude: EQUATOR + lon, altitude: alt + ALT_BASE };
  },
  present(v) {
    const below = v.altitude < ALT_BASE;
    const a = below ? ALT_BASE - v.altitude : v.altitude - ALT_BASE;
    const alt = `${below ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}m`;
    return `${presentAngle(v.latitude, 'N', 'S')} ${presentAngle(v.longitude, 'E', 'W')} ${alt} ${presentPrecision(v.size)} ${presentPrecision(v.horizPre)} ${presentPrecision(v.vertPre)}`;
  },
});
