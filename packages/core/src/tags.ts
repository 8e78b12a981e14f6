/**
 * Finding tags in text, compiled from the grammar's tag list. Shared by the validator and the
 * codec so that both agree exactly on what is a tag: an exact, case-sensitive occurrence of one
 * of the grammar's tag strings, wherever it appears.
 */
import { spanStructure, type Grammar, type Mode, type Tag } from "./grammar.ts";

/** The grammar compiled for scanning: tags by index, a trie to match them, a transition matrix. */
export interface TagTable {
  grammar: Grammar;
  /** The grammar's tags; a tag's index here is its "tag index". */
  tags: readonly Tag[];
  /** Length in UTF-16 units (= code points: tags are ASCII) of each tag. */
  tagLength: Int32Array;
  /** The grammar's modes; a mode's index here is its "mode index". */
  modes: readonly Mode[];
  /** `next[mode * tags.length + tag]`: the mode index reached, or -1 when the tag is illegal. */
  next: Int32Array;
  /** Nesting depth of each mode index (0 for the initial mode). */
  depth: Int32Array;
  /** Length of the longest tag. */
  longest: number;
  /**
   * Trie over the characters after `<`: `trie[state * 128 + charCode]` is the next state (≥ 0),
   * -1 when no tag continues so, or `-2 - tagIndex` when that character completes a tag.
   * Folding acceptance into the transition saves a lookup per character in the hot loop.
   */
  trie: Int32Array;
}

const tables = new WeakMap<Grammar, TagTable>();

/** The compiled tag table of a grammar (built once per grammar). */
export function tagTable(g: Grammar): TagTable {
  const cached = tables.get(g);
  if (cached) return cached;
  const tags = g.tags;
  const modes = g.modes.map((m) => m.name);
  const next = new Int32Array(modes.length * tags.length).fill(-1);
  for (const t of g.transitions) next[modes.indexOf(t.from) * tags.length + tags.indexOf(t.tag)] = modes.indexOf(t.to);
  const { spans } = spanStructure(g);
  const depth = new Int32Array(modes.map((m) => {
    let d = 0;
    for (let span = spans.get(m); span; span = spans.get(span.parent)) d++;
    return d;
  }));
  // Tags are ASCII and all end in ">", which never occurs inside one, so no tag is a prefix of
  // another and the first accepting state reached is the match.
  const states: number[][] = [new Array<number>(128).fill(-1)];
  const accepts: number[] = [-1];
  tags.forEach((tag, index) => {
    let state = 0;
    for (let k = 1; k < tag.length; k++) {
      const code = tag.charCodeAt(k);
      let target = states[state]![code]!;
      if (target < 0) {
        target = states.length;
        states.push(new Array<number>(128).fill(-1));
        accepts.push(-1);
        states[state]![code] = target;
      }
      state = target;
    }
    accepts[state] = index;
  });
  const trie = new Int32Array(states.flat());
  for (let k = 0; k < trie.length; k++) {
    const target = trie[k]!;
    if (target >= 0 && accepts[target]! >= 0) trie[k] = -2 - accepts[target]!;
  }
  const table: TagTable = {
    grammar: g,
    tags,
    tagLength: new Int32Array(tags.map((t) => t.length)),
    modes,
    next,
    depth,
    longest: Math.max(...tags.map((t) => t.length)),
    trie,
  };
  tables.set(g, table);
  return table;
}

/**
 * The index of the tag that starts at `text[i]` (which must be `<`), or -1 when none does.
 * Allocation-free: it walks the trie one character code at a time.
 */
export function matchTag(table: TagTable, text: string, i: number): number {
  const trie = table.trie;
  let state = 0;
  for (let j = i + 1; ; j++) {
    const code = text.charCodeAt(j);
    // `code < 128` is also false for NaN (past the end of the text).
    if (!(code < 128)) return -1;
    state = trie[(state << 7) | code]!;
    if (state < 0) return state === -1 ? -1 : -2 - state;
  }
}
