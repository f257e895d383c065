// Public API of scale-out on NATS JetStream: roles talking through sweep jobs, results and leases.
export * from "./cluster_starter.ts";
export * from "./job_messages.ts";
export * from "./job_scheduler.ts";
export * from "./state_leases.ts";
export * from "./result_ingest.ts";
export * from "./result_spool.ts";
export * from "./scanner_agent.ts";
export * from "./subjects.ts";
export * from "./role_health.ts";
export { createFlowPublisher } from "./flow_publisher.ts";
export { startFlowIngest } from "./flow_ingest.ts";
