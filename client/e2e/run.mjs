// Runs every e2e/*.spec.mjs against the real server. Each spec gets its own server and database.
// Usage: node e2e/run.mjs [filter]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const specs = readdirSync(here)
  .filter((f) => f.endsWith('.spec.mjs'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

let passed = 0;
let failed = 0;
for (const file of specs) {
  const mod = await import(pathToFileURL(path.join(here, file)).href);
  for (const [name, fn] of Object.entries(mod.tests ?? {})) {
    const started = Date.now();
    try {
      await fn();
      passed += 1;
      console.log(`ok   ${file} › ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${file} › ${name}\n${e?.stack ?? e}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
