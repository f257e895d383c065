// Public API of the NetFlow domain: the v5/v9/IPFIX decoder, its record and counter types,
// and the packet/pcap builders that tests and benchmarks elsewhere may use.
export { createFlowDecoder } from "./flow_decoder.ts";
export type { FlowDecoder, FlowDecoderOptions } from "./flow_decoder.ts";
export type { ExporterCounters, FlowRecord } from "./flow_record.ts";
export type {
  DomainSnapshot,
  ImportResult,
  TemplateCacheSnapshot,
  TemplateSnapshot,
} from "./template_cache.ts";
export { buildPcap, writePcapFile } from "./pcap_writer.ts";
export type {
  PcapBuildOptions,
  PcapBuildResult,
  PcapTotals,
  SyntheticFlow,
} from "./pcap_writer.ts";
export {
  buildDataSet,
  buildIpfixMessage,
  buildIpfixOptionsTemplateSet,
  buildTemplateSet,
  buildV5Packet,
  buildV9OptionsTemplateSet,
  buildV9Packet,
  encodeRecord,
} from "./export_packet_builder.ts";
export type {
  EncodedField,
  FieldSpec,
  FieldValue,
  IpfixHeader,
  IpfixOptionsTemplateSpec,
  TemplateSpec,
  V5Flow,
  V5Header,
  V9Header,
  V9OptionsTemplateSpec,
} from "./export_packet_builder.ts";
