/**
 * Examples and their revisions. An example's text is never edited in place: every save
 * appends a revision that names the revision it was based on, and a save based on anything
 * but the newest revision is refused as a conflict, carrying the newest revision so that the
 * writer can compare and merge.
 */
import { IMPORTING_STAGE, type Role, type Stage } from "@prealign/core";
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
import { draftLineage, recordDraftsTakenIn } from "./llm/drafts.ts";

/** A new revision as its INSERT returns it; the author is the saver, who is known already. */
const savedRevisionSelect = {
  id: true,
  number: true,
  baseRevisionId: true,
  createdAt: true,
  modelDrafted: true,
  draftModel: true,
} satisfies Prisma.RevisionSelect;

/** A revision as lists show it: no text. */
export const revisionSummarySelect = {
  ...savedRevisionSelect,
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

/**
 * Everything a save reads before it writes, in one query per table (the lookups cost a round
 * trip each on PostgreSQL, and nothing of this needs the transaction): the stage and claim,
 * the project's settings and newest guideline version, the head revision (its author only
 * when it has to be answered; see {@link saveExample}), and the saver's participations.
 */
function saveContextSelect(userId: string) {
  return {
    stage: true,
    claimedById: true,
    claimExpiresAt: true,
    project: {
      select: { settings: true, guidelines: { orderBy: { version: "desc" }, take: 1, select: { version: true } } },
    },
    headRevision: { select: { id: true, number: true, baseRevisionId: true, createdAt: true, modelDrafted: true, draftModel: true, digest: true } },
    participants: { where: { userId, role: { in: Object.values(PARTICIPATION_BY_STAGE) } }, select: { role: true } },
  } satisfies Prisma.ExampleSelect;
}

/**
 * How long a save waits to begin its transaction and may take in it. Prisma's defaults (2 s to
 * begin, 5 s in all) failed saves with an internal error whenever a burst of saves kept every
 * pooled connection busy for two seconds; a save is better late than refused, and the pool
 * itself gives up after 10 s (`connectionTimeoutMillis`).
 */
const SAVE_TRANSACTION = { maxWait: 10_000, timeout: 10_000 };

function cannotEditMessage(stage: Stage): string {
  const editors = EDITORS_BY_STAGE[stage];
  if (!editors) return `This example is in the ${stage} stage, where nobody can edit it any more.`;
  return `Only ${editors.map((role) => `${role}s`).join(" and ")} can edit an example in the ${stage} stage; ask one of them to make the change.`;
}

/** Creates a draft with an empty first revision, written for a scenario when one is given, and returns its id. */
export async function createExample(db: Db, access: ProjectAccess, options: { scenarioId?: string } = {}): Promise<{ id: string }> {
  const empty = emptyDocument({});
  return db.$transaction(async (tx) => {
    const example = await tx.example.create({
      data: { projectId: access.projectId, createdById: access.userId, stage: "draft", scenarioId: options.scenarioId ?? null },
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
 * event loop never walks or reads a whole document. `saver` is the caller (the new revision's
 * author, answered without reading them back).
 *
 * Under load a save is mostly round trips to the database, so it reads everything it needs in
 * one query per table before its transaction ({@link saveContextSelect}), and the transaction
 * holds only the writes and the checks that must see them: on SQLite every other statement
 * waits while it is open.
 */
export async function saveExample(
  db: Db,
  documents: DocumentChecker,
  access: ProjectAccess,
  save: ExampleSave,
  saver: { id: string; name: string },
): Promise<SavedRevision> {
  const example = await db.example.findUniqueOrThrow({ where: { id: save.exampleId }, select: saveContextSelect(access.userId) });
  const stage = asStage(example.stage);
  if (!mayEdit(access, stage)) throw new ForbiddenError(cannotEditMessage(stage));
  const needsClaim = STAGES_NEEDING_CLAIM.has(stage);
  // The claim is read with the example; only a save without it reads it again, for the message.
  if (needsClaim && !(example.claimedById === access.userId && example.claimExpiresAt !== null && example.claimExpiresAt > new Date())) {
    await requireClaim(db, access, save.exampleId);
  }
  const checked = await documents.check(save.doc, readProjectSettings(example.project.settings));
  const { digest, ...head } = requireHead(save.exampleId, example.headRevision);
  // A retried save whose first answer was lost arrives with the old base: the document
  // already is the head, so it is answered with the head, not refused as a conflict.
  if (await isHead(db, { id: head.id, digest }, checked)) {
    const answered = await db.revision.findUniqueOrThrow({ where: { id: head.id }, select: revisionSummarySelect });
    return { ...answered, text: checked.text };
  }
  if (head.id !== save.baseRevisionId) throw await conflictWithHead(db, save.exampleId);
  const role = PARTICIPATION_BY_STAGE[stage];
  const participates = example.participants.some((row) => row.role === role);
  const guidelineVersion = example.project.guidelines[0]?.version ?? null;
  // Model-drafted when the base was, or when the saver accepted a model's draft (issue 9).
  const { takesIn, ...lineage } = await draftLineage(db, { exampleId: save.exampleId, userId: access.userId, base: head });
  try {
    return await db.$transaction(async (tx) => {
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
          guidelineVersion,
          ...lineage,
        },
        select: savedRevisionSelect,
      });
      await recordDraftsTakenIn(tx, takesIn, revision.id);
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
      if (role && !participates) await recordParticipation(tx, save.exampleId, access.userId, role);
      return { ...revision, author: { id: saver.id, name: saver.name }, text: checked.text };
    }, SAVE_TRANSACTION);
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
