/**
 * The editor's key bindings, built in one place.
 */
import { baseKeymap, chainCommands } from "prosemirror-commands";
import { redo, undo } from "prosemirror-history";
import type { Schema } from "prosemirror-model";
import type { Command, EditorState } from "prosemirror-state";
import type { Mode } from "@prealign/core";
import { deleteAtSpanEdge } from "./commands/deleteAtSpanEdge.ts";
import { deleteWordAtSpanEdge } from "./commands/deleteWordAtSpanEdge.ts";
import { moveAcrossSpanEdge } from "./commands/moveAcrossSpanEdge.ts";
import { splitLine } from "./commands/splitLine.ts";
import { unwrap } from "./commands/unwrap.ts";
import { wrapSelection } from "./commands/wrapSelection.ts";
import { orTell, tell } from "./plugins/notices.ts";
import { wrapRefusal, unwrapRefusal } from "./refusals.ts";

/** Word deletion is Ctrl-Backspace / Ctrl-Delete, except on a Mac, where it is Alt (Cmd deletes to the line's start). */
const WORD_KEY = typeof navigator !== "undefined" && /Mac|iP(hone|[oa]d)/.test(navigator.platform) ? "Alt" : "Ctrl";

/** prosemirror-commands' binding for a word-deletion key (`Mod-` on a PC, `Alt-` on a Mac). */
function wordDeletion(key: string): Command {
  return baseKeymap[key] ?? baseKeymap[key.replace(/^Ctrl-/, "Mod-")]!;
}

function wrapOrTell(mode: Mode): Command {
  return orTell(wrapSelection(mode), (state: EditorState) => wrapRefusal(state, mode));
}

/**
 * The key bindings for an editor on `schema`:
 *
 * - `Mod-Alt-a`: wrap the selection in an AI span (`wrapSelection("ai")`)
 * - `Mod-Alt-q`: wrap the selection in a quote of a human (`wrapSelection("ai_quoting_human")`)
 * - `Mod-Alt-u`: unwrap the innermost span (`unwrap`)
 *   (each of these three tells the user why, where it does not apply)
 * - `Enter`, `Shift-Enter`: new paragraph in human text, hard break inside a span (`splitLine`)
 * - `Backspace`, `Delete`: at span edges `deleteAtSpanEdge`, elsewhere ProseMirror's own
 * - `Ctrl-Backspace`, `Ctrl-Delete` (`Alt-` on a Mac): word deletion that stops at span edges
 *   (`deleteWordAtSpanEdge`), elsewhere ProseMirror's own and then the browser's
 * - `ArrowLeft`, `ArrowRight`: step across a span edge (`moveAcrossSpanEdge`), elsewhere the browser's
 * - `Mod-z`: undo; `Mod-Shift-z`, `Mod-y`: redo (each says so when there is nothing to undo or redo)
 * - everything else of prosemirror-commands' `baseKeymap` (select all, …)
 */
export function buildKeymap(schema: Schema): Record<string, Command> {
  const quoteMode = schema.nodes.quote_human ? "ai_quoting_human" : null;
  const bindings: Record<string, Command> = {
    ...baseKeymap,
    "Mod-Alt-a": wrapOrTell("ai"),
    "Mod-Alt-u": orTell(unwrap, unwrapRefusal),
    Enter: splitLine,
    "Shift-Enter": splitLine,
    Backspace: chainCommands(deleteAtSpanEdge(-1), baseKeymap.Backspace!),
    Delete: chainCommands(deleteAtSpanEdge(1), baseKeymap.Delete!),
    [`${WORD_KEY}-Backspace`]: chainCommands(deleteWordAtSpanEdge(-1), wordDeletion(`${WORD_KEY}-Backspace`)),
    [`${WORD_KEY}-Delete`]: chainCommands(deleteWordAtSpanEdge(1), wordDeletion(`${WORD_KEY}-Delete`)),
    ArrowLeft: moveAcrossSpanEdge(-1),
    ArrowRight: moveAcrossSpanEdge(1),
    "Mod-z": chainCommands(undo, tell("Nothing to undo.")),
    "Mod-Shift-z": chainCommands(redo, tell("Nothing to redo.")),
    "Mod-y": chainCommands(redo, tell("Nothing to redo.")),
  };
  if (quoteMode) bindings["Mod-Alt-q"] = wrapOrTell(quoteMode);
  return bindings;
}
