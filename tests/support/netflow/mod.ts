// Test-only NetFlow/IPFIX builders: export packets, pcap files and the softflowd command line.
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
  concat,
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

export { findSoftflowd, softflowdArgs } from "./softflowd_command.ts";
