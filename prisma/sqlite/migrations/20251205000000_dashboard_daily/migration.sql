-- The dashboard's per-day sums (issue 13), see apps/api/src/services/quality-summary.ts

-- CreateTable
CREATE TABLE "QualityDay" (
    "projectId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    PRIMARY KEY ("projectId", "kind", "day", "key")
);

-- CreateTable
CREATE TABLE "QualityRevision" (
    "revisionId" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "entries" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "QualityRefresh" (
    "revisionId" TEXT NOT NULL PRIMARY KEY,
    "exampleId" TEXT NOT NULL
);

-- Stage changes and imports in the audit log, summed as they are written, changed or deleted
-- (see quality-summary.ts): a stage change per day and person (actor, from, to, action, U+001F
-- between them), the same per month, and per day without the person (from, to, action, whether
-- a person did it), and an import per day by the stage it imported into, counted by its examples.
CREATE VIEW "QualityAuditCell" AS
SELECT "id", "projectId", substr("createdAt", 1, 10) AS "day", 'example.stage' AS "kind", coalesce("actorId", '') || char(31) || coalesce("from", '') || char(31) || coalesce("to", '') || char(31) || coalesce(json_extract("data", '$.action'), '') AS "key", 1 AS "n"
FROM "AuditEvent" WHERE "projectId" IS NOT NULL AND "action" = 'example.stage'
UNION ALL
SELECT "id", "projectId", substr("createdAt", 1, 8) || '01', 'example.stage/month', coalesce("actorId", '') || char(31) || coalesce("from", '') || char(31) || coalesce("to", '') || char(31) || coalesce(json_extract("data", '$.action'), ''), 1
FROM "AuditEvent" WHERE "projectId" IS NOT NULL AND "action" = 'example.stage'
UNION ALL
SELECT "id", "projectId", substr("createdAt", 1, 10), 'flow', coalesce("from", '') || char(31) || coalesce("to", '') || char(31) || coalesce(json_extract("data", '$.action'), '') || char(31) || CASE WHEN "actorId" IS NULL THEN '0' ELSE '1' END, 1
FROM "AuditEvent" WHERE "projectId" IS NOT NULL AND "action" = 'example.stage'
UNION ALL
SELECT "id", "projectId", substr("createdAt", 1, 10), 'example.import', coalesce("to", ''),
  CASE WHEN json_type("data", '$.imported') IN ('integer', 'real') THEN CAST(json_extract("data", '$.imported') AS INTEGER) ELSE 0 END
FROM "AuditEvent" WHERE "projectId" IS NOT NULL AND "action" = 'example.import';

INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n")
SELECT "projectId", "day", "kind", "key", SUM("n") FROM "QualityAuditCell" GROUP BY 1, 2, 3, 4;

CREATE TRIGGER "QualityDay_audit_insert" AFTER INSERT ON "AuditEvent"
WHEN NEW."projectId" IS NOT NULL AND NEW."action" IN ('example.stage', 'example.import')
BEGIN
  INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n")
  SELECT "projectId", "day", "kind", "key", "n" FROM "QualityAuditCell" WHERE "id" = NEW."id"
  ON CONFLICT ("projectId", "kind", "day", "key") DO UPDATE SET "n" = "n" + excluded."n";
END;

-- A row's cells are taken out before it is deleted or changed, while the view still shows it.
CREATE TRIGGER "QualityDay_audit_delete" BEFORE DELETE ON "AuditEvent"
WHEN OLD."projectId" IS NOT NULL AND OLD."action" IN ('example.stage', 'example.import')
BEGIN
  INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n")
  SELECT "projectId", "day", "kind", "key", -"n" FROM "QualityAuditCell" WHERE "id" = OLD."id"
  ON CONFLICT ("projectId", "kind", "day", "key") DO UPDATE SET "n" = "n" + excluded."n";
END;

CREATE TRIGGER "QualityDay_audit_update_old" BEFORE UPDATE ON "AuditEvent"
WHEN OLD."projectId" IS NOT NULL AND OLD."action" IN ('example.stage', 'example.import')
BEGIN
  INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n")
  SELECT "projectId", "day", "kind", "key", -"n" FROM "QualityAuditCell" WHERE "id" = OLD."id"
  ON CONFLICT ("projectId", "kind", "day", "key") DO UPDATE SET "n" = "n" + excluded."n";
END;

CREATE TRIGGER "QualityDay_audit_update_new" AFTER UPDATE ON "AuditEvent"
WHEN NEW."projectId" IS NOT NULL AND NEW."action" IN ('example.stage', 'example.import')
BEGIN
  INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n")
  SELECT "projectId", "day", "kind", "key", "n" FROM "QualityAuditCell" WHERE "id" = NEW."id"
  ON CONFLICT ("projectId", "kind", "day", "key") DO UPDATE SET "n" = "n" + excluded."n";
END;

-- Every revision with reviews or grader reports is summed once, by the next dashboard read.
INSERT INTO "QualityRefresh" ("revisionId", "exampleId")
SELECT "revisionId", MIN("exampleId") FROM (SELECT "revisionId", "exampleId" FROM "Review" UNION SELECT "revisionId", "exampleId" FROM "GraderReport") GROUP BY 1;

CREATE TRIGGER "QualityRefresh_review_insert" AFTER INSERT ON "Review"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_review_update" AFTER UPDATE ON "Review"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId"), (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_review_delete" AFTER DELETE ON "Review"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_flag_insert" AFTER INSERT ON "Flag"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_flag_update" AFTER UPDATE ON "Flag"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId"), (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_flag_delete" AFTER DELETE ON "Flag"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_grader_insert" AFTER INSERT ON "GraderReport"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_grader_update" AFTER UPDATE ON "GraderReport"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId"), (NEW."revisionId", NEW."exampleId") ON CONFLICT DO NOTHING; END;
CREATE TRIGGER "QualityRefresh_grader_delete" AFTER DELETE ON "GraderReport"
BEGIN INSERT INTO "QualityRefresh" ("revisionId", "exampleId") VALUES (OLD."revisionId", OLD."exampleId") ON CONFLICT DO NOTHING; END;

-- CreateTable
CREATE TABLE "QualityStage" (
    "projectId" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    PRIMARY KEY ("projectId", "stage")
);

-- Examples per stage now, counted as examples are written, moved and deleted.
INSERT INTO "QualityStage" ("projectId", "stage", "n")
SELECT "projectId", "stage", COUNT(*) FROM "Example" GROUP BY 1, 2;

CREATE TRIGGER "QualityStage_insert" AFTER INSERT ON "Example"
BEGIN
  INSERT INTO "QualityStage" ("projectId", "stage", "n") VALUES (NEW."projectId", NEW."stage", 1)
  ON CONFLICT ("projectId", "stage") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "QualityStage_update" AFTER UPDATE OF "stage", "projectId" ON "Example"
WHEN OLD."stage" IS NOT NEW."stage" OR OLD."projectId" IS NOT NEW."projectId"
BEGIN
  UPDATE "QualityStage" SET "n" = "n" - 1 WHERE "projectId" = OLD."projectId" AND "stage" = OLD."stage";
  INSERT INTO "QualityStage" ("projectId", "stage", "n") VALUES (NEW."projectId", NEW."stage", 1)
  ON CONFLICT ("projectId", "stage") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "QualityStage_delete" AFTER DELETE ON "Example"
BEGIN
  UPDATE "QualityStage" SET "n" = "n" - 1 WHERE "projectId" = OLD."projectId" AND "stage" = OLD."stage";
END;
