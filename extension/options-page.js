// The options page's entry point. options.js only exports `start`: the e2e suite imports it again
// to mount with a seeded team policy, and Firefox evaluates such an import anew, so a boot there
// would race the test's mount.
import { start } from "./options.js";
import { showBootError } from "./boot-error.js";

start().catch((error) => showBootError(error, () => location.reload()));
