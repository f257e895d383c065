// Public API of the dashboard read models: the "Alive now" list and its filters.
export {
  ALIVE_LIMIT_DEFAULT,
  type AliveFilter,
  type AliveFilterOptions,
  aliveFilterOptions,
  type AliveHost,
  type AliveList,
  type AlivePort,
  listAliveHosts,
} from "./alive_hosts.ts";
export { type AliveFilterValues, parseAliveQuery } from "./alive_query.ts";
export { type HostDetail, loadHostDetail } from "./host_detail.ts";
export * from "./stats_service.ts";
export {
  type DownHostRow,
  loadStatusBoard,
  type StatusBoard,
  type SubnetStatusCount,
} from "./status_board.ts";
export { type DashboardData, type DashboardInput, loadDashboard } from "./dashboard_data.ts";
export {
  hostTimeline,
  TIMELINE_LIMIT_MAX,
  type TimelineItem,
  type TimelinePage,
  type TimelineSource,
} from "./host_timeline.ts";
