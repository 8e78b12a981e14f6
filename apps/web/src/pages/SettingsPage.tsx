import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@prealign/api";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { ModelSettings } from "../assist/ModelSettings.tsx";
import { useSession } from "../session.ts";
import { errorMessage, useTRPC } from "../trpc.ts";

/** A project's settings as the server holds them. */
type ProjectSettings = RouterOutputs["projects"]["get"]["settings"];

/** The review policy's bounds on k, as the server checks them. */
const MIN_REVIEWERS = 1;
const MAX_REVIEWERS = 10;

/**
 * A project's settings (`/projects/:slug/settings`): the review policy (reviewers per example,
 * skipping commentary when there are no marks, the audit rate) and the grammar and lint options. Project
 * admins change them; other members see them read-only.
 */
export function SettingsPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const { user } = useSession();
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: slug }));
  if (project.error) return <p role="alert" className="error">{errorMessage(project.error)}</p>;
  if (!project.data) return <p role="status">Loading…</p>;
  const canManage = Boolean(user?.isAdmin) || project.data.roles.includes("admin");
  return (
    <section className="settings">
      <p className="breadcrumb">
        <Link to={`/projects/${slug}`}>{project.data.name}</Link>
      </p>
      <h1>Settings</h1>
      {!canManage && <p className="muted">Only the project's admins can change these settings.</p>}
      <SettingsForm slug={slug} stored={project.data.settings} canManage={canManage} />
      {canManage && <ModelSettings slug={slug} />}
    </section>
  );
}

function SettingsForm({ slug, stored, canManage }: { slug: string; stored: ProjectSettings; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Only what the admin changed here is kept (and sent), so that two admins changing different
  // settings at once do not undo each other's change; every other field shows what the server holds.
  const [edits, setEdits] = useState<Partial<ProjectSettings>>({});
  // k is kept as typed, so that clearing the field to type another number is possible.
  const [reviewers, setReviewers] = useState<string | null>(null);
  // The audit rate is shown and typed as a percentage, kept as typed like k.
  const [auditPercent, setAuditPercent] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.projects.updateSettings.mutationOptions({
      onSuccess: async (next) => {
        queryClient.setQueryData(trpc.projects.get.queryKey({ projectSlug: slug }), (project) => (project ? { ...project, settings: next } : project));
        setEdits({});
        setReviewers(null);
        setAuditPercent(null);
        setSaved(true);
        await queryClient.invalidateQueries(trpc.projects.get.queryFilter({ projectSlug: slug }));
      },
    }),
  );
  const settings: ProjectSettings = { ...stored, ...edits };
  const reviewersText = reviewers ?? String(stored.reviewersPerExample);
  const k = Number(reviewersText);
  const kValid = reviewersText.trim() !== "" && Number.isInteger(k) && k >= MIN_REVIEWERS && k <= MAX_REVIEWERS;
  const auditText = auditPercent ?? String(Math.round(stored.auditRate * 1000) / 10);
  const audit = Number(auditText);
  const auditValid = auditText.trim() !== "" && Number.isFinite(audit) && audit >= 0 && audit <= 100;
  const wanted: ProjectSettings = {
    ...settings,
    reviewersPerExample: kValid ? k : stored.reviewersPerExample,
    auditRate: auditValid && audit !== Math.round(stored.auditRate * 1000) / 10 ? audit / 100 : stored.auditRate,
  };
  const changes = Object.fromEntries(
    (Object.keys(wanted) as Array<keyof ProjectSettings>).filter((key) => wanted[key] !== stored[key]).map((key) => [key, wanted[key]]),
  ) as Partial<ProjectSettings>;
  const dirty = Object.keys(changes).length > 0;

  function change(next: Partial<ProjectSettings>) {
    setSaved(false);
    update.reset();
    setEdits((current) => ({ ...current, ...next }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!kValid || !auditValid || !dirty) return;
    update.mutate({ projectSlug: slug, settings: changes });
  }

  return (
    <form onSubmit={submit} className="card settings-form">
      <fieldset disabled={!canManage}>
        <legend>Review policy</legend>
        <label>
          Reviewers per example
          <input
            type="number"
            inputMode="numeric"
            min={MIN_REVIEWERS}
            max={MAX_REVIEWERS}
            step={1}
            required
            value={reviewersText}
            aria-describedby="reviewers-help"
            aria-invalid={!kValid}
            onChange={(e) => {
              setSaved(false);
              update.reset();
              setReviewers(e.target.value);
            }}
          />
        </label>
        <p id="reviewers-help" className={kValid ? "muted help" : "error help"}>
          {kValid
            ? "How many people review each example independently before it is accepted or adjudicated."
            : `Enter a whole number from ${MIN_REVIEWERS} to ${MAX_REVIEWERS}.`}
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.skipCommentaryWhenNoMarks}
            onChange={(e) => change({ skipCommentaryWhenNoMarks: e.target.checked })}
          />
          Skip commentary when an example has no bad-behaviour marks
        </label>
        <label>
          Audit rate (%)
          <input
            type="number"
            inputMode="decimal"
            min={0}
            max={100}
            step={0.1}
            required
            value={auditText}
            aria-describedby="audit-help"
            aria-invalid={!auditValid}
            onChange={(e) => {
              setSaved(false);
              update.reset();
              setAuditPercent(e.target.value);
            }}
          />
        </label>
        <p id="audit-help" className={auditValid ? "muted help" : "error help"}>
          {auditValid
            ? "The share of examples that pass review which go to adjudication anyway, drawn at random, so that misses are measured where nobody flagged."
            : "Enter a percentage from 0 to 100."}
        </p>
      </fieldset>
      <fieldset disabled={!canManage}>
        <legend>Tags and lints</legend>
        <label className="check">
          <input type="checkbox" checked={settings.unalignedQuotes} onChange={(e) => change({ unalignedQuotes: e.target.checked })} />
          <span>
            Allow the <code>&lt;AI_quoting_unaligned_AI&gt;</code> pair
          </span>
        </label>
        <label className="check">
          <input type="checkbox" checked={settings.quoteMarksLint} onChange={(e) => change({ quoteMarksLint: e.target.checked })} />
          Warn about quoted speech without quotation marks
        </label>
      </fieldset>
      {canManage && (
        <div className="form-actions">
          <button type="submit" disabled={update.isPending || !dirty || !kValid || !auditValid}>
            Save settings
          </button>
          {update.isPending && <span role="status">Saving…</span>}
          {saved && !update.isPending && <span role="status" className="notice">Settings saved.</span>}
        </div>
      )}
      {update.error && <p role="alert" className="error">{errorMessage(update.error)}</p>}
    </form>
  );
}
