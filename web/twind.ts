// Server-side twind: utility classes in the rendered HTML become one <style> per page.
import { defineConfig, extract, twind, virtual } from "@twind/core";
import presetTailwind from "@twind/preset-tailwind";

export const twindConfig = defineConfig({ presets: [presetTailwind()], hash: false });
const tw = twind(twindConfig, virtual());

/** Returns the CSS for the classes used in `html` (preflight included). */
export function cssFor(html: string): string {
  return extract(html, tw).css;
}
