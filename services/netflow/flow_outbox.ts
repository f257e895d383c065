// Where an edge collector's receive batches go instead of SQL when scaled out (NATS_URL, no
// ingest role here): services/cluster implements it on JetStream; the collector only knows this.
import type { FlowChunk } from "./flow_chunk.ts";
import type { ExporterCounterView } from "./collector_counters.ts";

/** One receive batch on its way: its collector, sequence and decoded chunks. */
export interface OutgoingBatch {
  /** The collector's message id prefix (EdgeState.id) and name. */
  spoolId: string;
  collector: string;
  seq: number;
  chunks: FlowChunk[];
}

export interface OutboxStats {
  /** Batches handed to send() and not yet accepted. */
  pending: number;
  published_batches: number;
  published_messages: number;
  published_records: number;
  /** Publish attempts that failed (each retried until accepted). */
  failed_attempts: number;
  /** Batches given up at stop (the link never came back in time); their records are lost. */
  given_up: number;
  last_error?: string;
  last_published_at?: string;
}

export interface FlowOutbox {
  /**
   * Delivers one batch; resolves once it is accepted for good, retrying meanwhile. Batches are
   * delivered in the order given. Rejects only when the outbox is closed before it got through.
   */
  send(batch: OutgoingBatch): Promise<void>;
  /** The exporters' counters, best effort (a snapshot lost on a dead link is replaced soon). */
  counters(
    collector: string,
    counters: Record<string, ExporterCounterView>,
    o: { nowMs: number; sinceMs: number },
  ): Promise<void>;
  stats(): OutboxStats;
  /** Stops retrying after a grace period of its own: what is still unsent then rejects. */
  close(): Promise<void>;
}
