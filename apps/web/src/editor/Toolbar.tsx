import type { Command, EditorState } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { modeAt, type Mode } from "@prealign/core";
import { unwrap } from "./commands/unwrap.ts";
import { wrapSelection } from "./commands/wrapSelection.ts";
import { orTell } from "./plugins/notices.ts";
import { unwrapRefusal, wrapRefusal } from "./refusals.ts";
import { modeIndicator } from "./spans.ts";

const wrapAi = wrapSelection("ai");
const quoteHuman = wrapSelection("ai_quoting_human");

/** What the toolbar shows for one editor state: which commands apply, and the mode at the cursor. */
export function toolbarState(state: EditorState): { canWrapAi: boolean; canQuote: boolean; canUnwrap: boolean; mode: Mode } {
  return { canWrapAi: wrapAi(state), canQuote: quoteHuman(state), canUnwrap: unwrap(state), mode: modeAt(state.selection.$head) };
}

/**
 * The editor toolbar: the three structure commands, the "show tags" switch and the mode
 * indicator. A command that does not apply at the selection has its button marked disabled
 * (`aria-disabled`, so it stays focusable and clickable); clicking it tells the user why.
 */
export function Toolbar({ view, state, showTags, onShowTags }: { view: EditorView | null; state: EditorState; showTags: boolean; onShowTags: (on: boolean) => void }) {
  const { canWrapAi, canQuote, canUnwrap, mode } = toolbarState(state);
  const button = (label: string, hint: string, command: Command, applies: boolean, refusal: () => string) => (
    <button
      type="button"
      className="secondary"
      aria-disabled={!applies}
      title={applies ? hint : refusal()}
      onClick={() => {
        if (!view) return;
        orTell(command, refusal)(view.state, view.dispatch);
        view.focus();
      }}
    >
      {label}
    </button>
  );
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Structure">
      {button("Wrap in AI", "Wrap the selection in an AI span (Ctrl-Alt-A)", wrapAi, canWrapAi, () => wrapRefusal(state, "ai"))}
      {button("Quote human", "Quote a human inside the AI span (Ctrl-Alt-Q)", quoteHuman, canQuote, () => wrapRefusal(state, "ai_quoting_human"))}
      {button("Unwrap", "Remove the innermost span (Ctrl-Alt-U)", unwrap, canUnwrap, () => unwrapRefusal(state))}
      <button type="button" className="secondary" aria-pressed={showTags} onClick={() => onShowTags(!showTags)}>
        Show tags
      </button>
      <span className="mode-label" aria-hidden="true">
        Mode:
      </span>
      <output aria-label="Mode" className={`mode-indicator mode-${mode}`}>
        {modeIndicator(state.schema, mode)}
      </output>
    </div>
  );
}
