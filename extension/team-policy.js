// The team policy (Chrome storage.managed with managed-schema.json; Firefox 3rdparty policies),
// as a plain object. docs/team-configuration.md describes it.

// Chromium's storage.managed.get can stall for seconds (measured here with no policy installed,
// from an extension frame on a busy page); a sidebar must not wait on it.
const MANAGED_TIMEOUT_MS = 1000;

export async function readManaged(api) {
  if (!api.storage.managed) return {};
  // No policy installed: Chromium answers {} (eventually), Firefox rejects.
  const read = api.storage.managed.get(null).catch(() => ({}));
  const timeout = new Promise((resolve) => setTimeout(() => resolve({}), MANAGED_TIMEOUT_MS));
  return (await Promise.race([read, timeout])) ?? {};
}
