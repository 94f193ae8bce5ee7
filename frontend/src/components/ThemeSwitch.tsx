import { useState } from 'react';

import { readTheme, saveTheme, type Theme } from '../lib/theme';

/** System, light or dark; kept in this browser (see src/lib/theme.ts). */
export function ThemeSwitch({ id, className = '' }: { id: string; className?: string }) {
  const [theme, setTheme] = useState<Theme>(readTheme);
  return (
    <span className={`theme-switch ${className}`.trim()}>
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={theme}
        onChange={(event) => {
          const next = event.target.value as Theme;
          setTheme(next);
          saveTheme(next);
        }}
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </span>
  );
}
