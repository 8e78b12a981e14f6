/**
 * Building blocks for workflow tests: a project with one person per role, and examples put
 * directly into any stage (head revision, review round, claim, participations, reviews).
 */
import { createSchema, docToText, documentFromJSON, textToDoc, type Role, type Stage, type Verdict } from "@prealign/core";
import type { Db } from "../db/database.ts";
import { findProjectAccess } from "../services/access.ts";
import { digestOf, excerptOf } from "../services/documents.ts";
import { createExample } from "../services/examples.ts";
import type { ParticipationRole } from "../services/participation.ts";
import { readProjectSettings, type ProjectSettings } from "../services/project-settings.ts";
import type { ActiveSession } from "../services/sessions.ts";
import { callerFor, projectWithMembers, signedInUser } from "./fixtures.ts";

/** The text most workflow tests use: a human line and AI commentary (span id `ai-1`). */
export const RUDE_TEXT = "Rude remark. <AI>That was unkind.</AI>";

/**
 * The editor document of `text` (JSON), with a bad-behaviour mark (`m1`, deceit) on its first
 * text node when `mark` says so: "commented" links it to the AI span `ai-1`.
 */
export function docJson(text: string, mark: "none" | "uncommented" | "commented" = "none"): Record<string, unknown> {
  const converted = textToDoc(text);
  if (!converted.ok) throw new Error(`not a valid text: ${text}`);
  const json = converted.doc.toJSON() as { content: { content: Record<string, unknown>[] }[] };
  if (mark !== "none") {
    const first = json.content[0]!.content[0]!;
    first.marks = [{ type: "bad_behaviour", attrs: { id: "m1", category: "deceit", commentary: mark === "commented" ? "ai-1" : null } }];
  }
  return json;
}

/** The people of a workflow project, one (or more) per role. */
export interface Team {
  project: { slug: string; id: string };
  /** Writes the examples (the `author` caller is another author). */
  writer: ActiveSession;
  author: ActiveSession;
  commentator: ActiveSession;
  reviewer: ActiveSession;
  reviewer2: ActiveSession;
  reviewer3: ActiveSession;
  adjudicator: ActiveSession;
  admin: ActiveSession;
  globalAdmin: ActiveSession;
}

/** Creates a project with one person per role (three reviewers, two authors) and a global admin; no audits unless `settings` sets an audit rate. */
export async function createTeam(db: Db, settings: Partial<ProjectSettings> = {}): Promise<Team> {
  const person = (name: string, isAdmin = false) => signedInUser(db, { name, isAdmin });
  const [writer, author, commentator, reviewer, reviewer2, reviewer3, adjudicator, admin, globalAdmin] = await Promise.all([
    person("Writer"),
    person("Author"),
    person("Commentator"),
    person("Reviewer"),
    person("Second reviewer"),
    person("Third reviewer"),
    person("Adjudicator"),
    person("Admin"),
    person("Global admin", true),
  ]);
  const roles: [ActiveSession, Role][] = [
    [writer, "author"],
    [author, "author"],
    [commentator, "commentator"],
    [reviewer, "reviewer"],
    [reviewer2, "reviewer"],
    [reviewer3, "reviewer"],
    [adjudicator, "adjudicator"],
    [admin, "admin"],
  ];
  const project = await projectWithMembers(db, roles.map(([session, role]) => ({ session, roles: [role] })));
  // No audits unless a test asks for them: a round that passes review is then always accepted.
  const wanted: Partial<ProjectSettings> = { auditRate: 0, ...settings };
  const { settings: stored } = await db.project.findUniqueOrThrow({ where: { id: project.id }, select: { settings: true } });
  await db.project.update({ where: { id: project.id }, data: { settings: { ...readProjectSettings(stored), ...wanted } }, select: { id: true } });
  return { project, writer, author, commentator, reviewer, reviewer2, reviewer3, adjudicator, admin, globalAdmin };
}

/** How to set an example up. */
export interface ExampleSetup {
  /** The stage to put it in. */
  stage: Stage;
  /** The head revision's text and mark. */
  text?: string;
  mark?: "none" | "uncommented" | "commented";
  /** Who holds the claim (unexpired unless `claimExpired`). */
  claimedBy?: ActiveSession;
  claimExpired?: boolean;
  /** Participations besides the writer's authorship. */
  participants?: [ActiveSession, ParticipationRole][];
  /** Submitted reviews of round 1 (which the example is in when in review or later). */
  reviews?: { by: ActiveSession; verdict: Verdict; flags?: { start: number; end: number; severity: "blocker" | "major" | "minor"; comment?: string }[] }[];
}

/**
 * Creates an example written by `team.writer` and sets it up as `setup` says, directly in
 * the database. From review on, it is in review round 1 of its head revision.
 */
export async function exampleIn(db: Db, team: Team, setup: ExampleSetup): Promise<{ id: string; headId: string }> {
  const access = await findProjectAccess(db, { projectSlug: team.project.slug }, team.writer.user);
  const { id } = await createExample(db, access);
  const json = docJson(setup.text ?? RUDE_TEXT, setup.mark ?? "none");
  const node = documentFromJSON(json, createSchema({}));
  const doc = JSON.stringify(node.toJSON());
  const text = docToText(node);
  const head = await db.revision.create({
    data: { exampleId: id, number: 2, text, doc, excerpt: excerptOf(text), digest: digestOf(doc), authorId: team.writer.user.id },
    select: { id: true },
  });
  const reviewed = ["review", "adjudication", "accepted", "rejected"].includes(setup.stage);
  await db.example.update({
    where: { id },
    data: {
      headRevisionId: head.id,
      stage: setup.stage,
      ...(reviewed ? { reviewRound: 1, reviewRevisionId: head.id } : {}),
      ...(setup.claimedBy
        ? { claimedById: setup.claimedBy.user.id, claimExpiresAt: new Date(Date.now() + (setup.claimExpired ? -60_000 : 600_000)) }
        : {}),
    },
    select: { id: true },
  });
  for (const [who, role] of setup.participants ?? []) {
    await db.participation.create({ data: { exampleId: id, userId: who.user.id, role }, select: { id: true } });
  }
  for (const review of setup.reviews ?? []) {
    await db.participation.create({ data: { exampleId: id, userId: review.by.user.id, role: "reviewer" }, select: { id: true } });
    const { id: reviewId } = await db.review.create({
      data: { exampleId: id, revisionId: head.id, round: 1, reviewerId: review.by.user.id, verdict: review.verdict, submittedAt: new Date() },
      select: { id: true },
    });
    for (const flag of review.flags ?? []) {
      await db.flag.create({
        data: {
          reviewId,
          exampleId: id,
          revisionId: head.id,
          start: flag.start,
          end: flag.end,
          category: "uncommented_bad_behaviour",
          severity: flag.severity,
          ...(flag.comment ? { comments: { create: { authorId: review.by.user.id, body: flag.comment } } } : {}),
        },
        select: { id: true },
      });
    }
  }
  return { id, headId: head.id };
}

/** A tRPC caller acting as `who`. */
export function as(db: Db, who: ActiveSession) {
  return callerFor(db, who).caller;
}

/** What a refusal must leave untouched: the stage, the claim and the audit log of the example. */
export async function snapshot(db: Db, exampleId: string) {
  const example = await db.example.findUniqueOrThrow({
    where: { id: exampleId },
    select: { stage: true, claimedById: true, reviewRound: true, headRevisionId: true },
  });
  const audit = await db.auditEvent.count({ where: { exampleId } });
  const reviews = await db.review.count({ where: { exampleId, submittedAt: { not: null } } });
  return { ...example, audit, reviews };
}
