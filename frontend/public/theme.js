// Applies the reader's theme choice (system, light or dark) before the first
// paint: a plain script in <head>, so the page never flashes the other theme.
// The app's theme switch (src/lib/theme.ts) writes the same key.
(function () {
  try {
    var theme = localStorage.getItem('lectern.theme');
    if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  } catch (e) {
    /* storage refused: follow the system */
  }
})();
