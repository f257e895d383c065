// Password hashing (argon2id, OWASP cost, PHC strings) and the rules a new password must meet.
import { argon2id } from "hash-wasm";
import { AppError } from "@/services/errors.ts";
import { timingSafeEqual } from "./constant_time.ts";

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_PARAMS = {
  memorySize: 19_456,
  iterations: 2,
  parallelism: 1,
  hashLength: 32,
  saltLength: 16,
} as const;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

// Bounds on what verifyPassword accepts from a stored hash, so a corrupt or hostile row
// cannot make one login allocate gigabytes or spin for minutes.
const MAX_VERIFY_MEMORY_KIB = 1_048_576;
const MAX_VERIFY_ITERATIONS = 64;
const MAX_VERIFY_PARALLELISM = 16;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(ARGON2_PARAMS.saltLength));
  return await argon2id({
    password,
    salt,
    memorySize: ARGON2_PARAMS.memorySize,
    iterations: ARGON2_PARAMS.iterations,
    parallelism: ARGON2_PARAMS.parallelism,
    hashLength: ARGON2_PARAMS.hashLength,
    outputType: "encoded",
  });
}

export interface ParsedHash {
  memorySize: number;
  iterations: number;
  parallelism: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

const PHC =
  /^\$argon2id\$v=19\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function decodeB64(s: string): Uint8Array {
  const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Parses an argon2id v1.3 PHC string; null for anything else (other variants included). */
export function parsePasswordHash(encoded: string): ParsedHash | null {
  const m = PHC.exec(encoded);
  if (!m) return null;
  try {
    const parsed = {
      memorySize: Number(m[1]),
      iterations: Number(m[2]),
      parallelism: Number(m[3]),
      salt: decodeB64(m[4]),
      hash: decodeB64(m[5]),
    };
    if (
      parsed.parallelism < 1 || parsed.parallelism > MAX_VERIFY_PARALLELISM ||
      parsed.iterations < 1 || parsed.iterations > MAX_VERIFY_ITERATIONS ||
      parsed.memorySize < 8 * parsed.parallelism || parsed.memorySize > MAX_VERIFY_MEMORY_KIB ||
      parsed.salt.length < 8 || parsed.hash.length < 4
    ) return null;
    return parsed;
  } catch {
    return null;
  }
}

/**
 * True when `password` matches the stored PHC string. The digest comparison is constant-time
 * (hash-wasm's argon2Verify compares with `===`, so it is recomputed and compared here).
 * A malformed hash verifies as false rather than throwing, so a bad row is a failed login.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const p = parsePasswordHash(encoded);
  if (!p) return false;
  // hash-wasm refuses an empty password; spend the same time on a stand-in and fail.
  const actual = await argon2id({
    password: password === "" ? "\0" : password,
    salt: p.salt,
    memorySize: p.memorySize,
    iterations: p.iterations,
    parallelism: p.parallelism,
    hashLength: p.hash.length,
    outputType: "binary",
  });
  return timingSafeEqual(actual, p.hash) && password !== "";
}

/** True when a stored hash was made with other parameters than today's and should be redone. */
export function needsRehash(encoded: string): boolean {
  const p = parsePasswordHash(encoded);
  return !p || p.memorySize !== ARGON2_PARAMS.memorySize ||
    p.iterations !== ARGON2_PARAMS.iterations || p.parallelism !== ARGON2_PARAMS.parallelism ||
    p.hash.length !== ARGON2_PARAMS.hashLength || p.salt.length < ARGON2_PARAMS.saltLength;
}

// Compared case-insensitively. Most short classics are already refused by the length rule;
// these are the common ones that are 10+ characters or are the product's own defaults.
const FORBIDDEN = new Set([
  "admin",
  "password",
  "pingfold",
  "changeme",
  "administrator",
  "0123456789",
  "1234567890",
  "12345678910",
  "123456789012",
  "0987654321",
  "qwertyuiop",
  "asdfghjkl;",
  "1q2w3e4r5t",
  "password1!",
  "password12",
  "password123",
  "password1234",
  "passw0rd123",
  "adminadmin",
  "admin12345",
  "admin123456",
  "changeme123",
  "pingfold123",
  "letmein123",
  "welcome123",
  "iloveyou12",
]);

/** Throws AppError 422 "weak_password" naming the rule the password breaks. */
export function validateNewPassword(password: string, ctx: { username?: string } = {}): void {
  const length = [...password].length;
  const weak = (why: string) => new AppError(422, "weak_password", why);
  if (length < MIN_PASSWORD_LENGTH) {
    throw weak(
      `password is too short: ${length} characters, at least ${MIN_PASSWORD_LENGTH} expected`,
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw weak(
      `password is too long: ${length} characters, at most ${MAX_PASSWORD_LENGTH} allowed`,
    );
  }
  const lower = password.toLowerCase();
  if (ctx.username && lower === ctx.username.toLowerCase()) {
    throw weak("password must not be the same as the username");
  }
  if (FORBIDDEN.has(lower)) {
    throw weak("password is a commonly used one; choose something less guessable");
  }
  if (new Set(password).size < 3) {
    throw weak("password repeats too few different characters; use at least 3 distinct ones");
  }
}
