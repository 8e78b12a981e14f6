import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, useTRPC } from "../trpc.ts";
import { RevisionDiffView } from "./RevisionDiffView.tsx";

/** "3 Dec 2026, 14:05" in the reader's locale. */
function when(date: string | Date): string {
  return new Date(date).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * Every revision of an example with its author, time and whether a model drafted part of it
 * (with the model's name), and the word diff between any two (by default the latest change).
 */
export function HistoryView({ exampleId }: { exampleId: string }) {
  const trpc = useTRPC();
  const revisions = useQuery(trpc.examples.revisions.queryOptions({ exampleId }));
  const list = revisions.data ?? [];
  const newest = list.reduce<(typeof list)[number] | undefined>((best, r) => (!best || r.number > best.number ? r : best), undefined);
  const [fromId, setFromId] = useState<string | null>(null);
  const [toId, setToId] = useState<string | null>(null);
  const toRevision = toId ?? newest?.id ?? null;
  const fromRevision = fromId ?? list.find((r) => newest && r.number === newest.number - 1)?.id ?? toRevision;
  const from = useQuery(trpc.examples.revision.queryOptions({ exampleId, revisionId: fromRevision ?? "" }, { enabled: fromRevision !== null }));
  const to = useQuery(trpc.examples.revision.queryOptions({ exampleId, revisionId: toRevision ?? "" }, { enabled: toRevision !== null }));
  const options = [...list]
    .sort((a, b) => b.number - a.number)
    .map((r) => (
      <option key={r.id} value={r.id}>
        Revision {r.number}
      </option>
    ));

  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {revisions.error && <p role="alert" className="error">{errorMessage(revisions.error)}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Author</th>
            <th scope="col">Saved</th>
          </tr>
        </thead>
        <tbody>
          {[...list]
            .sort((a, b) => b.number - a.number)
            .map((r) => (
              <tr key={r.id}>
                <td>{r.number}</td>
                <td>
                  {r.author.name}
                  {r.modelDrafted && <span className="muted"> · model-drafted{r.draftModel ? ` (${r.draftModel})` : ""}</span>}
                </td>
                <td>{when(r.createdAt)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {list.length > 0 && (
        <>
          <div className="pickers">
            <label>
              Compare revision
              <select value={fromRevision ?? ""} onChange={(event) => setFromId(event.target.value)}>
                {options}
              </select>
            </label>
            <label>
              with revision
              <select value={toRevision ?? ""} onChange={(event) => setToId(event.target.value)}>
                {options}
              </select>
            </label>
          </div>
          {from.data && to.data ? (
            <RevisionDiffView before={from.data.text} after={to.data.text} label="Changes between the revisions" />
          ) : (
            <p className="muted" role="status">
              Loading the revisions…
            </p>
          )}
        </>
      )}
    </section>
  );
}
