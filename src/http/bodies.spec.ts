import { JSON_MAX_DEPTH, checkJsonDepth, parseJson } from './bodies';

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const refusal = expect.objectContaining({ status: 400, type: 'entity.too.deep' });

describe('the JSON depth bound', () => {
  it(`takes ${JSON_MAX_DEPTH} levels of arrays and objects and refuses one more`, () => {
    expect(() => checkJsonDepth(deep(JSON_MAX_DEPTH))).not.toThrow();
    expect(() => checkJsonDepth(deep(JSON_MAX_DEPTH + 1))).toThrow(refusal);
    expect(() => checkJsonDepth(`${'{"a":'.repeat(JSON_MAX_DEPTH + 1)}1${'}'.repeat(JSON_MAX_DEPTH + 1)}`)).toThrow(refusal);
  });

  it('counts nesting, not brackets: siblings, brackets in strings and escaped quotes do not add up', () => {
    expect(() => checkJsonDepth(`[${'[],'.repeat(1000)}[]]`)).not.toThrow();
    expect(() => checkJsonDepth(JSON.stringify({ a: '['.repeat(1000), b: '{'.repeat(1000) }))).not.toThrow();
    // The quote after a backslash does not end the string: the brackets after it are still inside.
    expect(() => checkJsonDepth(JSON.stringify({ a: `\\"${'['.repeat(100)}` }))).not.toThrow();
    expect(() => checkJsonDepth(`["\\\\", ${deep(JSON_MAX_DEPTH)}]`)).toThrow(refusal);
  });

  it('refuses 50,000 levels at once, before JSON.parse (no recursion anywhere)', () => {
    expect(() => parseJson(`{"username": ${deep(50_000)}}`)).toThrow(refusal);
  });
});
