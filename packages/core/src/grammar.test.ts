import { describe, expect, it } from "vitest";
import { grammar, modePath, spanStructure, transition } from "./grammar.ts";

describe("the grammar table", () => {
  it("is SPEC §2's table by default", () => {
    const g = grammar();
    expect(g.modes.map((m) => m.name)).toEqual(["human", "ai", "ai_quoting_human"]);
    expect(g.tags).toEqual(["<AI>", "</AI>", "<AI_quoting_human>", "</AI_quoting_human>"]);
    expect(g.transitions).toEqual([
      { from: "human", tag: "<AI>", to: "ai" },
      { from: "ai", tag: "<AI_quoting_human>", to: "ai_quoting_human" },
      { from: "ai_quoting_human", tag: "</AI_quoting_human>", to: "ai" },
      { from: "ai", tag: "</AI>", to: "human" },
    ]);
    expect([g.initial, g.final]).toEqual(["human", "human"]);
  });

  it("adds the unaligned-AI quote pair, behaving like the human quote pair, when asked", () => {
    const g = grammar({ unalignedQuotes: true });
    expect(g.tags).toContain("<AI_quoting_unaligned_AI>");
    expect(transition(g, "ai", "<AI_quoting_unaligned_AI>")).toBe("ai_quoting_unaligned_ai");
    expect(transition(g, "ai_quoting_unaligned_ai", "</AI_quoting_unaligned_AI>")).toBe("ai");
    expect(transition(g, "ai_quoting_unaligned_ai", "</AI_quoting_human>")).toBeNull();
    expect(transition(grammar(), "ai", "<AI_quoting_unaligned_AI>")).toBeNull();
  });

  it("is one frozen object per set of options", () => {
    expect(grammar()).toBe(grammar({ unalignedQuotes: false }));
    expect(Object.isFrozen(grammar().transitions)).toBe(true);
  });

  it("implies the span nesting", () => {
    const { spans, children } = spanStructure(grammar({ unalignedQuotes: true }));
    expect(spans.get("ai")).toEqual({ parent: "human", open: "<AI>", close: "</AI>" });
    expect(spans.get("ai_quoting_human")).toEqual({ parent: "ai", open: "<AI_quoting_human>", close: "</AI_quoting_human>" });
    expect(children.get("ai")).toEqual(["ai_quoting_human", "ai_quoting_unaligned_ai"]);
    expect(modePath(grammar(), "ai_quoting_human")).toEqual(["ai_quoting_human", "ai", "human"]);
  });

  it("refuses a table that is not a tree of open/close pairs", () => {
    const g = grammar();
    const broken = { ...g, transitions: g.transitions.filter((t) => t.tag !== "</AI_quoting_human>") };
    expect(() => spanStructure(broken)).toThrow(/never closed/);
  });
});
