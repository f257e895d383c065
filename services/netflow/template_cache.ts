// Per-exporter stream state (templates, sampling, uptime base, sequence) keyed by exporter
// address + version + source id / observation domain, exportable as JSON, and bounded so that
// unauthenticated UDP cannot grow it: per stream, per exporter and in total, a flood of new
// templates or streams is refused (and counted) instead of evicting what live exporters refresh.
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
  /** False for a stream refused because the cache was full: it decodes, but stores nothing. */
  registered = true;

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
  /** Template slots in total (a template costs one slot per TEMPLATE_SLOT_FIELDS fields). */
  maxTemplates?: number;
  /** Template slots per exporter address. */
  maxTemplatesPerExporter?: number;
  /** A template not refreshed for this long may be evicted to make room; default 30 min. */
  idleMs?: number;
}

/** Why a template was not stored. */
export type TemplateRefusal = "exporter_full" | "cache_full" | "stream_refused";

/** Fields per template slot: a 1,024-field template weighs what 32 small ones do. */
export const TEMPLATE_SLOT_FIELDS = 32;

export function templateSlots(fieldCount: number): number {
  return Math.max(1, Math.ceil(fieldCount / TEMPLATE_SLOT_FIELDS));
}

/** One stored template in the refresh order (oldest refresh first). */
interface Slot {
  domain: DomainState;
  id: number;
  slots: number;
  refreshedMs: number;
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
  /** Templates in the snapshot beyond the caps, not restored. */
  refused: number;
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
  /** Streams holding no template, oldest first: the ones evicted when the table is full. */
  private readonly bare = new Map<string, DomainState>();
  /** Every stored template, least recently refreshed first. */
  private readonly order = new Map<string, Slot>();
  /** The same, per exporter address. */
  private readonly byExporter = new Map<string, Map<string, Slot>>();
  private readonly slotsByExporter = new Map<string, number>();
  private slotsUsed = 0;
  private readonly maxTemplates: number;
  private readonly maxPerExporter: number;
  private readonly idleMs: number;
  // Most packets come from the exporter that sent the previous one: skip the key building.
  private last: DomainState | undefined;

  constructor(private readonly limits: TemplateCacheLimits) {
    this.maxTemplates = limits.maxTemplates ?? Infinity;
    this.maxPerExporter = limits.maxTemplatesPerExporter ?? Infinity;
    this.idleMs = limits.idleMs ?? 30 * 60_000;
  }

  /** Template slots in use, in total. */
  get templateSlots(): number {
    return this.slotsUsed;
  }

  /** Templates stored, in total. */
  get templateCount(): number {
    return this.order.size;
  }

  get domainCount(): number {
    return this.domains.size;
  }

  /**
   * The stream's state, created on first sight. When the table is full the oldest stream without
   * templates makes room, else one whose templates all went idle; when none can, the stream is
   * refused: a throwaway state (registered = false) that decodes with no templates and keeps none.
   */
  domain(exporter: string, version: 5 | 9 | 10, domainId: number, nowMs = 0): DomainState {
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
      if (this.domains.size >= this.limits.maxDomains && !this.evictDomain(nowMs)) {
        const refused = new DomainState(key, exporter, version, domainId);
        refused.registered = false;
        return refused;
      }
      state = new DomainState(key, exporter, version, domainId);
      this.domains.set(key, state);
      this.bare.set(key, state);
    }
    this.last = state;
    return state;
  }

  private evictDomain(nowMs: number): boolean {
    let victim: DomainState | undefined = this.bare.values().next().value;
    if (victim === undefined) {
      const oldest = this.order.values().next().value;
      if (oldest === undefined || nowMs - oldest.refreshedMs < this.idleMs) return false;
      victim = oldest.domain;
    }
    for (const id of [...victim.templates.keys()]) this.removeTemplate(victim, id);
    this.domains.delete(victim.key);
    this.bare.delete(victim.key);
    if (this.last === victim) this.last = undefined;
    return true;
  }

  /**
   * Why a new template `id` with `fieldCount` fields would not be stored now, or null when it
   * would be (refreshes always are). Checked before compiling, so refusals cost little.
   */
  refusal(
    domain: DomainState,
    id: number,
    fieldCount: number,
    nowMs: number,
  ): TemplateRefusal | null {
    if (!domain.registered) return "stream_refused";
    // A flood is refused here once per template: no key string is built unless the stream holds
    // templates (each one was garbage that outlived a young-generation GC and grew the heap).
    const have = domain.templates.has(id) ? this.order.get(domain.key + "#" + id) : undefined;
    let need = templateSlots(fieldCount) - (have?.slots ?? 0);
    // A full stream makes room with its own oldest template (only that stream loses by it).
    if (have === undefined && domain.templates.size >= this.limits.maxTemplatesPerDomain) {
      const oldest = domain.templates.keys().next().value;
      need -= this.order.get(domain.key + "#" + oldest)?.slots ?? 0;
    }
    if (need <= 0) return null;
    const mine = this.slotsByExporter.get(domain.exporter) ?? 0;
    if (mine + need > this.maxPerExporter && !this.idleRoom(domain.exporter, need, nowMs, have)) {
      return "exporter_full";
    }
    if (this.slotsUsed + need > this.maxTemplates && !this.idleRoom(null, need, nowMs, have)) {
      return "cache_full";
    }
    return null;
  }

  /** Whether idle templates (of `exporter`, or anyone's) other than `except` add up to `need`. */
  private idleRoom(
    exporter: string | null,
    need: number,
    nowMs: number,
    except: Slot | undefined,
  ): boolean {
    const slots = exporter === null ? this.order : this.byExporter.get(exporter);
    if (slots === undefined) return false;
    let free = 0;
    for (const s of slots.values()) {
      if (nowMs - s.refreshedMs < this.idleMs) return false;
      if (s === except) continue;
      free += s.slots;
      if (free >= need) return true;
    }
    return false;
  }

  /**
   * Stores (or refreshes) a template: the stream's oldest one makes room when the stream is full,
   * idle templates when the exporter or the cache is. Returns the refusal when there is no room.
   */
  setTemplate(domain: DomainState, template: CompiledTemplate, nowMs = 0): TemplateRefusal | null {
    const why = this.refusal(domain, template.id, template.fields.length, nowMs);
    if (why !== null) return why;
    const templates = domain.templates;
    this.removeTemplate(domain, template.id);
    while (templates.size >= this.limits.maxTemplatesPerDomain && templates.size > 0) {
      this.removeTemplate(domain, templates.keys().next().value!);
    }
    const slots = templateSlots(template.fields.length);
    const exporter = domain.exporter;
    this.evictIdle(
      this.byExporter.get(exporter),
      () => (this.slotsByExporter.get(exporter) ?? 0) + slots > this.maxPerExporter,
    );
    this.evictIdle(this.order, () => this.slotsUsed + slots > this.maxTemplates);
    templates.set(template.id, template);
    const slot: Slot = { domain, id: template.id, slots, refreshedMs: nowMs };
    const key = domain.key + "#" + template.id;
    this.order.set(key, slot);
    let mine = this.byExporter.get(exporter);
    if (mine === undefined) this.byExporter.set(exporter, mine = new Map());
    mine.set(key, slot);
    this.slotsByExporter.set(exporter, (this.slotsByExporter.get(exporter) ?? 0) + slots);
    this.slotsUsed += slots;
    this.bare.delete(domain.key);
    return null;
  }

  private evictIdle(slots: Map<string, Slot> | undefined, over: () => boolean): void {
    while (slots !== undefined && slots.size > 0 && over()) {
      const oldest = slots.values().next().value!;
      this.removeTemplate(oldest.domain, oldest.id);
    }
  }

  /** Forgets one template of a stream, with its bookkeeping. */
  private removeTemplate(domain: DomainState, id: number): void {
    if (!domain.templates.delete(id)) return;
    const key = domain.key + "#" + id;
    const slot = this.order.get(key);
    if (slot !== undefined) {
      this.order.delete(key);
      const mine = this.byExporter.get(domain.exporter);
      mine?.delete(key);
      if (mine !== undefined && mine.size === 0) this.byExporter.delete(domain.exporter);
      const left = (this.slotsByExporter.get(domain.exporter) ?? 0) - slot.slots;
      if (left > 0) this.slotsByExporter.set(domain.exporter, left);
      else this.slotsByExporter.delete(domain.exporter);
      this.slotsUsed -= slot.slots;
    }
    if (
      domain.templates.size === 0 && domain.registered && this.domains.get(domain.key) === domain
    ) {
      this.bare.set(domain.key, domain);
    }
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
      this.removeTemplate(domain, templateId);
      return;
    }
    for (const [id, t] of [...domain.templates]) {
      if (t.isOptions === options) this.removeTemplate(domain, id);
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

  /**
   * Merges a snapshot into the cache, within the caps (a snapshot saved under larger caps is cut
   * to the current ones). Restored templates count as idle: live exporters' templates, received
   * later, replace them first.
   */
  import(snapshot: unknown, nowMs = 0): ImportResult {
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
    const result: ImportResult = { domains: 0, templates: 0, rejected: 0, refused: 0 };
    // Idle from the start, yet not evictable by each other while being restored.
    const restoredMs = nowMs - this.idleMs;
    for (const d of parsed.data.domains) {
      const domain = this.domain(d.exporter, d.version, d.domainId, nowMs - 2 * this.idleMs);
      if (!domain.registered) {
        result.refused += d.templates.length;
        continue;
      }
      result.domains++;
      for (const t of d.templates) {
        if (this.refusal(domain, t.id, t.fields.length, restoredMs) !== null) {
          result.refused++;
          continue;
        }
        const fields = t.fields.map(([id, length, enterprise]) => ({ id, length, enterprise }));
        const compiled = compileTemplate(t.id, fields, t.scopeCount, t.options, d.version === 10);
        if (typeof compiled === "string") {
          result.rejected++;
          continue;
        }
        this.setTemplate(domain, compiled, restoredMs);
        result.templates++;
      }
      if (d.samplingInterval > 0) domain.samplingInterval = d.samplingInterval;
      for (const [id, interval] of d.samplers) this.setSampler(domain, id, interval);
      if (d.systemInitMs !== null) domain.systemInitMs = d.systemInitMs;
    }
    return result;
  }
}
