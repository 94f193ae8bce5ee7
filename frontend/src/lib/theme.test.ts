import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { THEME_KEY, applyTheme, readTheme, saveTheme } from './theme';

class MemoryStorage {
  private items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe('theme', () => {
  let root: { dataset: Record<string, string | undefined> };
  beforeEach(() => {
    vi.stubGlobal('localStorage', new MemoryStorage());
    root = { dataset: {} };
    vi.stubGlobal('document', { documentElement: root });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is system until chosen, and ignores a value it does not know', () => {
    expect(readTheme()).toBe('system');
    localStorage.setItem(THEME_KEY, 'purple');
    expect(readTheme()).toBe('system');
  });

  it('keeps light or dark and sets data-theme; system removes both', () => {
    saveTheme('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(readTheme()).toBe('dark');
    expect(root.dataset.theme).toBe('dark');
    saveTheme('system');
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
    expect(root.dataset.theme).toBeUndefined();
    applyTheme('light');
    expect(root.dataset.theme).toBe('light');
  });
});
