// Booting on the team policy without waiting on storage.managed (extension/team-policy.js), with a
// fake browser API whose managed read answers when the test says. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { policyAtBoot, readManaged } from "../../extension/team-policy.js";

const TEAM = { org: "acme-team", period: "7d" };
const NO_REREADS = [];

/** A browser API: `managed.answer(policy)` settles the pending managed read; `session` may be absent. */
function browser({ session = true, remembered } = {}) {
  let answer;
  const read = new Promise((resolve) => (answer = resolve));
  const store = remembered === undefined ? {} : { teamPolicy: remembered };
  const api = {
    storage: {
      managed: { get: () => read },
      session: session && {
        get: async (key) => (key in store ? { [key]: store[key] } : {}),
        set: async (items) => Object.assign(store, items),
      },
    },
  };
  return { api, store, answer };
}

/** Lets the promise callbacks that are due run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a remembered policy is used at once, and an answer that agrees changes nothing", async () => {
  const { api, answer } = browser({ remembered: TEAM });
  let restarts = 0;
  const used = await policyAtBoot(api, () => (restarts += 1), NO_REREADS);
  assert.deepEqual(used, TEAM, "booted before storage.managed answered");
  answer({ ...TEAM });
  await settle();
  assert.equal(restarts, 0);
});

test("an answer that differs from the remembered policy is remembered and restarts once", async () => {
  const { api, store, answer } = browser({ remembered: {} });
  let restarts = 0;
  assert.deepEqual(await policyAtBoot(api, () => (restarts += 1), NO_REREADS), {});
  answer(TEAM);
  await settle();
  assert.equal(restarts, 1);
  assert.deepEqual(store.teamPolicy, TEAM, "the restart boots on the team's policy");
  // The restarted page: the remembered policy is the browser's, so it does not restart again.
  const again = browser({ remembered: store.teamPolicy });
  const used = await policyAtBoot(again.api, () => (restarts += 1), NO_REREADS);
  again.answer(TEAM);
  await settle();
  assert.deepEqual(used, TEAM);
  assert.equal(restarts, 1);
});

test("with nothing remembered it waits for the answer, and remembers it", async () => {
  const { api, store, answer } = browser();
  let restarts = 0;
  const booting = policyAtBoot(api, () => (restarts += 1), NO_REREADS);
  answer(TEAM);
  assert.deepEqual(await booting, TEAM);
  await settle();
  assert.equal(restarts, 0);
  assert.deepEqual(store.teamPolicy, TEAM);
});

test("a stalled read boots without a policy after the timeout; the late team policy restarts the page", async () => {
  const { api, answer } = browser();
  let restarts = 0;
  const started = Date.now();
  assert.deepEqual(await policyAtBoot(api, () => (restarts += 1), NO_REREADS), {});
  assert.ok(Date.now() - started >= 900, "waited for the timeout");
  answer(TEAM);
  await settle();
  assert.equal(restarts, 1, "the team's locked settings are not left unapplied");
});

test("without storage.session a late answer never restarts (no loop), as before", async () => {
  const { api, answer } = browser({ session: false });
  let restarts = 0;
  assert.deepEqual(await policyAtBoot(api, () => (restarts += 1), NO_REREADS), {});
  answer(TEAM);
  await settle();
  assert.equal(restarts, 0);
});

test("a first read that never settles: a later read brings the team policy, and restarts once", async () => {
  const { api } = browser();
  const answers = [new Promise(() => {}), Promise.resolve(TEAM), Promise.resolve(TEAM)];
  api.storage.managed.get = () => answers.shift();
  let restarts = 0;
  assert.deepEqual(await policyAtBoot(api, () => (restarts += 1), [10, 20]), {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(restarts, 1, "the re-read applied the policy, and only once");
});

test("a first answer given before the policy was loaded is corrected by a re-read", async () => {
  const { api, store } = browser();
  const answers = [Promise.resolve({}), Promise.resolve(TEAM)];
  api.storage.managed.get = () => answers.shift();
  let restarts = 0;
  assert.deepEqual(await policyAtBoot(api, () => (restarts += 1), [10]), {});
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(restarts, 1);
  assert.deepEqual(store.teamPolicy, TEAM, "the restart boots on the team's policy");
});

test("re-reads that agree with the policy in use change nothing", async () => {
  const { api } = browser({ remembered: TEAM });
  api.storage.managed.get = () => Promise.resolve({ ...TEAM });
  let restarts = 0;
  await policyAtBoot(api, () => (restarts += 1), [5, 10]);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(restarts, 0);
});

test("no policy installed: Firefox rejects the read, which is no policy; readManaged remembers the answer", async () => {
  const { api, store } = browser();
  api.storage.managed.get = () => Promise.reject(new Error("Managed storage manifest not found"));
  assert.deepEqual(await readManaged(api), {});
  await settle();
  assert.deepEqual(store.teamPolicy, {});
});
