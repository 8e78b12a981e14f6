-- Model assistance (issue 9): the model that drafted a revision, a grader's verdict,
-- each project's model endpoint and graders, and drafts offered to commentators.

-- AlterTable
ALTER TABLE "GraderReport" ADD COLUMN "verdict" TEXT;

-- AlterTable
ALTER TABLE "Revision" ADD COLUMN "draftModel" TEXT;

-- CreateTable
CREATE TABLE "ModelConnection" (
    "projectId" TEXT NOT NULL PRIMARY KEY,
    "baseUrl" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "apiKey" TEXT,
    "graders" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ModelDraft" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "exampleId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "markId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acceptedAt" DATETIME,
    "revisionId" TEXT
);

-- CreateIndex
CREATE INDEX "ModelDraft_exampleId_userId_idx" ON "ModelDraft"("exampleId", "userId");
