// Writes schemas/fklens.schema.json (the JSON schema of .fklens.json, contributed to VS Code) from the rule
// registry. Run `npm run config-schema` after adding a rule or an option; the tests fail while it is stale.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { configSchema } = require('../out/server/src/config/schema.js');
writeFileSync(new URL('../schemas/fklens.schema.json', import.meta.url), JSON.stringify(configSchema(), null, 2) + '\n');
console.log('wrote schemas/fklens.schema.json');
