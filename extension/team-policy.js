// The team policy (Chrome storage.managed with managed-schema.json; Firefox 3rdparty policies),
// as a plain object. docs/team-configuration.md describes it.

// Chromium's storage.managed.get can stall for seconds: measured here, with no policy installed,
// 2.8 s for the first read after the browser starts, then about 1 ms. A page must not wait on it.
const MANAGED_TIMEOUT_MS = 1000;
// When the browser is asked again after boot (policyAtBoot).
const REREAD_AFTER_MS = [3000, 10000, 30000];
// The last answer read, in storage.session (memory only, extension contexts only: no page and no
// content script can read or write it), so a page can boot on it at once.
const REMEMBERED = "teamPolicy";

/** The browser's answer, however long it takes: {} when no policy is installed. */
function readLive(api) {
  if (!api.storage.managed) return Promise.resolve({});
  // No policy installed: Chromium answers {} (eventually), Firefox rejects.
  return api.storage.managed.get(null).then((policy) => policy ?? {}, () => ({}));
}

const withTimeout = (read) =>
  Promise.race([read, new Promise((resolve) => setTimeout(() => resolve({}), MANAGED_TIMEOUT_MS))]);

/** Keeps `policy` for the next boot; false where this context has no storage.session. */
async function remember(api, policy) {
  try {
    await api.storage.session.set({ [REMEMBERED]: policy });
    return true;
  } catch {
    return false;
  }
}

async function remembered(api) {
  try {
    return (await api.storage.session.get(REMEMBERED))[REMEMBERED];
  } catch {
    return undefined;
  }
}

/** The policy as the browser answers it now, or {} once that takes MANAGED_TIMEOUT_MS. */
export async function readManaged(api) {
  const live = readLive(api);
  live.then((policy) => remember(api, policy));
  return withTimeout(live);
}

/**
 * The policy for a page or worker starting now, without waiting on storage.managed when an answer
 * was remembered (else as `readManaged`). When the browser's own answer comes and differs from the
 * policy used, it is remembered and `changed()` is called, once: the caller starts again on it. A
 * stalled read therefore never leaves a team's locked settings unapplied, and there is no restart
 * loop: `changed` is not called where the answer cannot be remembered for the restart. The browser
 * is asked again `rereadAfterMs` after boot, until an answer differs, so neither a first read that
 * never settles nor one answered before the policy loaded is the last word.
 */
export async function policyAtBoot(api, changed, rereadAfterMs = REREAD_AFTER_MS) {
  const live = readLive(api);
  const used = (await remembered(api)) ?? (await withTimeout(live));
  let restarted = false;
  const compare = async (policy) => {
    const differs = JSON.stringify(policy) !== JSON.stringify(used);
    if ((await remember(api, policy)) && differs && !restarted) {
      restarted = true;
      changed();
    }
  };
  live.then(compare);
  for (const ms of rereadAfterMs) {
    setTimeout(() => restarted || readLive(api).then(compare), ms);
  }
  return used;
}
