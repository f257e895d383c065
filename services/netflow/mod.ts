// Public API of the NetFlow domain: the v5/v9/IPFIX decoder, its record and counter types,
// the collector, and the traffic queries behind /netflow. (Packet/pcap builders for tests live in
// tests/support/netflow/.)
export { createFlowDecoder } from "./flow_decoder.ts";
export type { FlowDecoder, FlowDecoderOptions } from "./flow_decoder.ts";
export type { ExporterCounters, FlowRecord } from "./flow_record.ts";
export type {
  DomainSnapshot,
  ImportResult,
  TemplateCacheSnapshot,
  TemplateSnapshot,
} from "./template_cache.ts";
// The collector (UDP listener + worker decoder + batched SQL inserts) and its starter.
export {
  type Collector,
  type CollectorDeps,
  type CollectorOptions,
  collectorOptionsFromConfig,
  type CollectorStatus,
  startCollector,
} from "./collector.ts";
export {
  addNetflowHealth,
  collectorHealth,
  startEdgeCollector,
  startNetflowCollector,
} from "./collector_starter.ts";
export { type ExporterCounterView, sumCounters } from "./collector_counters.ts";

// Traffic queries for the page and API.
export {
  type HostTalker,
  listFlows,
  type MatrixEdge,
  type MatrixNode,
  type PairTalker,
  parseProtocol,
  type PortTalker,
  protocolName,
  type SeriesPoint,
  topHosts,
  topPairs,
  topPorts,
  type TrafficMatrix,
  trafficMatrix,
  trafficSeries,
} from "./traffic_query.ts";
export {
  DEFAULT_WINDOW,
  parseWindow,
  type TrafficWindow,
  WINDOW_PRESETS,
} from "./traffic_window.ts";
export { type ExporterView, exporterViews, resolveFlowFilter } from "./traffic_service.ts";
export { COUNTER_NAMES } from "./collector_counters.ts";
export {
  chunkColumns,
  chunkFromColumns,
  type FlowChunk,
  FlowChunkBuilder,
  type FlowChunkColumns,
  NUMERIC_COLUMNS,
} from "./flow_chunk.ts";
export {
  deleteExpired,
  insertFlowBatch,
  saveExporterCounters,
  saveTemplateState,
} from "./flow_repo.ts";
// Scaled out, an edge collector's batches go to an outbox (NATS, in services/cluster) instead.
export type { FlowOutbox, OutboxStats, OutgoingBatch } from "./flow_outbox.ts";
export { setReceiveBuffer } from "./socket_buffer.ts";
export { type HostPeer, type HostPort, type HostTraffic, hostTraffic } from "./host_traffic.ts";
