// Public API of the alerts domain: events, rules, targets, silences and durable deliveries.
export {
  Alerts,
  type AlertsDeps,
  type AlertSettings,
  alertSettings,
  type AlertSink,
  type IndicatorChange,
} from "./alerts_service.ts";
export {
  type AlertEvent,
  EVENT_KINDS,
  type EventKind,
  isEventKind,
  type PayloadKind,
} from "./event_shape.ts";
export { type HistoryFilter, listEvents, type NewEvent } from "./event_repo.ts";
export type { HostEventInput, HostObservation } from "./recorder.ts";
export {
  type Delivery,
  type DeliveryFilter,
  type DeliveryStatus,
  getDelivery,
  listDeliveries,
  targetHealth,
} from "./delivery_repo.ts";
export {
  createTarget,
  deleteTarget,
  getTarget,
  listTargets,
  redactTarget,
  type Target,
  type TargetInput,
  updateTarget,
} from "./targets_repo.ts";
export {
  createRule,
  DEFAULT_DOWN_AFTER,
  DEFAULT_FLAP_WINDOW_S,
  deleteRule,
  getRule,
  listRules,
  type Rule,
  type RuleInput,
  updateRule,
} from "./rules_repo.ts";
export {
  createSilence,
  deleteSilence,
  listSilences,
  type Silence,
  SILENCE_KINDS,
  type SilenceInput,
  type SilenceKind,
} from "./silences_repo.ts";
export { TARGET_KINDS, type TargetKind } from "./payload_formats.ts";
export { sign, verify } from "./signature.ts";
export { parseAllowList } from "./target_address.ts";
export { createAlerts, startAlerts } from "./alerts_starter.ts";
