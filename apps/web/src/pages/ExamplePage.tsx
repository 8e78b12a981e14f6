import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Node } from "prosemirror-model";
import type { EditorView } from "prosemirror-view";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import type { Stage } from "@prealign/core";
import type { RouterOutputs } from "@prealign/api";
import { createSchema, docToText } from "@prealign/core";
import { DraftPanel, useAssistStatus } from "../assist/DraftPanel.tsx";
import { ErrorBoundary } from "../components/ErrorBoundary.tsx";
import { Markdown } from "../components/Markdown.tsx";
import { ConflictView } from "../editor/ConflictView.tsx";
import { DraftStore } from "../editor/drafts.ts";
import { EditorPane } from "../editor/EditorPane.tsx";
import { HistoryView } from "../editor/HistoryView.tsx";
import { revisionDoc } from "../editor/revisionDoc.ts";
import { SaveStatusView } from "../editor/SaveStatusView.tsx";
import { startingPoint } from "../editor/startingPoint.ts";
import { useAutosave } from "../editor/useAutosave.ts";
import { ScenarioPrompt } from "../scenarios/ScenarioPrompt.tsx";
import { useSession } from "../session.ts";
import { errorMessage, useTRPC } from "../trpc.ts";
import { ActionBar } from "../workflow/ActionBar.tsx";
import { ClaimBar } from "../workflow/Claim.tsx";
import { FlagsToAddress } from "../workflow/FlagsToAddress.tsx";
import { gateMarks, GateRefusal, type GateMark } from "../workflow/GateRefusal.tsx";
import { highlightsPlugin } from "../workflow/highlights.ts";
import { stageLabel } from "../workflow/vocabulary.ts";

/**
 * The example page (`/examples/:id`): the editor, the project's guidelines, the stage with the
 * actions the caller may take, the claim, the flags to address after a return, and the history. A failure while showing it is caught here, so the rest of the app stays usable.
 */
export function ExamplePage() {
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const { user } = useSession();
  const example = useQuery(trpc.examples.get.queryOptions({ exampleId: id }, { staleTime: Infinity }));
  // A failed later fetch (the newest revision, for a conflict) keeps the page: its data stays.
  if (!example.data) return example.error ? <p role="alert" className="error">{errorMessage(example.error)}</p> : <p role="status">Loading…</p>;
  if (!user) return <p role="status">Loading…</p>;
  return (
    <ErrorBoundary key={id}>
      <ExampleWorkspace example={example.data} userId={user.id} />
    </ErrorBoundary>
  );
}

type Example = RouterOutputs["examples"]["get"];

/** The newest revision, fetched to show beside the user's text in a conflict. */
interface Newer {
  id: string;
  number: number;
  doc: Node;
  text: string;
  mine: string;
}

function ExampleWorkspace({ example, userId }: { example: Example; userId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const drafts = useMemo(() => new DraftStore(window.localStorage, userId), [userId]);
  const schema = useMemo(() => createSchema({ unalignedQuotes: example.project.settings.unalignedQuotes }), [example.project.settings.unalignedQuotes]);
  const [start] = useState(() => startingPoint(example, schema, drafts));
  const [doc, setDoc] = useState(start.doc);
  const viewRef = useRef<EditorView | null>(null);
  const { saver, status, change } = useAutosave({ exampleId: example.id, baseRevisionId: start.baseRevisionId, revisionNumber: example.head.number, drafts });
  const [conflict, setConflict] = useState<Newer | null>(null);
  const [conflictError, setConflictError] = useState<string | null>(null);
  /** Bumped by "Try again" to fetch the newest revision once more. */
  const [conflictAttempt, setConflictAttempt] = useState(0);
  const [unrestorable, setUnrestorable] = useState(start.unrestorable);
  useEffect(() => {
    // Restored work goes to the server at once (a stale base shows the conflict view).
    if (start.restored) saver?.change(start.doc);
  }, [saver, start]);
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: example.project.slug }));
  const editable = example.canEdit;
  const plugins = useMemo(() => [highlightsPlugin()], []);
  /** The uncommented marks the commentary gate named, with the text they count in. */
  const [gate, setGate] = useState<{ marks: GateMark[]; text: string } | null>(null);
  const stage = example.stage as Stage;
  const assist = useAssistStatus(example.project.slug);
  /** The mark whose commentary the model is drafting, if any. */
  const [drafting, setDrafting] = useState<{ id: string; text: string } | null>(null);
  const canDraft = editable && assist.data?.configured === true && (stage === "draft" || (stage === "commentary" && Boolean(example.claim?.mine)));
  const draftButton = useCallback(
    (entry: { id: string }, text: string) => (
      <button type="button" className="secondary" onClick={() => setDrafting({ id: entry.id, text })} aria-label={`Draft commentary for “${text}”`}>
        Draft commentary
      </button>
    ),
    [],
  );

  /** A submit sends pending edits first: the server judges the text it has. */
  async function beforeSubmit(): Promise<string | null> {
    setGate(null);
    if (!saver) return null;
    await saver.flush();
    return saver.dirty ? "Your latest edits are not saved yet, so the example cannot be submitted. Wait for “Saved”, or resolve the problem shown above, and try again." : null;
  }

  const savedRevision = status.kind === "saved" ? status.revisionNumber : null;
  useEffect(() => {
    // What may be done next depends on the text (the commentary gate): ask again after each save.
    if (savedRevision !== null) void queryClient.invalidateQueries({ queryKey: trpc.workflow.actions.queryKey({ exampleId: example.id }) });
  }, [savedRevision, example.id, queryClient, trpc]);

  useEffect(() => {
    if (status.kind !== "conflict") return;
    let current = true;
    // The refused save says only that the base is stale; the newest revision is fetched to show it.
    setConflictError(null);
    queryClient
      .fetchQuery({ ...trpc.examples.get.queryOptions({ exampleId: example.id }), staleTime: 0 })
      .then((latest) => {
        if (!current) return;
        const theirs = revisionDoc(latest.head, schema);
        setConflict({ id: latest.head.id, number: latest.head.number, doc: theirs, text: docToText(theirs), mine: docToText(viewRef.current!.state.doc) });
      })
      .catch((error: unknown) => {
        if (current) setConflictError(errorMessage(error));
      });
    return () => {
      current = false;
    };
  }, [status.kind, conflictAttempt, example.id, queryClient, trpc, schema]);

  return (
    <section className="example-page">
      <div className="page-title">
        <h1>
          Example{" "}
          <output aria-label="Stage" className={`stage stage-${example.stage}`}>
            {stageLabel(example.stage)}
          </output>
        </h1>
        <SaveStatusView status={status} onRetry={() => void saver?.flush()} />
      </div>
      <WorkLinks exampleId={example.id} stage={stage} roles={example.roles} />
      <ClaimBar exampleId={example.id} claim={example.claim} projectSlug={example.project.slug} />
      <ActionBar
        exampleId={example.id}
        label="Actions"
        beforeSubmit={beforeSubmit}
        judgedOnSend={(row) => row.action === "submit" && editable && (stage === "draft" || Boolean(example.claim?.mine))}
        onRefused={(error) => {
          const marks = gateMarks(error);
          if (marks && viewRef.current) setGate({ marks, text: docToText(viewRef.current.state.doc) });
        }}
        onDone={() => setGate(null)}
      />
      {gate && <GateRefusal marks={gate.marks} viewRef={viewRef} text={gate.text} />}
      <ScenarioPrompt exampleId={example.id} />
      <p className="muted">
        Project <Link to={`/projects/${example.project.slug}`}>{example.project.name}</Link>
        {editable ? "" : ` · You cannot edit this example in its ${example.stage} stage; the text is shown read-only.`}
      </p>
      {start.restored && (
        <p role="status" className="notice">
          {start.restored}
        </p>
      )}
      {unrestorable !== null && (
        <section className="card kept-text" aria-labelledby="kept-text-title">
          <h2 id="kept-text-title">Unsaved text from earlier, which you can copy</h2>
          <p>
            This browser kept text of yours for this example that was never saved. You cannot edit the example now, so it is not in the editor; copy it if you
            need it.
          </p>
          <textarea aria-label="Your kept text" readOnly value={unrestorable} rows={6} />
          <button
            type="button"
            className="secondary"
            onClick={() => {
              drafts.remove(example.id);
              setUnrestorable(null);
            }}
          >
            Forget this text
          </button>
        </section>
      )}
      <div className="columns">
        <div>
          {conflictError !== null && !conflict && (
            <p role="alert" className="error">
              The newer revision could not be loaded to compare with your text: {conflictError}{" "}
              <button type="button" className="secondary" onClick={() => setConflictAttempt((n) => n + 1)}>
                Try again
              </button>
            </p>
          )}
          {conflict && (
            <ConflictView
              mine={conflict.mine}
              theirs={conflict.text}
              theirsLabel={`Revision ${conflict.number}`}
              onKeepMine={() => {
                setConflict(null);
                void saver?.keepMine(conflict.id);
              }}
              onTakeTheirs={() => {
                saver?.reset(conflict.id, conflict.number);
                setDoc(conflict.doc);
                setConflict(null);
              }}
            />
          )}
          <EditorPane
            doc={doc}
            viewRef={viewRef}
            onDocChange={editable ? change : () => {}}
            editable={editable}
            plugins={plugins}
            uncommentedActions={canDraft ? draftButton : undefined}
          />
          {drafting && (
            <DraftPanel
              key={drafting.id}
              exampleId={example.id}
              mark={drafting}
              viewRef={viewRef}
              unalignedQuotes={example.project.settings.unalignedQuotes}
              onClose={() => setDrafting(null)}
            />
          )}
          {(stage === "draft" || stage === "commentary") && <FlagsToAddress exampleId={example.id} viewRef={viewRef} doc={doc} />}
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

/** Where the caller does their part when the example is in review or adjudication. */
function WorkLinks({ exampleId, stage, roles }: { exampleId: string; stage: Stage; roles: readonly string[] }) {
  if (stage === "review" && roles.includes("reviewer")) {
    return (
      <p>
        <Link to={`/examples/${exampleId}/review`}>Open the review</Link>
      </p>
    );
  }
  if (stage === "adjudication" && (roles.includes("adjudicator") || roles.includes("admin"))) {
    return (
      <p>
        <Link to={`/examples/${exampleId}/adjudicate`}>Open the adjudication</Link>
      </p>
    );
  }
  return null;
}
