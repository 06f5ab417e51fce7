/**
 * The JSON schema of `.fklens.json`, built from the rule registry so it cannot drift from it. The copy VS Code
 * uses (`schemas/fklens.schema.json`, contributed in package.json `jsonValidation`) is written by
 * `npm run config-schema` and compared with this by the tests.
 */
import type { Rule, RuleOption } from '../analysis/rule';
import { MAX_FILE_BYTES } from '../workspace/disk';
import { RULES } from '../analysis/rules/index';
import { DEFAULT_DOCS_BASE_URL } from './config';

const severity = { type: 'string', enum: ['off', 'info', 'warning', 'error'] };

function optionSchema(option: RuleOption): Record<string, unknown> {
  const base = option.type === 'string[]' ? { type: 'array', items: { type: 'string' } } : { type: option.type };
  return { ...base, ...(option.minimum !== undefined ? { minimum: option.minimum } : {}), default: option.default, description: option.description };
}

function ruleSchema(rule: Rule): Record<string, unknown> {
  const description = `${rule.title} (default: ${rule.defaultSeverity}). ${rule.description}`;
  const options = rule.options
    ? { type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.entries(rule.options).map(([k, o]) => [k, optionSchema(o)])) }
    : { type: 'object', additionalProperties: false, properties: {} };
  return {
    description,
    oneOf: [
      { ...severity, description },
      { type: 'object', additionalProperties: false, properties: { severity: { ...severity, description: 'Severity of the rule\'s findings; "off" disables it.' }, options } },
    ],
  };
}

export function configSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'FK Lens configuration (.fklens.json)',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      rules: {
        description: 'Per rule: "off" | "info" | "warning" | "error", or { "severity", "options" }.',
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(RULES.map((r) => [r.id, ruleSchema(r)])),
      },
      protectedTables: {
        description: 'Tables a cascading delete must never reach (rule cascade-into-protected): "name" (any schema) or "schema.name".',
        type: 'array',
        items: { type: 'string' },
      },
      migrations: {
        type: 'object',
        additionalProperties: false,
        properties: {
          include: { type: 'array', items: { type: 'string' }, description: 'Globs of the schema and migration files to read (empty: every .sql file).' },
          exclude: { type: 'array', items: { type: 'string' }, description: 'Globs of files to skip, besides node_modules, .git and build folders.' },
          order: { type: 'string', enum: ['auto', 'name', 'version'], description: 'auto follows each folder\'s migration tool; name sorts by path; version by leading number.' },
        },
      },
      checkFrom: {
        type: 'string',
        description: 'Report only findings in this migration and newer ones of its history: a file path, a file or folder name, or a version prefix such as "0005" or "20230101000000".',
      },
      docsBaseUrl: { type: 'string', description: `Where the rule pages are: a diagnostic of rule X links to <docsBaseUrl>X.md. Default: ${DEFAULT_DOCS_BASE_URL}` },
      files: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxBytes: { type: 'integer', minimum: 1, description: `Files larger than this many bytes are not read and are reported (file-skipped in the CLI). Default: ${MAX_FILE_BYTES}.` },
          symlinksOutsideRoot: { type: 'boolean', description: 'Read symlinked files whose target is outside the workspace folder. Default false: they are skipped and reported.' },
        },
      },
    },
  };
}
