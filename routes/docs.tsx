// GET /docs: an API reference rendered on the server from /openapi.json; no CDN, no scripts.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";

type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};
type OpenApiDoc = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
};

function schemaText(schema: unknown): string {
  return JSON.stringify(schema, null, 2) ?? "";
}

export function GET(c: AppContext) {
  const doc = c.get("openapiDocument")() as OpenApiDoc;
  const paths = Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b));
  return page(
    c,
    "API reference",
    <article aria-labelledby="docs-title" class="wrap-anywhere">
      <h1 id="docs-title" class="text-2xl font-bold mb-2">{doc.info.title} {doc.info.version}</h1>
      <p class="mb-2">{doc.info.description}</p>
      <p class="mb-4">
        <a class="link" href="/openapi.json">Download openapi.json</a>
      </p>
      <nav aria-label="Endpoints" class="card mb-4">
        <ul class="mono text-sm wrap-anywhere">
          {paths.flatMap(([path, ops]) =>
            Object.keys(ops).map((m) => (
              <li>
                <a class="link" href={`#${m}-${path}`}>{m.toUpperCase()} {path}</a>
              </li>
            ))
          )}
        </ul>
      </nav>
      {paths.flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => (
          <section id={`${method}-${path}`} class="card mb-3">
            <h2 class="font-bold mono">{method.toUpperCase()} {path}</h2>
            <p>{op.summary}</p>
            {op.parameters?.length
              ? (
                <ul class="text-sm mt-1">
                  {op.parameters.map((p) => (
                    <li>
                      <code>{p.name}</code> ({p.in}
                      {p.required ? ", required" : ""})
                    </li>
                  ))}
                </ul>
              )
              : null}
            {op.requestBody?.content?.["application/json"]?.schema
              ? (
                <details class="mt-1">
                  <summary>Request body</summary>
                  <pre class="mono text-xs overflow-auto">{schemaText(op.requestBody.content["application/json"].schema)}</pre>
                </details>
              )
              : null}
            <p class="text-sm muted mt-1">
              Responses: {Object.entries(op.responses ?? {}).map(([s, r]) =>
                `${s} ${r.description ?? ""}`
              ).join(" · ")}
            </p>
          </section>
        ))
      )}
    </article>,
  );
}
