/**
 * Messages the editor gives the user when it refuses an input (an illegal tag, a paste that
 * cannot be placed) or has something to say (nothing to undo). A notice travels as
 * `tr.setMeta(noticeKey, …)` on a transaction that usually changes nothing else; the plugin
 * state holds the latest one until another replaces it, it is dismissed, or a later edit goes
 * through (a change to the document that brings no notice of its own): a message is about what
 * was just tried, and one that outlives the next success only pushes the text down.
 */
import { Plugin, PluginKey, type Command, type EditorState, type Transaction } from "prosemirror-state";

/** One message for the user. `id` changes with every notice, so a repeated message shows again. */
export interface Notice {
  id: number;
  message: string;
}

/** Key of the notices plugin; its state is the current `Notice` or null. */
export const noticeKey = new PluginKey<Notice | null>("notices");

let counter = 0;

/** Adds a notice to a transaction (null dismisses the current one). */
export function withNotice(tr: Transaction, message: string | null): Transaction {
  return tr.setMeta(noticeKey, message === null ? null : { id: ++counter, message });
}

/** A command that only tells the user `message`; always applies. */
export function tell(message: string): Command {
  return (state, dispatch) => {
    dispatch?.(withNotice(state.tr, message));
    return true;
  };
}

/** Runs `command`; where it does not apply, tells the user why (`reason` is asked only then). */
export function orTell(command: Command, reason: (state: EditorState) => string): Command {
  return (state, dispatch, view) => command(state, dispatch, view) || tell(reason(state))(state, dispatch, view);
}

/** The plugin keeping the current notice. */
export function noticesPlugin(): Plugin<Notice | null> {
  return new Plugin<Notice | null>({
    key: noticeKey,
    state: {
      init: () => null,
      apply: (tr, current) => {
        const meta = tr.getMeta(noticeKey) as Notice | null | undefined;
        if (meta !== undefined) return meta;
        return tr.docChanged ? null : current;
      },
    },
  });
}
