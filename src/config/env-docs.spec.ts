import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { EnvSchema } from './env.schema';

/**
 * The variables exist in three places: the schema (what the service reads), `.env.example` (what
 * an operator copies) and the table in docs/configuration.md (what a reader looks up). These
 * tests keep the three in step: same names, both ways, and the same defaults.
 */

const root = process.cwd();

/** Every variable the schema reads, with its default (undefined when it has none). */
function schemaDefaults(): Map<string, string | undefined> {
  const names = getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false).map((m) => m.propertyName);
  const instance = new EnvSchema() as unknown as Record<string, unknown>;
  return new Map([...new Set(names)].map((name) => [name, instance[name] === undefined ? undefined : String(instance[name])]));
}

/** `NAME=value` lines of .env.example, in file order (duplicates kept, so they can be caught). */
function envExample(): Array<[string, string]> {
  const text = readFileSync(join(root, '.env.example'), 'utf8');
  return [...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2].trim()]);
}

/** Cells of one markdown table row; `\|` inside a cell is not a separator. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The rows of the table whose header is `| variable | default | meaning |`, as [name, default cell]. */
function configurationTable(markdown: string): Array<[string, string]> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*variable\s*\|\s*default\s*\|/.test(line));
  if (header < 0) throw new Error('docs/configuration.md has no "| variable | default | meaning |" table');
  const rows: Array<[string, string]> = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [variable, defaultCell] = cells(line);
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(variable)?.[1];
    if (!name) throw new Error(`docs/configuration.md: a row must name one variable in backticks, got "${variable}"`);
    rows.push([name, defaultCell]);
  }
  return rows;
}

/**
 * What the table's default cell must say for a schema default: the value in backticks, "empty"
 * for an empty string, and for no default any words that do not start with a value in backticks.
 */
function matchesDefault(cell: string, schemaDefault: string | undefined): boolean {
  if (schemaDefault === undefined) return !cell.startsWith('`') && cell !== 'empty';
  if (schemaDefault === '') return cell === 'empty';
  return cell === `\`${schemaDefault}\``;
}

describe('the configuration, documented', () => {
  const schema = schemaDefaults();
  const table = configurationTable(readFileSync(join(root, 'docs/configuration.md'), 'utf8'));

  it('docs/configuration.md has one row for every variable the schema reads, and no other', () => {
    expect(table.map(([name]) => name).sort()).toEqual([...schema.keys()].sort());
  });

  it("docs/configuration.md gives each variable the schema's default", () => {
    const wrong = table
      .filter(([name, cell]) => schema.has(name) && !matchesDefault(cell, schema.get(name)))
      .map(([name, cell]) => `${name}: table says ${cell}, schema says ${schema.get(name) === undefined ? 'no default' : `"${schema.get(name)}"`}`);
    expect(wrong).toEqual([]);
  });

  it(".env.example sets each variable once, to the schema's default (blank where there is none)", () => {
    const example = envExample();
    expect(example.map(([name]) => name).sort()).toEqual([...schema.keys()].sort());
    const wrong = example
      .filter(([name, value]) => schema.has(name) && value !== (schema.get(name) ?? ''))
      .map(([name, value]) => `${name}=${value} but the schema's default is "${schema.get(name) ?? ''}"`);
    expect(wrong).toEqual([]);
  });
});
