import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Node, Schema } from "prosemirror-model";
import type { EditorView } from "prosemirror-view";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import type { RouterOutputs } from "@prealign/api";
import { createSchema, docToText } from "@prealign/core";
import { Markdown } from "../components/Markdown.tsx";
import { ConflictView } from "../editor/ConflictView.tsx";
import { DraftStore } from "../editor/drafts.ts";
import { EditorPane } from "../editor/EditorPane.tsx";
import { HistoryView } from "../editor/HistoryView.tsx";
import { draftDoc, revisionDoc } from "../editor/revisionDoc.ts";
import { SaveStatusView } from "../editor/SaveStatusView.tsx";
import { useAutosave } from "../editor/useAutosave.ts";
import { errorMessage, useTRPC } from "../trpc.ts";

/** The example page (`/examples/:id`): the editor, the project's guidelines, the stage and the history. */
export function ExamplePage() {
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const example = useQuery(trpc.examples.get.queryOptions({ exampleId: id }, { staleTime: Infinity }));
  if (example.error) return <p role="alert" className="error">{errorMessage(example.error)}</p>;
  if (!example.data) return <p role="status">Loading…</p>;
  return <ExampleWorkspace key={id} example={example.data} />;
}

type Example = RouterOutputs["examples"]["get"];

/** Where editing starts: the newest revision, or unsaved work this browser kept for it. */
function startingPoint(example: Example, schema: Schema, drafts: DraftStore): { doc: Node; baseRevisionId: string; restored: string | null } {
  const head = example.head;
  const headDoc = revisionDoc(head, schema);
  const draft = drafts.get(example.id);
  const kept = draft ? draftDoc(draft.doc, schema) : null;
  if (!draft || !kept || kept.eq(headDoc)) {
    if (draft) drafts.remove(example.id);
    return { doc: headDoc, baseRevisionId: head.id, restored: null };
  }
  const restored =
    draft.baseRevisionId === head.id
      ? "Unsaved changes kept in this browser were restored; they are being saved now."
      : "Unsaved changes kept in this browser were restored. They were made on an older revision, so compare them with the newest one below.";
  return { doc: kept, baseRevisionId: draft.baseRevisionId, restored };
}

function ExampleWorkspace({ example }: { example: Example }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const drafts = useMemo(() => new DraftStore(window.localStorage), []);
  const schema = useMemo(() => createSchema({ unalignedQuotes: example.project.settings.unalignedQuotes }), [example.project.settings.unalignedQuotes]);
  const [start] = useState(() => startingPoint(example, schema, drafts));
  const [doc, setDoc] = useState(start.doc);
  const viewRef = useRef<EditorView | null>(null);
  const { saver, status, change } = useAutosave({ exampleId: example.id, baseRevisionId: start.baseRevisionId, revisionNumber: example.head.number, drafts });
  const [conflict, setConflict] = useState<{ id: string; number: number; doc: Node; text: string; mine: string } | null>(null);
  useEffect(() => {
    // Restored work goes to the server at once (a stale base shows the conflict view).
    if (start.restored) saver.change(start.doc);
  }, [saver, start]);
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: example.project.slug }));
  const editable = example.canEdit;

  useEffect(() => {
    if (status.kind !== "conflict") return;
    let current = true;
    // The refused save says only that the base is stale; the newest revision is fetched to show it.
    void queryClient.fetchQuery({ ...trpc.examples.get.queryOptions({ exampleId: example.id }), staleTime: 0 }).then((latest) => {
      if (!current) return;
      const theirs = revisionDoc(latest.head, schema);
      setConflict({ id: latest.head.id, number: latest.head.number, doc: theirs, text: docToText(theirs), mine: docToText(viewRef.current!.state.doc) });
    });
    return () => {
      current = false;
    };
  }, [status.kind, example.id, queryClient, trpc, schema]);

  return (
    <section className="example-page">
      <div className="page-title">
        <h1>
          Example <span className={`stage stage-${example.stage}`}>{example.stage}</span>
        </h1>
        <SaveStatusView status={status} onRetry={() => void saver.flush()} />
      </div>
      <p className="muted">
        Project <Link to={`/projects/${example.project.slug}`}>{example.project.name}</Link>
        {editable ? "" : ` · You cannot edit this example in its ${example.stage} stage; the text is shown read-only.`}
      </p>
      {start.restored && (
        <p role="status" className="notice">
          {start.restored}
        </p>
      )}
      <div className="columns">
        <div>
          {conflict && (
            <ConflictView
              mine={conflict.mine}
              theirs={conflict.text}
              theirsLabel={`Revision ${conflict.number}`}
              onKeepMine={() => {
                setConflict(null);
                void saver.keepMine(conflict.id);
              }}
              onTakeTheirs={() => {
                saver.reset(conflict.id, conflict.number);
                setDoc(conflict.doc);
                setConflict(null);
              }}
            />
          )}
          <EditorPane doc={doc} viewRef={viewRef} onDocChange={change} editable={editable} />
          <HistoryView exampleId={example.id} />
        </div>
        <aside aria-labelledby="guidelines-title" className="card guidelines" tabIndex={0}>
          <h2 id="guidelines-title">Guidelines{project.data?.guideline ? ` (version ${project.data.guideline.version})` : ""}</h2>
          {project.data?.guideline ? <Markdown source={project.data.guideline.markdown} /> : <p className="muted">No guidelines yet.</p>}
        </aside>
      </div>
    </section>
  );
}
