// Test hooks, never shipped: the e2e harness adds this file to its copy of the built extension
// and makes it the background's entry (tests/e2e/src/lib.rs `extension_under_test`). Keyboard
// commands and context menus cannot be used through WebDriver, so an extension page asks the
// background to run the handlers the browser would run for them; nothing beyond what those events
// can already do.
import { openFollowUp, registerMenu, toggleSidebar } from "./background.js";
import { fromExtensionPage } from "./senders.js";

const api = globalThis.browser ?? globalThis.chrome;

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!fromExtensionPage(sender, api.runtime.id)) return;
  const answer = (work) => {
    work.then(() => sendResponse({ done: true }), (error) => sendResponse({ error: String(error) }));
    return true;
  };
  if (message?.type === "pivot-lens:test-menu-click" && typeof message.menuItemId === "string" && Number.isInteger(message.tabId)) {
    return answer(api.tabs.get(message.tabId).then((tab) =>
      openFollowUp({ menuItemId: message.menuItemId, selectionText: message.selectionText }, tab)));
  }
  if (message?.type === "pivot-lens:test-command" && typeof message.command === "string" && Number.isInteger(message.tabId)) {
    return answer(api.tabs.get(message.tabId).then((tab) => toggleSidebar(message.command, tab)));
  }
  if (message?.type === "pivot-lens:test-register-menu") return answer(registerMenu());
});
