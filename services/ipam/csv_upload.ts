// Reads an uploaded CSV (raw body, a multipart file, or a form text field) as strict UTF-8 text.
import { AppError } from "@/services/errors.ts";

/** The part of a Hono request this needs (kept narrow so the service has no web dependency). */
export interface UploadRequest {
  header(name: string): string | undefined;
  parseBody(): Promise<Record<string, string | File | (string | File)[]>>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const FORM = /^(multipart\/form-data|application\/x-www-form-urlencoded)/i;

/** Strict UTF-8: a Latin-1 export would otherwise import with mangled names. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError(
      422,
      "invalid_csv",
      'the file is not UTF-8 text; save it as "CSV UTF-8" and upload again',
    );
  }
}

/**
 * The CSV text of a request: a multipart `file` (or `csv`) field, a form `csv` text field, or
 * the raw body. @throws AppError 422 when no file was sent or it is not UTF-8.
 */
export async function readCsvUpload(req: UploadRequest): Promise<string> {
  if (FORM.test(req.header("content-type") ?? "")) {
    const form = await req.parseBody();
    for (const name of ["file", "csv"]) {
      const raw = form[name];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value instanceof File && value.size > 0) {
        return decodeUtf8(new Uint8Array(await value.arrayBuffer()));
      }
      if (typeof value === "string" && value.trim() !== "") return value;
    }
    throw new AppError(422, "missing_file", 'no CSV file in the form; send it as the "file" field');
  }
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length === 0) {
    throw new AppError(
      422,
      "missing_file",
      "the request body is empty; send the CSV file as the body",
    );
  }
  return decodeUtf8(bytes);
}
