// Island: switches dark mode and high contrast; remembered in cookies so the server renders it.
import { useState } from "preact/hooks";

export interface ThemeToggleProps extends Record<string, unknown> {
  theme: "light" | "dark";
  contrast: "normal" | "high";
}

function remember(name: string, value: string) {
  document.cookie = `${name}=${value}; path=/; max-age=31536000; samesite=lax`;
}

export default function ThemeToggle(props: ThemeToggleProps) {
  const [theme, setTheme] = useState(props.theme);
  const [contrast, setContrast] = useState(props.contrast);

  const toggleTheme = () => {
    const next = theme === "dark" ? "light" : "dark";
    setTheme(next);
    document.documentElement.dataset.theme = next;
    remember("pf_theme", next);
  };
  const toggleContrast = () => {
    const next = contrast === "high" ? "normal" : "high";
    setContrast(next);
    document.documentElement.dataset.contrast = next;
    remember("pf_contrast", next);
  };

  return (
    <span class="flex gap-1">
      <button
        type="button"
        class="btn btn-quiet"
        aria-pressed={theme === "dark"}
        onClick={toggleTheme}
        title="Dark mode"
      >
        <span aria-hidden="true">☾</span>
        <span class="sr-only">Dark mode</span>
      </button>
      <button
        type="button"
        class="btn btn-quiet"
        aria-pressed={contrast === "high"}
        onClick={toggleContrast}
        data-testid="contrast-toggle"
        title="High contrast"
      >
        <span aria-hidden="true">◐</span>
        <span class="sr-only">High contrast</span>
      </button>
    </span>
  );
}
