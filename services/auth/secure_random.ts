// Unguessable identifiers (session ids, CSRF and API tokens) from the platform CSPRNG.
import { createHash } from "node:crypto";

/** Encodes bytes as unpadded base64url, safe in cookies, headers and URLs. */
export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** `byteLength` random bytes as base64url (32 bytes → 43 characters, 256 bits). */
export function randomToken(byteLength = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

/**
 * Lowercase hex SHA-256 of a UTF-8 string; how API tokens are stored at rest. Every API call
 * hashes its token: node:crypto's synchronous hash costs a fraction of WebCrypto's round trip.
 */
export function sha256Hex(text: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(text, "utf8").digest("hex"));
}
