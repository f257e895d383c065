// App build configuration, in the place Fresh keeps it: where routes, islands and assets live.
import { twindConfig } from "@/services/web/twind.ts";

export default {
  routesDir: "./routes",
  islandsDir: "./islands",
  staticDir: "./static",
  buildDir: "./_build",
  plugins: { twind: twindConfig },
};
