// /api/v1/hosts/{id}/indicators: a host's indicators (PUT /{name} upserts for scripts).
import { indicatorRoutes } from "../../_indicator_routes.ts";

export default indicatorRoutes("hosts");
