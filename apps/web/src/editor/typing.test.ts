import { describe, expect, it } from "vitest";
import { showState, stateOf } from "./testing.ts";
import { typeText } from "./typing.ts";

/** Types `text` at the marked selection; the resulting text, or the refusal message. */
function type(tagged: string, text: string): string {
  const state = stateOf(tagged);
  const outcome = typeText(state, state.selection.from, state.selection.to, text);
  if (outcome === null) return "(ordinary text)";
  if ("refused" in outcome) return outcome.refused;
  const next = state.apply(outcome.tr);
  next.doc.check();
  return showState(next);
}

describe("typeText", () => {
  it("turns a typed opening tag into an empty span with the cursor inside", () => {
    expect(type("Hi <AI‸ there", ">")).toBe("Hi <AI>‸</AI> there");
    expect(type('<AI>He said "<AI_quoting_human‸"</AI>', ">")).toBe('<AI>He said "<AI_quoting_human>‸</AI_quoting_human>"</AI>');
  });
  it("completes a tag from text after the cursor too", () => {
    expect(type("x ‸AI> y", "<")).toBe("x <AI>‸</AI> y");
  });
  it("closes the span at the end and moves the cursor out", () => {
    expect(type("a<AI>hello</AI‸</AI>b", ">")).toBe("a<AI>hello</AI>‸b");
  });
  it("closing mid-span splits it, leaving the cursor in the outer mode", () => {
    expect(type("<AI>ab</AI‸cd</AI>", ">")).toBe("<AI>ab</AI>‸<AI>cd</AI>");
  });
  it("refuses an illegal tag with the validator's reason", () => {
    expect(type("human <AI_quoting_human‸", ">")).toMatch(/^Not inserted: `<AI_quoting_human>` can only be used in an AI span/);
    expect(type("<AI>x <AI‸</AI>", ">")).toMatch(/^Not inserted: `<AI>` cannot open an AI span inside an AI span/);
    expect(type("<AI><AI_quoting_human>q </AI‸</AI_quoting_human></AI>", ">")).toMatch(/^Not inserted: `<\/AI>` cannot close/);
  });
  it("typing over a selection across a span edge puts the text on the side where the selection started", () => {
    expect(type("He «says <AI>I »will help.</AI> after", "Q")).toBe("He Q‸<AI>will help.</AI> after");
    expect(type("<AI>I will «help.</AI> aft»er", "Q")).toBe("<AI>I will Q‸</AI>er");
    expect(type("<AI>«I am</AI> x»y", "Q")).toBe("<AI>Q‸</AI>y");
    expect(type("<AI>He said <AI_quoting_human>«no</AI_quoting_human> wa»y</AI>", "Q")).toBe("<AI>He said <AI_quoting_human>Q‸</AI_quoting_human>y</AI>");
  });
  it("a tag typed over a selection across a span edge is read where the selection started", () => {
    expect(type("Hi <AI«<AI>x»y</AI> z", ">")).toBe("Hi <AI>‸</AI><AI>y</AI> z");
    expect(type("<AI>«x</AI> y»z", "<AI>")).toMatch(/^Not inserted: `<AI>` cannot open an AI span inside an AI span/);
  });
  it("leaves other text alone", () => {
    expect(type("a‸", "b")).toBe("(ordinary text)");
    expect(type("<ai‸", ">")).toBe("(ordinary text)");
  });
});
