// Server side of the islands layer: marks where an island lives and which props hydrate it.
import type { ComponentType, JSX } from "preact";

/**
 * Wraps an island component so the server renders it inside <pf-island> with its
 * props as JSON; the client boot script (built by scripts/build_islands.ts) finds
 * these markers and hydrates only them. The name must equal the file name in islands/.
 */
export function island<P extends Record<string, unknown>>(
  name: string,
  Component: ComponentType<P>,
): (props: P) => JSX.Element {
  const Wrapped = (props: P) => (
    <pf-island data-island={name} data-props={JSON.stringify(props)}>
      <Component {...props} />
    </pf-island>
  );
  Wrapped.displayName = `Island(${name})`;
  return Wrapped;
}

declare module "preact" {
  namespace JSX {
    interface IntrinsicElements {
      "pf-island": JSX.HTMLAttributes<HTMLElement> & {
        "data-island": string;
        "data-props": string;
      };
    }
  }
}
