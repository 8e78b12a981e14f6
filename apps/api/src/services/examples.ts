/**
 * Examples and their revisions. An example's text is never edited in place: every save
 * appends a revision that names the revision it was based on, and a save based on anything
 * but the newest revision is refused as a conflict, carrying the newest revision so that the
 * writer can compare and merge.
 */
import type { Role, Stage } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { holdsAnyRole, type ProjectAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";
import { claimSelect, claimView, heldBy, requireClaim, type ClaimView } from "./claims.ts";
import { recordParticipation, type ParticipationRole } from "./participation.ts";
import { asStage } from "./workflow.ts";
import { emptyDocument, type CheckedDocument, type DocumentChecker } from "./documents.ts";
import { readProjectSettings, type ProjectSettings } from "./project-settings.ts";

/** A revision as lists show it: no text. */
export const revisionSummarySelect = {
  id: true,
  number: true,
  baseRevisionId: true,
  createdAt: true,
  modelDrafted: true,
  author: { select: { id: true, name: true } },
} satisfies Prisma.RevisionSelect;

/** A revision with its tagged text and editor document (JSON text). */
export const revisionSelect = { ...revisionSummarySelect, text: true, doc: true } satisfies Prisma.RevisionSelect;

/** A revision as a save answers it: the saver has the document, so it gets the text only. */
export type SavedRevision = RevisionSummary & { text: string };

/** A revision as lists show it. */
export type RevisionSummary = Prisma.RevisionGetPayload<{ select: typeof revisionSummarySelect }>;

/** A revision with its content. */
export type RevisionView = Prisma.RevisionGetPayload<{ select: typeof revisionSelect }>;

const exampleSelect = {
  id: true,
  stage: true,
  createdAt: true,
  updatedAt: true,
  createdBy: { select: { id: true, name: true } },
  project: { select: { slug: true, name: true, settings: true } },
  headRevision: { select: revisionSelect },
  ...claimSelect,
} satisfies Prisma.ExampleSelect;

const exampleSummarySelect = {
  id: true,
  stage: true,
  createdAt: true,
  updatedAt: true,
  createdBy: { select: { id: true, name: true } },
  headRevision: { select: { number: true, excerpt: true } },
} satisfies Prisma.ExampleSelect;

/** An example as its page shows it. */
export interface ExampleView {
  /** The example's id (its page is `/examples/<id>`). */
  id: string;
  /** Where it is in the workflow. */
  stage: Stage;
  /** When it was created. */
  createdAt: Date;
  /** When it last changed. */
  updatedAt: Date;
  /** Who created it. */
  createdBy: { id: string; name: string };
  /** The project it belongs to, with the settings the editor needs. */
  project: { slug: string; name: string; settings: ProjectSettings };
  /** The newest revision. */
  head: RevisionView;
  /** The caller's roles in the project. */
  roles: Role[];
  /**
   * Whether the caller may save a new revision now: their role may edit in the stage, and in
   * the commentary stage they hold the claim.
   */
  canEdit: boolean;
  /** Who is working on the example from a queue, until when, and whether it is the caller. */
  claim: ClaimView;
}

/** An example as a project's list shows it. */
export interface ExampleSummary {
  /** The example's id. */
  id: string;
  /** Where it is in the workflow. */
  stage: Stage;
  /** When it was created. */
  createdAt: Date;
  /** When it last changed. */
  updatedAt: Date;
  /** Who created it. */
  createdBy: { id: string; name: string };
  /** The newest revision's number. */
  revisionNumber: number;
  /** The start of the newest text, for recognising the example. */
  excerpt: string;
}

/** One page of a project's examples, newest change first. */
export interface ExamplePage {
  /** The examples on this page. */
  items: ExampleSummary[];
  /** The id to pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Which of a project's examples to list. */
export interface ExampleQuery {
  /** Only examples in this stage. */
  stage?: Stage;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size. */
  limit: number;
}

/** A save: the new document and the revision it was edited from. */
export interface ExampleSave {
  /** The example saved. */
  exampleId: string;
  /** The revision the editor started from; must be the newest. */
  baseRevisionId: string;
  /** The editor document: ProseMirror JSON, as JSON text (what the web app sends) or parsed. */
  doc: unknown;
}


function requireHead<T>(exampleId: string, head: T | null): T {
  if (head === null) throw new Error(`Example ${exampleId} has no revision`);
  return head;
}

/**
 * Who may save a new revision in each stage (SPEC §4): authors write in `draft`,
 * commentators in `commentary`, admins may edit in both; a stage missing here is read-only
 * for everyone (review, adjudication, accepted, rejected).
 */
const EDITORS_BY_STAGE: Partial<Record<Stage, readonly Role[]>> = {
  draft: ["author", "admin"],
  commentary: ["commentator", "admin"],
};

/**
 * Whether the caller's roles let them save a new revision of an example in `stage`; see
 * {@link EDITORS_BY_STAGE}. (In the commentary stage a save also needs the example's claim,
 * which {@link saveExample} checks.)
 */
export function mayEdit(access: ProjectAccess, stage: Stage): boolean {
  const editors = EDITORS_BY_STAGE[stage];
  return editors !== undefined && holdsAnyRole(access, editors);
}

/** The stages whose saves need the example's claim: commentators work on it from their queue. */
const STAGES_NEEDING_CLAIM: ReadonlySet<Stage> = new Set(["commentary"]);

/** The Participation a save in each editable stage records. */
const PARTICIPATION_BY_STAGE: Partial<Record<Stage, ParticipationRole>> = { draft: "author", commentary: "commentator" };

function cannotEditMessage(stage: Stage): string {
  const editors = EDITORS_BY_STAGE[stage];
  if (!editors) return `This example is in the ${stage} stage, where nobody can edit it any more.`;
  return `Only ${editors.map((role) => `${role}s`).join(" and ")} can edit an example in the ${stage} stage; ask one of them to make the change.`;
}

/** Creates a draft with an empty first revision and returns its id. */
export async function createExample(db: Db, access: ProjectAccess): Promise<{ id: string }> {
  const empty = emptyDocument({});
  return db.$transaction(async (tx) => {
    const example = await tx.example.create({
      data: { projectId: access.projectId, createdById: access.userId, stage: "draft" },
      select: { id: true },
    });
    const revision = await tx.revision.create({
      data: { exampleId: example.id, number: 1, text: empty.text, doc: empty.doc, excerpt: empty.excerpt, digest: empty.digest, authorId: access.userId },
      select: { id: true },
    });
    await tx.example.update({ where: { id: example.id }, data: { headRevisionId: revision.id }, select: { id: true } });
    await recordParticipation(tx, example.id, access.userId, "author");
    await recordAudit(tx, [
      { actorId: access.userId, action: "example.stage", projectId: access.projectId, exampleId: example.id, from: null, to: "draft" },
    ]);
    return example;
  });
}

/**
 * The stage of an example whose import is still running: no list, queue or page shows it, and
 * the import's last step gives it its real stage (or its clean-up deletes it).
 */
export const IMPORTING_STAGE = "importing";

/** An example with its newest revision and the caller's standing. */
export async function getExample(db: Db, access: ProjectAccess, exampleId: string): Promise<ExampleView> {
  const example = await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: exampleSelect });
  if (example.stage === IMPORTING_STAGE) {
    throw new NotFoundError(`Example "${exampleId}" is still being imported. Open it once the import has finished.`);
  }
  const stage = asStage(example.stage);
  const claim = claimView(example, access.userId);
  return {
    id: example.id,
    stage,
    createdAt: example.createdAt,
    updatedAt: example.updatedAt,
    createdBy: example.createdBy,
    project: { ...example.project, settings: readProjectSettings(example.project.settings) },
    head: requireHead(example.id, example.headRevision),
    roles: access.roles,
    canEdit: mayEdit(access, stage) && (!STAGES_NEEDING_CLAIM.has(stage) || claim.mine),
    claim,
  };
}

/**
 * One page of a project's examples, most recently changed first. Reads each head revision's
 * stored excerpt, never its text, so that a page costs the same whatever the texts' sizes.
 */
export async function listExamples(db: Db, access: ProjectAccess, query: ExampleQuery): Promise<ExamplePage> {
  // Keyset paging: the rows after the cursor's (updatedAt, id). Prisma's own `cursor` option
  // compares through subqueries that neither database can turn into an index range, so a deep
  // page would walk the index from the top; `updatedAt <= …` gives both databases the range of
  // the (projectId, [stage,] updatedAt, id) index, and the OR only sorts out ties.
  const after = query.cursor
    ? await db.example.findFirst({ where: { id: query.cursor, projectId: access.projectId }, select: { id: true, updatedAt: true } })
    : null;
  if (query.cursor && !after) {
    throw new NotFoundError("The page to continue from is gone (its example is not in this project). Reload the list from the start.");
  }
  const rows = await db.example.findMany({
    where: {
      projectId: access.projectId,
      stage: query.stage ?? { not: IMPORTING_STAGE },
      ...(after ? { updatedAt: { lte: after.updatedAt }, OR: [{ updatedAt: { lt: after.updatedAt } }, { id: { lt: after.id } }] } : {}),
    },
    select: exampleSummarySelect,
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((row) => {
      const head = requireHead(row.id, row.headRevision);
      return {
        id: row.id,
        stage: asStage(row.stage),
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        createdBy: row.createdBy,
        revisionNumber: head.number,
        excerpt: head.excerpt,
      };
    }),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

async function conflictWithHead(db: Db | Prisma.TransactionClient, exampleId: string): Promise<ConflictError> {
  const example = await db.example.findUniqueOrThrow({
    where: { id: exampleId },
    select: { headRevision: { select: revisionSelect } },
  });
  const head = requireHead(exampleId, example.headRevision);
  return new ConflictError(
    `This example was saved by ${head.author.name} (revision ${head.number}) after you started editing. ` +
      `Your text is kept in the editor: compare it with revision ${head.number}, then save again.`,
    { headRevision: head },
  );
}

/**
 * Whether `checked` is the document of the head revision: by digest, or, for a revision saved
 * before digests were stored, by reading it.
 */
async function isHead(db: Db, head: { id: string; digest: string }, checked: CheckedDocument): Promise<boolean> {
  if (head.digest !== "") return head.digest === checked.digest;
  const stored = await db.revision.findUniqueOrThrow({ where: { id: head.id }, select: { text: true, doc: true } });
  return stored.text === checked.text && stored.doc === checked.doc;
}

/**
 * Saves a new revision and answers it with its text (the saver has the document), recording
 * the saver's Participation (author in draft, commentator in commentary) and the project's
 * newest guideline version on the revision. Throws `ForbiddenError` when the caller may not
 * edit in the example's stage, `ConflictError` in the commentary stage unless the caller holds
 * the example's claim (also when it lapses during the save), `InvalidInputError` for
 * a document the checks refuse, and `ConflictError` (with `details.headRevision`) when
 * `baseRevisionId` is not the newest revision. Saving a document identical to the newest
 * revision returns that revision, whatever the base (so that a retried save is not a conflict).
 * The document is checked on `documents`' worker threads and compared by digest, so that the
 * event loop never walks or reads a whole document.
 */
export async function saveExample(db: Db, documents: DocumentChecker, access: ProjectAccess, save: ExampleSave): Promise<SavedRevision> {
  const example = await db.example.findUniqueOrThrow({
    where: { id: save.exampleId },
    select: { stage: true, project: { select: { settings: true } }, headRevision: { select: { ...revisionSummarySelect, digest: true } } },
  });
  const stage = asStage(example.stage);
  if (!mayEdit(access, stage)) throw new ForbiddenError(cannotEditMessage(stage));
  const needsClaim = STAGES_NEEDING_CLAIM.has(stage);
  if (needsClaim) await requireClaim(db, access, save.exampleId);
  const checked = await documents.check(save.doc, readProjectSettings(example.project.settings));
  const { digest, ...head } = requireHead(save.exampleId, example.headRevision);
  // A retried save whose first answer was lost arrives with the old base: the document
  // already is the head, so it is answered with the head, not refused as a conflict.
  if (await isHead(db, { id: head.id, digest }, checked)) return { ...head, text: checked.text };
  if (head.id !== save.baseRevisionId) throw await conflictWithHead(db, save.exampleId);
  try {
    return await db.$transaction(async (tx) => {
      const guideline = await tx.guideline.findFirst({
        where: { projectId: access.projectId },
        orderBy: { version: "desc" },
        select: { version: true },
      });
      const revision = await tx.revision.create({
        data: {
          exampleId: save.exampleId,
          number: head.number + 1,
          baseRevisionId: head.id,
          text: checked.text,
          doc: checked.doc,
          excerpt: checked.excerpt,
          digest: checked.digest,
          authorId: access.userId,
          guidelineVersion: guideline?.version ?? null,
        },
        select: revisionSummarySelect,
      });
      // Moves the head only if nobody moved it since it was read, the example is still in the
      // stage that was checked and, where needed, the caller's claim still runs; else roll back.
      const moved = await tx.example.updateMany({
        where: { id: save.exampleId, headRevisionId: head.id, stage, ...(needsClaim ? heldBy(access.userId, new Date()) : {}) },
        data: { headRevisionId: revision.id },
      });
      if (moved.count !== 1) {
        if (needsClaim) await requireClaim(tx, access, save.exampleId);
        const now = await tx.example.findUniqueOrThrow({ where: { id: save.exampleId }, select: { stage: true } });
        if (now.stage !== stage) throw new ConflictError(`This example moved to the ${now.stage} stage while you were saving; your text is kept in the editor. Reload the example.`);
        throw await conflictWithHead(tx, save.exampleId);
      }
      const participation = PARTICIPATION_BY_STAGE[stage];
      if (participation) await recordParticipation(tx, save.exampleId, access.userId, participation);
      return { ...revision, text: checked.text };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw await conflictWithHead(db, save.exampleId);
    throw error;
  }
}

/** Every revision of an example, newest first. */
export function listRevisions(db: Db, exampleId: string): Promise<RevisionSummary[]> {
  return db.revision.findMany({ where: { exampleId }, select: revisionSummarySelect, orderBy: { number: "desc" } });
}

/** One revision of an example. Throws `NotFoundError` when the example has no such revision. */
export async function getRevision(db: Db, exampleId: string, revisionId: string): Promise<RevisionView> {
  const revision = await db.revision.findFirst({ where: { id: revisionId, exampleId }, select: revisionSelect });
  if (!revision) {
    throw new NotFoundError(`Example ${exampleId} has no revision ${revisionId}. Pick one from the revision list.`);
  }
  return revision;
}
