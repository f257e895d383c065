// Per-exporter stream state (templates, sampling, uptime base, sequence) keyed by exporter
// address + version + source id / observation domain, bounded, and exportable as JSON.
import { z } from "zod";
import { AppError } from "@/services/errors.ts";
import { CompiledTemplate, compileTemplate } from "./template_compiler.ts";
import { SequenceState } from "./sequence_tracker.ts";

/** Everything known about one export stream. */
export class DomainState {
  readonly templates = new Map<number, CompiledTemplate>();
  /** Sampling interval announced by options data without a sampler id; 0 when none. */
  samplingInterval = 0;
  /** Sampling intervals by sampler / selector id, from options data. */
  readonly samplers = new Map<number, number>();
  /** IPFIX systemInitTimeMilliseconds from options data; NaN until announced. */
  systemInitMs = NaN;
  readonly sequence = new SequenceState();

  constructor(
    readonly key: string,
    readonly exporter: string,
    readonly version: 5 | 9 | 10,
    readonly domainId: number,
  ) {}
}

export interface TemplateCacheLimits {
  maxDomains: number;
  maxTemplatesPerDomain: number;
  maxSamplersPerDomain: number;
}

/** One template as stored: fields are [id, length, enterprise number]. */
export interface TemplateSnapshot {
  id: number;
  options: boolean;
  scopeCount: number;
  fields: Array<[number, number, number]>;
}

export interface DomainSnapshot {
  exporter: string;
  version: 9 | 10;
  domainId: number;
  templates: TemplateSnapshot[];
  samplingInterval: number;
  samplers: Array<[number, number]>;
  systemInitMs: number | null;
}

/** JSON-able template cache, from `exportTemplates()`, accepted by `importTemplates()`. */
export interface TemplateCacheSnapshot {
  format: "pingfold.netflow.templates";
  formatVersion: 1;
  domains: DomainSnapshot[];
}

export interface ImportResult {
  domains: number;
  templates: number;
  /** Templates in the snapshot that failed validation and were skipped. */
  rejected: number;
}

const u16 = z.number().int().min(0).max(0xffff);
const u32 = z.number().int().min(0).max(0xffffffff);
const snapshotSchema = z.object({
  format: z.literal("pingfold.netflow.templates"),
  formatVersion: z.literal(1),
  domains: z.array(z.object({
    exporter: z.string().min(1).max(256),
    version: z.union([z.literal(9), z.literal(10)]),
    domainId: u32,
    templates: z.array(z.object({
      id: u16,
      options: z.boolean(),
      scopeCount: u16,
      fields: z.array(z.tuple([u16, u16, u32])).max(0xffff),
    })),
    // Sampler ids and intervals come from exporters' 1..8-byte fields: any finite value.
    samplingInterval: z.number().min(0),
    samplers: z.array(z.tuple([z.number().min(0), z.number().positive()])),
    systemInitMs: z.number().nullable(),
  })),
});

export function domainKey(exporter: string, version: number, domainId: number): string {
  return exporter + "|" + version + "|" + domainId;
}

export class TemplateCache {
  private readonly domains = new Map<string, DomainState>();
  // Most packets come from the exporter that sent the previous one: skip the key building.
  private last: DomainState | undefined;

  constructor(private readonly limits: TemplateCacheLimits) {}

  /** The stream's state, created on first sight (evicting the oldest stream when full). */
  domain(exporter: string, version: 5 | 9 | 10, domainId: number): DomainState {
    const last = this.last;
    if (
      last !== undefined && last.domainId === domainId && last.version === version &&
      last.exporter === exporter
    ) {
      return last;
    }
    const key = domainKey(exporter, version, domainId);
    let state = this.domains.get(key);
    if (state === undefined) {
      while (this.domains.size >= this.limits.maxDomains && this.domains.size > 0) {
        const oldest = this.domains.keys().next().value!;
        this.domains.delete(oldest);
      }
      state = new DomainState(key, exporter, version, domainId);
      this.domains.set(key, state);
    }
    this.last = state;
    return state;
  }

  /** Stores (or replaces) a template, evicting the domain's oldest one when full. */
  setTemplate(domain: DomainState, template: CompiledTemplate): void {
    const templates = domain.templates;
    templates.delete(template.id);
    while (templates.size >= this.limits.maxTemplatesPerDomain && templates.size > 0) {
      templates.delete(templates.keys().next().value!);
    }
    templates.set(template.id, template);
  }

  /** Records a sampler's interval, bounded per domain. */
  setSampler(domain: DomainState, samplerId: number, interval: number): void {
    const samplers = domain.samplers;
    samplers.delete(samplerId);
    while (samplers.size >= this.limits.maxSamplersPerDomain && samplers.size > 0) {
      samplers.delete(samplers.keys().next().value!);
    }
    samplers.set(samplerId, interval);
  }

  /** IPFIX template withdrawal (RFC 7011 §8.1); `all` withdraws every template of the kind. */
  withdraw(domain: DomainState, templateId: number, options: boolean, all: boolean): void {
    if (!all) {
      domain.templates.delete(templateId);
      return;
    }
    for (const [id, t] of domain.templates) {
      if (t.isOptions === options) domain.templates.delete(id);
    }
  }

  export(): TemplateCacheSnapshot {
    const domains: DomainSnapshot[] = [];
    for (const d of this.domains.values()) {
      if (d.version === 5) continue;
      if (d.templates.size === 0 && d.samplingInterval === 0 && d.samplers.size === 0) continue;
      domains.push({
        exporter: d.exporter,
        version: d.version,
        domainId: d.domainId,
        templates: [...d.templates.values()].map((t) => ({
          id: t.id,
          options: t.isOptions,
          scopeCount: t.scopeCount,
          fields: t.fields.map((f): [number, number, number] => [f.id, f.length, f.enterprise]),
        })),
        samplingInterval: d.samplingInterval,
        samplers: [...d.samplers.entries()],
        systemInitMs: Number.isNaN(d.systemInitMs) ? null : d.systemInitMs,
      });
    }
    return { format: "pingfold.netflow.templates", formatVersion: 1, domains };
  }

  /** Merges a snapshot into the cache; live templates received later replace imported ones. */
  import(snapshot: unknown): ImportResult {
    const parsed = snapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new AppError(
        422,
        "invalid_template_snapshot",
        "template snapshot is not in the format exportTemplates() produces: " +
          parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join(
            "; ",
          ),
        parsed.error.issues,
      );
    }
    const result: ImportResult = { domains: 0, templates: 0, rejected: 0 };
    for (const d of parsed.data.domains) {
      const domain = this.domain(d.exporter, d.version, d.domainId);
      result.domains++;
      for (const t of d.templates) {
        const fields = t.fields.map(([id, length, enterprise]) => ({ id, length, enterprise }));
        const compiled = compileTemplate(t.id, fields, t.scopeCount, t.options, d.version === 10);
        if (typeof compiled === "string") {
          result.rejected++;
          continue;
        }
        this.setTemplate(domain, compiled);
        result.templates++;
      }
      if (d.samplingInterval > 0) domain.samplingInterval = d.samplingInterval;
      for (const [id, interval] of d.samplers) this.setSampler(domain, id, interval);
      if (d.systemInitMs !== null) domain.systemInitMs = d.systemInitMs;
    }
    return result;
  }
}
