/**
 * Examples and their revisions. An example's text is never edited in place: every save
 * appends a revision that names the revision it was based on, and a save based on anything
 * but the newest revision is refused as a conflict, carrying the newest revision so that the
 * writer can compare and merge.
 */
import { IMPORTING_STAGE, QUEUE_STAGES, type Role, type Stage } from "@prealign/core";
import { empty, sqltag as sql } from "@prisma/client/runtime/client";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { IdSource } from "../db/ids.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { holdsAnyRole, noSuchExample, type ProjectAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";
import { claimView, queueOrder, requireClaim, type ClaimView } from "./claims.ts";
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

/** One page of a project's examples, newest change first (see {@link listExamples}). */
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

/** Everything a save reads before it writes; see {@link readSaveContext}. */
interface SaveContext {
  stage: string;
  claimedById: string | null;
  claimExpiresAt: Date | null;
  /** The project's settings as stored (see `readProjectSettings`). */
  settings: unknown;
  /** The project's newest guideline version. */
  guidelineVersion: number | bigint | null;
  /** The head revision; null columns when the example has none. */
  headId: string | null;
  headNumber: number;
  baseRevisionId: string | null;
  createdAt: Date;
  modelDrafted: boolean;
  draftModel: string | null;
  digest: string;
  /** Whether the saver already holds the participation a save in this stage records (0/1 on SQLite). */
  participates: unknown;
  /** Whether the saver accepted a model's draft that no revision took in yet (see `draftLineage`). */
  hasAcceptedDraft: unknown;
}

/**
 * Everything a save reads before it writes, in one statement (nothing of it needs the
 * transaction): the stage and claim, the project's settings and newest guideline version, the
 * head revision, whether the saver already participates in the stage's role, and whether they
 * accepted a model's draft. Plain SQL rather than a Prisma query: under load, Prisma's
 * compiling of each query cost more than the database's work (`npm run bench -- load.save_p99`).
 */
async function readSaveContext(db: Db, exampleId: string, userId: string): Promise<SaveContext> {
  const { draft, commentary } = PARTICIPATION_BY_STAGE;
  const [row] = await db.$queryRaw<SaveContext[]>`
    SELECT e.stage, e."claimedById", e."claimExpiresAt", p.settings,
      (SELECT max(g.version) FROM "Guideline" g WHERE g."projectId" = e."projectId") AS "guidelineVersion",
      r.id AS "headId", r.number AS "headNumber", r."baseRevisionId", r."createdAt", r."modelDrafted", r."draftModel", r.digest,
      EXISTS (SELECT 1 FROM "Participation" pa WHERE pa."exampleId" = e.id AND pa."userId" = ${userId}
        AND pa.role = CASE e.stage WHEN 'draft' THEN ${draft} WHEN 'commentary' THEN ${commentary} END) AS "participates",
      EXISTS (SELECT 1 FROM "ModelDraft" d WHERE d."exampleId" = e.id AND d."userId" = ${userId}
        AND d."acceptedAt" IS NOT NULL AND d."revisionId" IS NULL) AS "hasAcceptedDraft"
    FROM "Example" e JOIN "Project" p ON p.id = e."projectId" LEFT JOIN "Revision" r ON r.id = e."headRevisionId"
    WHERE e.id = ${exampleId}`;
  if (row === undefined) throw noSuchExample(exampleId);
  return row;
}

/** Ids of the revisions this process saves. */
const revisionIds = new IdSource();

/** Inserts a saved revision (with plain SQL; see {@link readSaveContext}) and answers it as a save does. */
async function insertRevision(
  tx: Prisma.TransactionClient,
  revision: {
    exampleId: string;
    number: number;
    baseRevisionId: string;
    checked: CheckedDocument;
    authorId: string;
    guidelineVersion: number | null;
    modelDrafted: boolean;
    draftModel: string | null;
  },
): Promise<Omit<SavedRevision, "author" | "text">> {
  const id = revisionIds.next();
  const createdAt = new Date();
  const { text, doc, excerpt, digest } = revision.checked;
  await tx.$executeRaw`
    INSERT INTO "Revision" (id, "exampleId", number, "baseRevisionId", text, doc, excerpt, digest, "authorId", "createdAt", "guidelineVersion", "modelDrafted", "draftModel")
    VALUES (${id}, ${revision.exampleId}, ${revision.number}, ${revision.baseRevisionId}, ${text}, ${doc}, ${excerpt}, ${digest}, ${revision.authorId},
      ${createdAt}, ${revision.guidelineVersion}, ${revision.modelDrafted}, ${revision.draftModel})`;
  return { id, number: revision.number, baseRevisionId: revision.baseRevisionId, createdAt, modelDrafted: revision.modelDrafted, draftModel: revision.draftModel };
}

/** The head revision of a save's context (whose `headId` is not null). */
function headOf(context: SaveContext) {
  return {
    id: context.headId!,
    number: Number(context.headNumber),
    baseRevisionId: context.baseRevisionId,
    createdAt: context.createdAt,
    modelDrafted: Boolean(context.modelDrafted),
    draftModel: context.draftModel,
    digest: context.digest,
  };
}

/**
 * Moves the example's head to `revisionId` if nobody moved it since `headId` was read, the
 * example is still in `stage` and, when `claimedBy` is given, that user's claim still runs.
 * Whether it moved.
 */
async function moveHead(
  tx: Prisma.TransactionClient,
  move: { exampleId: string; headId: string; revisionId: string; stage: string; claimedBy: string | null },
): Promise<boolean> {
  const now = new Date();
  const claimHeld = move.claimedBy === null ? empty : sql`AND "claimedById" = ${move.claimedBy} AND "claimExpiresAt" > ${now}`;
  const moved = await tx.$executeRaw(sql`
    UPDATE "Example" SET "headRevisionId" = ${move.revisionId}, "updatedAt" = ${now}
    WHERE id = ${move.exampleId} AND "headRevisionId" = ${move.headId} AND stage = ${move.stage} ${claimHeld}`);
  return moved === 1;
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
  // Opening an example is most of what browsing does, so this is one plain statement (see
  // readSaveContext for why).
  const [example] = await db.$queryRaw<ExampleRow[]>`
    SELECT e.id, e.stage, e."createdAt", e."updatedAt", e."claimedById", e."claimExpiresAt", cl.name AS "claimedByName",
      cb.id AS "createdById", cb.name AS "createdByName", p.slug AS "projectSlug", p.name AS "projectName", p.settings,
      r.id AS "headId", r.number AS "headNumber", r."baseRevisionId", r."createdAt" AS "headCreatedAt", r."modelDrafted",
      r."draftModel", r.text, r.doc, ra.id AS "headAuthorId", ra.name AS "headAuthorName"
    FROM "Example" e JOIN "User" cb ON cb.id = e."createdById" JOIN "Project" p ON p.id = e."projectId"
      LEFT JOIN "User" cl ON cl.id = e."claimedById"
      LEFT JOIN "Revision" r ON r.id = e."headRevisionId" LEFT JOIN "User" ra ON ra.id = r."authorId"
    WHERE e.id = ${exampleId}`;
  if (example === undefined) throw noSuchExample(exampleId);
  if (example.stage === IMPORTING_STAGE) {
    throw new NotFoundError(`Example "${exampleId}" is still being imported. Open it once the import has finished.`);
  }
  const stage = asStage(example.stage);
  const claim = claimView(
    {
      claimedById: example.claimedById,
      claimExpiresAt: example.claimExpiresAt,
      claimedBy: example.claimedById === null ? null : { id: example.claimedById, name: example.claimedByName! },
    },
    access.userId,
  );
  const head: RevisionView | null =
    example.headId === null
      ? null
      : {
          id: example.headId,
          number: Number(example.headNumber),
          baseRevisionId: example.baseRevisionId,
          createdAt: example.headCreatedAt,
          modelDrafted: Boolean(example.modelDrafted),
          draftModel: example.draftModel,
          author: { id: example.headAuthorId, name: example.headAuthorName },
          text: example.text,
          doc: example.doc,
        };
  return {
    id: example.id,
    stage,
    createdAt: example.createdAt,
    updatedAt: example.updatedAt,
    createdBy: { id: example.createdById, name: example.createdByName },
    project: { slug: example.projectSlug, name: example.projectName, settings: readProjectSettings(example.settings) },
    head: requireHead(example.id, head),
    roles: access.roles,
    canEdit: mayEdit(access, stage) && (!STAGES_NEEDING_CLAIM.has(stage) || claim.mine),
    claim,
  };
}

/** An example with its project, creator, claim and head revision, as {@link getExample} reads it. */
interface ExampleRow {
  id: string;
  stage: string;
  createdAt: Date;
  updatedAt: Date;
  claimedById: string | null;
  claimExpiresAt: Date | null;
  claimedByName: string | null;
  createdById: string;
  createdByName: string;
  projectSlug: string;
  projectName: string;
  settings: unknown;
  /** The head revision's columns, null when the example has none. */
  headId: string | null;
  headNumber: number;
  baseRevisionId: string | null;
  headCreatedAt: Date;
  modelDrafted: boolean;
  draftModel: string | null;
  text: string;
  doc: string;
  headAuthorId: string;
  headAuthorName: string;
}

/**
 * One page of a project's examples, most recently changed first; those in adjudication in the
 * order "Take next" takes them ({@link queueOrder}: lowest agreement first, never computed last,
 * then the oldest change), so that the list shows what comes next. Reads each head revision's
 * stored excerpt, never its text, so that a page costs the same whatever the texts' sizes.
 */
export async function listExamples(db: Db, access: ProjectAccess, query: ExampleQuery): Promise<ExamplePage> {
  const inQueueOrder = query.stage === QUEUE_STAGES.adjudicator;
  // Keyset paging: the rows after the cursor's (updatedAt, id). Prisma's own `cursor` option
  // compares through subqueries that neither database can turn into an index range, so a deep
  // page would walk the index from the top; `updatedAt <= …` gives both databases the range of
  // the (projectId, [stage,] updatedAt, id) index, and the OR only sorts out ties. (In queue
  // order the rows after the cursor are those of `afterInQueueOrder`.)
  const after = query.cursor
    ? await db.example.findFirst({ where: { id: query.cursor, projectId: access.projectId }, select: { id: true, updatedAt: true, agreement: true } })
    : null;
  if (query.cursor && !after) {
    throw new NotFoundError("The page to continue from is gone (its example is not in this project). Reload the list from the start.");
  }
  const rows = await db.example.findMany({
    where: {
      projectId: access.projectId,
      stage: query.stage ?? { not: IMPORTING_STAGE },
      ...(after && inQueueOrder ? afterInQueueOrder(after) : {}),
      ...(after && !inQueueOrder ? { updatedAt: { lte: after.updatedAt }, OR: [{ updatedAt: { lt: after.updatedAt } }, { id: { lt: after.id } }] } : {}),
    },
    select: exampleSummarySelect,
    orderBy: inQueueOrder ? queueOrder("adjudicator") : [{ updatedAt: "desc" }, { id: "desc" }],
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

/**
 * The examples after `row` in the adjudication queue's order ({@link queueOrder}): a higher
 * agreement, or none where `row` has one (never-computed sort last), or the same agreement and
 * a later (updatedAt, id). The (projectId, stage, agreement, updatedAt) index covers it.
 */
function afterInQueueOrder(row: { id: string; updatedAt: Date; agreement: number | null }): Prisma.ExampleWhereInput {
  const later: Prisma.ExampleWhereInput = { OR: [{ updatedAt: { gt: row.updatedAt } }, { updatedAt: row.updatedAt, id: { gt: row.id } }] };
  if (row.agreement === null) return { agreement: null, ...later };
  return { OR: [{ agreement: { gt: row.agreement } }, { agreement: null }, { agreement: row.agreement, ...later }] };
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
  const example = await readSaveContext(db, save.exampleId, access.userId);
  const stage = asStage(example.stage);
  if (!mayEdit(access, stage)) throw new ForbiddenError(cannotEditMessage(stage));
  const needsClaim = STAGES_NEEDING_CLAIM.has(stage);
  // The claim is read with the example; only a save without it reads it again, for the message.
  if (needsClaim && !(example.claimedById === access.userId && example.claimExpiresAt !== null && example.claimExpiresAt > new Date())) {
    await requireClaim(db, access, save.exampleId);
  }
  const checked = await documents.check(save.doc, readProjectSettings(example.settings));
  const { digest, ...head } = requireHead(save.exampleId, example.headId === null ? null : headOf(example));
  // A retried save whose first answer was lost arrives with the old base: the document
  // already is the head, so it is answered with the head, not refused as a conflict.
  if (await isHead(db, { id: head.id, digest }, checked)) {
    const answered = await db.revision.findUniqueOrThrow({ where: { id: head.id }, select: revisionSummarySelect });
    return { ...answered, text: checked.text };
  }
  if (head.id !== save.baseRevisionId) throw await conflictWithHead(db, save.exampleId);
  const role = PARTICIPATION_BY_STAGE[stage];
  const guidelineVersion = example.guidelineVersion === null ? null : Number(example.guidelineVersion);
  // Model-drafted when the base was, or when the saver accepted a model's draft (issue 9).
  const { takesIn, ...lineage } = Boolean(example.hasAcceptedDraft)
    ? await draftLineage(db, { exampleId: save.exampleId, userId: access.userId, base: head })
    : { takesIn: [], modelDrafted: head.modelDrafted, draftModel: head.draftModel };
  try {
    return await db.$transaction(async (tx) => {
      const revision = await insertRevision(tx, {
        exampleId: save.exampleId,
        number: head.number + 1,
        baseRevisionId: head.id,
        checked,
        authorId: access.userId,
        guidelineVersion,
        ...lineage,
      });
      await recordDraftsTakenIn(tx, takesIn, revision.id);
      // Else roll back: someone moved the head, the stage changed or the claim lapsed.
      const moved = await moveHead(tx, { exampleId: save.exampleId, headId: head.id, revisionId: revision.id, stage, claimedBy: needsClaim ? access.userId : null });
      if (!moved) {
        if (needsClaim) await requireClaim(tx, access, save.exampleId);
        const now = await tx.example.findUniqueOrThrow({ where: { id: save.exampleId }, select: { stage: true } });
        if (now.stage !== stage) throw new ConflictError(`This example moved to the ${now.stage} stage while you were saving; your text is kept in the editor. Reload the example.`);
        throw await conflictWithHead(tx, save.exampleId);
      }
      if (role && !Boolean(example.participates)) await recordParticipation(tx, save.exampleId, access.userId, role);
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
