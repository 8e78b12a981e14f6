import { useQuery } from "@tanstack/react-query";
import type { Node } from "prosemirror-model";
import type { EditorView } from "prosemirror-view";
import { useEffect, useState, type RefObject } from "react";
import { docToText } from "@prealign/core";
import { errorMessage, useTRPC } from "../trpc.ts";
import { CommentThread } from "./CommentThread.tsx";
import { highlightRange, selectInView, setHighlights, type Highlight } from "./highlights.ts";
import { OffsetMap } from "./offsets.ts";
import { rangeMapper, type MappedRange } from "./rangeMapping.ts";
import { excerpt, words, type FlagView } from "./vocabulary.ts";
import "./workflow.css";

/** A flag to address, as `examples.flagsToAddress` gives it: on the text of the revision it was raised on. */
type FlagToAddress = FlagView & { revision: { id: string; number: number; text: string } };

/** Where each flag landed on the current text: a range, or null when the texts could not be compared. */
type Placement = Map<string, MappedRange | null>;

/**
 * The flags an adjudicator upheld when returning the example, placed on the text being edited:
 * each flag's range is carried from the revision it was raised on through the edits made since
 * (word diff), highlighted in the editor (the highlight then follows further typing), and listed
 * with its category, severity and comments; "Show in text" selects it.
 */
export function FlagsToAddress({ exampleId, viewRef, doc }: { exampleId: string; viewRef: RefObject<EditorView | null>; doc: Node }) {
  const trpc = useTRPC();
  const flags = useQuery(trpc.examples.flagsToAddress.queryOptions({ exampleId }));
  const [placement, setPlacement] = useState<Placement>(new Map());

  useEffect(() => {
    const view = viewRef.current;
    if (!flags.data || !view) return;
    const current = view.state.doc;
    const text = docToText(current);
    const offsets = new OffsetMap(current);
    const placed: Placement = new Map();
    const highlights: Highlight[] = [];
    const mappers = new Map<string, ReturnType<typeof rangeMapper>>();
    for (const flag of flags.data as readonly FlagToAddress[]) {
      if (!mappers.has(flag.revision.id)) mappers.set(flag.revision.id, rangeMapper(flag.revision.text, text));
      const mapped = mappers.get(flag.revision.id)?.map(flag) ?? null;
      placed.set(flag.id, mapped);
      if (mapped && mapped.end > mapped.start) {
        highlights.push({ id: flag.id, ...offsets.toPositions(mapped), className: `to-address severity-${flag.severity}`, title: `${words(flag.category)} (${flag.severity})` });
      }
    }
    view.dispatch(setHighlights(view.state, highlights));
    setPlacement(placed);
  }, [flags.data, viewRef, doc]);

  if (flags.error) return <p role="alert" className="error">{errorMessage(flags.error)}</p>;
  const list = (flags.data ?? []) as readonly FlagToAddress[];
  if (list.length === 0) return null;
  return (
    <section className="card flags-to-address" aria-labelledby="to-address-title">
      <h2 id="to-address-title">Flags to address ({list.length})</h2>
      <p className="muted">The adjudicator upheld these flags when returning the example. They are highlighted in the text above, where they are now.</p>
      <ul className="flag-list" aria-label="Flags to address">
        {list.map((flag) => {
          const mapped = placement.get(flag.id);
          const name = `${words(flag.category)} “${excerpt(flag.revision.text, flag.start, flag.end, 40)}”`;
          return (
            <li key={flag.id} className={`flag severity-${flag.severity}`}>
              <div className="flag-head">
                <span className="flag-category">{words(flag.category)}</span>
                <span className={`severity severity-${flag.severity}`}>{flag.severity}</span>
                <span className="muted">on revision {flag.revision.number}</span>
              </div>
              <blockquote>{excerpt(flag.revision.text, flag.start, flag.end)}</blockquote>
              {mapped === null ? (
                <p className="muted">The text has changed too much to place this flag on it.</p>
              ) : mapped && mapped.end === mapped.start ? (
                <p className="muted">The flagged text has been deleted.</p>
              ) : mapped?.changed ? (
                <p className="muted">The flagged text has been edited since.</p>
              ) : null}
              {mapped && mapped.end > mapped.start && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    const view = viewRef.current;
                    const range = view && highlightRange(view.state, flag.id);
                    if (view && range) selectInView(view, range.from, range.to);
                  }}
                >
                  Show in text<span className="visually-hidden">: {name}</span>
                </button>
              )}
              <CommentThread exampleId={exampleId} flagId={flag.id} comments={flag.comments} canReply={false} flagName={name} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
