import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "../trpc.ts";

/** The format of a scenario file, by its name: `.csv` is CSV, anything else JSONL. */
function formatOf(file: File): "csv" | "jsonl" {
  return file.name.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
}

/**
 * Project admins import scenarios from a JSONL file (one object per line: key, prompt,
 * categories, interaction_types, target) or a CSV file with those columns (tags separated by
 * ";"). The report says how many were added and replaced, and lists each refused row by line.
 */
export function ScenarioImport({ slug, onImported }: { slug: string; onImported: () => Promise<void> }) {
  const trpc = useTRPC();
  const [file, setFile] = useState<File | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const importing = useMutation(trpc.scenarios.import.mutationOptions({ onSuccess: onImported }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setReadError(null);
    let content: string;
    try {
      content = await file.text();
    } catch (error) {
      setReadError(`The file could not be read: ${(error as Error).message}. Choose it again.`);
      return;
    }
    importing.mutate({ projectSlug: slug, format: formatOf(file), content });
  }

  const report = importing.data;
  return (
    <section className="card" aria-labelledby="scenario-import-title">
      <h2 id="scenario-import-title">Import scenarios</h2>
      <p className="muted">
        A <code>.jsonl</code> file with one object per line (<code>key</code>, <code>prompt</code>, <code>categories</code>,{" "}
        <code>interaction_types</code>, <code>target</code>) or a <code>.csv</code> file with those columns and tags separated by{" "}
        <code>;</code>. A key the library has already replaces that scenario.
      </p>
      <form onSubmit={(event) => void submit(event)} className="inline-form">
        <label>
          Scenario file
          <input type="file" accept=".jsonl,.json,.csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={!file || importing.isPending}>
          Import scenarios
        </button>
      </form>
      {(readError ?? importing.error) && <p role="alert" className="error">{readError ?? errorMessage(importing.error)}</p>}
      {report && (
        <div role="status">
          <p>
            Added {report.created}, replaced {report.updated}, refused {report.rejected.length}.
          </p>
          {report.rejected.length > 0 && (
            <ul aria-label="Refused rows">
              {report.rejected.map((row) => (
                <li key={row.line}>
                  Line {row.line}: {row.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
