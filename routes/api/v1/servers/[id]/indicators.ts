// /api/v1/servers/{id}/indicators: a server's indicators (PUT /{name} upserts for scripts).
import { indicatorRoutes } from "../../_indicator_routes.ts";

export default indicatorRoutes("servers");
