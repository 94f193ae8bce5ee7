// The reader's theme: 'system' follows the operating system, 'light' and
// 'dark' override it. Kept in localStorage and applied as `data-theme` on
// <html>; `public/theme.js` applies it before the first paint on a load.

export type Theme = 'system' | 'light' | 'dark';

export const THEME_KEY = 'lectern.theme';

export function readTheme(): Theme {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}

export function saveTheme(theme: Theme): void {
  try {
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  applyTheme(theme);
}
