// SNMPv3 AES privacy (RFC 3826, AES-CFB128) for net-snmp under Deno, whose node:crypto has no
// "aes-*-cfb" cipher: CFB is built here from the AES block function ("aes-*-ecb", which Deno has)
// and put in place of net-snmp's AES entries. DES privacy stays unavailable (no DES in Deno).
import { Buffer } from "node:buffer";
import { createCipheriv, randomBytes } from "node:crypto";

const BLOCK = 16;

function blockCipher(key: Uint8Array) {
  const algorithm = key.length === 32 ? "aes-256-ecb" : key.length === 24 ? "aes-192-ecb" : key
      .length === 16
    ? "aes-128-ecb"
    : null;
  if (!algorithm) throw new Error(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  const ecb = createCipheriv(algorithm, key, null);
  ecb.setAutoPadding(false);
  return (block: Uint8Array) => ecb.update(block) as Uint8Array;
}

/** AES-CFB128 (NIST SP 800-38A); the last block may be partial. Decrypt with `encrypt: false`. */
export function aesCfb(
  key: Uint8Array,
  iv: Uint8Array,
  input: Uint8Array,
  encrypt: boolean,
): Buffer {
  if (iv.length !== BLOCK) throw new Error(`AES-CFB IV must be ${BLOCK} bytes, got ${iv.length}`);
  const encryptBlock = blockCipher(key);
  const out = Buffer.alloc(input.length);
  let feedback: Uint8Array = Uint8Array.from(iv);
  for (let off = 0; off < input.length; off += BLOCK) {
    const stream = encryptBlock(feedback);
    const n = Math.min(BLOCK, input.length - off);
    for (let i = 0; i < n; i++) out[off + i] = input[off + i] ^ stream[i];
    // The next feedback is always the ciphertext block.
    feedback = (encrypt ? out : input).subarray(off, off + BLOCK);
  }
  return out;
}

interface AesAlgorithm {
  BLOCK_LENGTH: number;
  localizationAlgorithm: (
    alg: AesAlgorithm,
    authProtocol: unknown,
    privPassword: unknown,
    engineID: unknown,
  ) => Buffer;
  encryptPdu: unknown;
  decryptPdu: unknown;
}

interface Engine {
  engineID: Buffer;
  engineBoots: number;
  engineTime: number;
}

/** The parts of net-snmp's exports this patch touches. */
export interface NetSnmpEncryption {
  Encryption: {
    algorithms: Record<string, AesAlgorithm>;
    generateIvAes: (alg: AesAlgorithm, boots: number, time: number, salt: Buffer) => Buffer;
  };
  PrivProtocols: Record<string, number | string>;
}

const patched = new WeakSet<object>();

/** Replaces net-snmp's AES privacy (128, 256 Blumenthal, 256 Reeder) with `aesCfb`; idempotent. */
export function installAesPrivacy(snmp: NetSnmpEncryption): void {
  const { Encryption, PrivProtocols } = snmp;
  if (patched.has(Encryption)) return;
  for (const name of ["aes", "aes256b", "aes256r"]) {
    const alg = Encryption.algorithms[PrivProtocols[name] as string];
    if (!alg) continue;
    alg.encryptPdu = (
      scopedPdu: Buffer,
      _privProtocol: unknown,
      privPassword: unknown,
      authProtocol: unknown,
      engine: Engine,
    ) => {
      const key = alg.localizationAlgorithm(alg, authProtocol, privPassword, engine.engineID);
      const salt = Buffer.from(randomBytes(8));
      const iv = Encryption.generateIvAes(alg, engine.engineBoots, engine.engineTime, salt);
      return { encryptedPdu: aesCfb(key, iv, scopedPdu, true), msgPrivacyParameters: salt };
    };
    alg.decryptPdu = (
      encryptedPdu: Buffer,
      _privProtocol: unknown,
      privParameters: Buffer,
      privPassword: unknown,
      authProtocol: unknown,
      engine: Engine,
    ) => {
      const key = alg.localizationAlgorithm(alg, authProtocol, privPassword, engine.engineID);
      const iv = Encryption.generateIvAes(
        alg,
        engine.engineBoots,
        engine.engineTime,
        privParameters,
      );
      return aesCfb(key, iv, encryptedPdu, false);
    };
  }
  patched.add(Encryption);
}
