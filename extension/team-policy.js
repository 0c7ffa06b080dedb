// The team policy (Chrome storage.managed with managed-schema.json; Firefox 3rdparty policies),
// as a plain object. docs/team-configuration.md describes it.
export async function readManaged(api) {
  // No policy installed: Chromium answers {}, Firefox rejects.
  return (await api.storage.managed?.get(null).catch(() => ({}))) ?? {};
}
