-- The dashboard's per-day sums (issue 13), see apps/api/src/services/quality-summary.ts

-- CreateTable
CREATE TABLE "QualityDay" (
    "projectId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "QualityDay_pkey" PRIMARY KEY ("projectId","kind","day","key")
);

-- CreateTable
CREATE TABLE "QualityRevision" (
    "revisionId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "entries" TEXT NOT NULL,

    CONSTRAINT "QualityRevision_pkey" PRIMARY KEY ("revisionId")
);

-- CreateTable
CREATE TABLE "QualityRefresh" (
    "revisionId" TEXT NOT NULL,
    "exampleId" TEXT NOT NULL,

    CONSTRAINT "QualityRefresh_pkey" PRIMARY KEY ("revisionId")
);

-- Stage changes and imports in the audit log, summed as they are written, changed or deleted
-- (see quality-summary.ts): a stage change per day and person (actor, from, to, action, U+001F
-- between them), the same per month, and per day without the person (from, to, action, whether
-- a person did it), and an import per day by the stage it imported into, counted by its examples.
CREATE FUNCTION "quality_audit_cell"(event "AuditEvent", sign INTEGER) RETURNS VOID LANGUAGE SQL AS $$
  INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n")
  SELECT event."projectId", cell."day", cell."kind", cell."key", sign * cell."n"
  FROM (VALUES
    (to_char(event."createdAt", 'YYYY-MM-DD'), 'example.stage', coalesce(event."actorId", '') || chr(31) || coalesce(event."from", '') || chr(31) || coalesce(event."to", '') || chr(31) || coalesce(event."data" ->> 'action', ''), 1),
    (to_char(event."createdAt", 'YYYY-MM-01'), 'example.stage/month', coalesce(event."actorId", '') || chr(31) || coalesce(event."from", '') || chr(31) || coalesce(event."to", '') || chr(31) || coalesce(event."data" ->> 'action', ''), 1),
    (to_char(event."createdAt", 'YYYY-MM-DD'), 'flow', coalesce(event."from", '') || chr(31) || coalesce(event."to", '') || chr(31) || coalesce(event."data" ->> 'action', '') || chr(31) || CASE WHEN event."actorId" IS NULL THEN '0' ELSE '1' END, 1)
  ) AS cell("day", "kind", "key", "n")
  WHERE event."projectId" IS NOT NULL AND event."action" = 'example.stage'
  UNION ALL
  SELECT event."projectId", to_char(event."createdAt", 'YYYY-MM-DD'), 'example.import', coalesce(event."to", ''),
    sign * CASE WHEN jsonb_typeof(event."data" -> 'imported') = 'number' THEN (event."data" ->> 'imported')::numeric::integer ELSE 0 END
  WHERE event."projectId" IS NOT NULL AND event."action" = 'example.import'
  ON CONFLICT ("projectId", "kind", "day", "key") DO UPDATE SET "n" = "QualityDay"."n" + excluded."n"
$$;

SELECT "quality_audit_cell"(a, 1) FROM "AuditEvent" a WHERE a."projectId" IS NOT NULL AND a."action" IN ('example.stage', 'example.import');

-- Prisma's PostgreSQL adapter splits a migration at every semicolon, so the trigger functions'
-- bodies are escape strings that spell each semicolon as \073.
CREATE FUNCTION "quality_audit_trigger"() RETURNS TRIGGER LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP IN (''UPDATE'', ''DELETE'') THEN PERFORM "quality_audit_cell"(OLD, -1)\073 END IF\073
  IF TG_OP IN (''INSERT'', ''UPDATE'') THEN PERFORM "quality_audit_cell"(NEW, 1)\073 END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "QualityDay_audit" AFTER INSERT OR UPDATE OR DELETE ON "AuditEvent"
FOR EACH ROW EXECUTE FUNCTION "quality_audit_trigger"();

-- Every revision with reviews or grader reports is summed once, by the next dashboard read.
INSERT INTO "QualityRefresh" ("revisionId", "exampleId")
SELECT "revisionId", MIN("exampleId") FROM (SELECT "revisionId", "exampleId" FROM "Review" UNION SELECT "revisionId", "exampleId" FROM "GraderReport") AS touched GROUP BY 1;

CREATE FUNCTION "quality_refresh_trigger"() RETURNS TRIGGER LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP IN (''UPDATE'', ''DELETE'') THEN
    INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId") ON CONFLICT DO NOTHING\073
  END IF\073
  IF TG_OP IN (''INSERT'', ''UPDATE'') THEN
    INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "QualityRefresh_review" AFTER INSERT OR UPDATE OR DELETE ON "Review"
FOR EACH ROW EXECUTE FUNCTION "quality_refresh_trigger"();
CREATE TRIGGER "QualityRefresh_flag" AFTER INSERT OR UPDATE OR DELETE ON "Flag"
FOR EACH ROW EXECUTE FUNCTION "quality_refresh_trigger"();
CREATE TRIGGER "QualityRefresh_grader" AFTER INSERT OR UPDATE OR DELETE ON "GraderReport"
FOR EACH ROW EXECUTE FUNCTION "quality_refresh_trigger"();

-- CreateTable
CREATE TABLE "QualityStage" (
    "projectId" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "QualityStage_pkey" PRIMARY KEY ("projectId","stage")
);

-- Examples per stage now, counted as examples are written, moved and deleted: once per
-- statement (from its transition tables), so that an import's final UPDATE of a hundred
-- thousand examples adds to each count once instead of a hundred thousand times.
INSERT INTO "QualityStage" ("projectId", "stage", "n")
SELECT "projectId", "stage", COUNT(*) FROM "Example" GROUP BY 1, 2;

CREATE FUNCTION "quality_stage_trigger"() RETURNS TRIGGER LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO "QualityStage" ("projectId", "stage", "n")
    SELECT "projectId", "stage", COUNT(*) FROM new_rows GROUP BY 1, 2
    ON CONFLICT ("projectId", "stage") DO UPDATE SET "n" = "QualityStage"."n" + excluded."n"\073
  ELSIF TG_OP = ''DELETE'' THEN
    INSERT INTO "QualityStage" ("projectId", "stage", "n")
    SELECT "projectId", "stage", -COUNT(*) FROM old_rows GROUP BY 1, 2
    ON CONFLICT ("projectId", "stage") DO UPDATE SET "n" = "QualityStage"."n" + excluded."n"\073
  ELSE
    INSERT INTO "QualityStage" ("projectId", "stage", "n")
    SELECT "projectId", "stage", SUM("moved") FROM (
      SELECT "projectId", "stage", -1 AS "moved" FROM old_rows UNION ALL SELECT "projectId", "stage", 1 FROM new_rows
    ) AS "changes" GROUP BY 1, 2 HAVING SUM("moved") <> 0
    ON CONFLICT ("projectId", "stage") DO UPDATE SET "n" = "QualityStage"."n" + excluded."n"\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "QualityStage_insert" AFTER INSERT ON "Example"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "quality_stage_trigger"();
CREATE TRIGGER "QualityStage_update" AFTER UPDATE ON "Example"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "quality_stage_trigger"();
CREATE TRIGGER "QualityStage_delete" AFTER DELETE ON "Example"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "quality_stage_trigger"();
