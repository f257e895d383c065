// Reads a response body as JSON, or fails with the status and the start of what came instead.
export async function jsonBody(res: Response) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}
