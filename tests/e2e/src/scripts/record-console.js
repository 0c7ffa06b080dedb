// Records the frame's console errors and warnings and its uncaught errors in window.__plConsole (Session::record_sidebar_console).
window.__plConsole = [];
for (const level of ['error', 'warn']) {
  const original = console[level];
  console[level] = (...args) => { window.__plConsole.push(level + ': ' + args.join(' ')); original.apply(console, args); };
}
addEventListener('error', (e) => window.__plConsole.push('uncaught: ' + e.message));
addEventListener('unhandledrejection', (e) => window.__plConsole.push('rejection: ' + e.reason));
return true;
