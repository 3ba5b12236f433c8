// Loading a PKCS#11 module through pkcs11js, once per process and library path: C_Initialize and C_Finalize are
// process-wide for a module (PKCS#11 v2.40 §5.4), so stores sharing a library share one initialised instance.
import pkcs11js from 'pkcs11js';
import { HsmError } from '../keystore-errors.js';

/** The pkcs11js module instance type. */
export type Pkcs11Module = InstanceType<typeof pkcs11js.PKCS11>;

interface Loaded {
  readonly module: Pkcs11Module;
  refs: number;
}

const LOADED = new Map<string, Loaded>();

let RV_NAMES: Map<number, string> | undefined;

/** The CKR_* name of a PKCS#11 return value (hex when unknown). */
export function rvName(rv: number): string {
  if (!RV_NAMES) {
    RV_NAMES = new Map();
    for (const [k, v] of Object.entries(pkcs11js)) if (k.startsWith('CKR_') && typeof v === 'number' && !RV_NAMES.has(v)) RV_NAMES.set(v, k);
  }
  return RV_NAMES.get(rv) ?? `0x${rv.toString(16)}`;
}

/** The PKCS#11 return value carried by a pkcs11js error, or undefined for other errors. */
export function rvOf(e: unknown): number | undefined {
  if (e instanceof pkcs11js.Pkcs11Error) return e.code;
  // pkcs11js's own JS overrides (C_SetAttributeValue, C_CreateObject, C_CopyObject) throw plain Errors "CKR_X:n".
  const m = e instanceof Error ? /\bCKR_[A-Z0-9_]+:(\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : undefined;
}

/** Translate a failure of PKCS#11 function `fn` into HSM_OPERATION (callers map the specific return values first). */
export function hsmFailure(fn: string, e: unknown, details: Record<string, unknown> = {}): HsmError {
  const rv = rvOf(e);
  const why = rv !== undefined ? rvName(rv) : e instanceof Error ? e.message : String(e);
  return new HsmError('HSM_OPERATION', `PKCS#11 ${fn} failed: ${why}`, { fn, rv: rv !== undefined ? rvName(rv) : undefined, ...details }, { cause: e });
}

/** Load and initialise the module at `path`, or take another reference to it. Throws HSM_LIBRARY_LOAD. */
export function acquireLibrary(path: string): Pkcs11Module {
  const l = LOADED.get(path);
  if (l) {
    l.refs++;
    return l.module;
  }
  const module = new pkcs11js.PKCS11();
  try {
    module.load(path);
  } catch (e) {
    throw new HsmError('HSM_LIBRARY_LOAD', `cannot load PKCS#11 library ${path}: ${e instanceof Error ? e.message : String(e)}`, { library: path }, { cause: e });
  }
  try {
    module.C_Initialize();
  } catch (e) {
    if (rvOf(e) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      try {
        module.close();
      } catch {
        /* nothing more to undo */
      }
      throw new HsmError('HSM_LIBRARY_LOAD', `PKCS#11 library ${path} failed to initialise: ${rvOf(e) !== undefined ? rvName(rvOf(e)!) : String(e)}`, { library: path }, { cause: e });
    }
  }
  LOADED.set(path, { module, refs: 1 });
  return module;
}

/** Drop a reference; the last one finalises and unloads the module (so a new configuration is read next time). */
export function releaseLibrary(path: string): void {
  const l = LOADED.get(path);
  if (!l) return;
  if (--l.refs > 0) return;
  LOADED.delete(path);
  try {
    l.module.C_Finalize();
  } finally {
    l.module.close();
  }
}

export { pkcs11js };
