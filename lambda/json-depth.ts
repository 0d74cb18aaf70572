/**
 * How deep JSON nests, measured without recursion: a hostile message can nest thousands of
 * levels in a few KB, and anything recursive (JSON.stringify, a recursive walk) then exhausts
 * the call stack and throws the whole batch. Both measures stop as soon as `limit` is passed.
 *
 * Depth counts containers: a scalar is 0, `{}` and `[]` are 1, `{"a":[1]}` is 2.
 */

/**
 * The deepest nesting of the JSON text, or `limit + 1` as soon as it goes deeper than `limit`.
 * Brackets inside strings do not count; the text need not be valid JSON (parsing comes after).
 */
export function jsonTextDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return limit + 1;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/**
 * The deepest nesting of a parsed value (own enumerable properties and array elements), or
 * `limit + 1` as soon as it goes deeper than `limit`. Values come from JSON.parse (the
 * Lambda runtime's or ours), so they are trees: no cycles, no shared children.
 */
export function jsonValueDepth(value: unknown, limit: number): number {
  if (!isContainer(value)) return 0;
  let deepest = 0;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [container, depth] = stack.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return limit + 1;
    }
    const children = Array.isArray(container) ? container : Object.values(container);
    for (const child of children) if (isContainer(child)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}
