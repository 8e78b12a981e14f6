-- AlterTable
ALTER TABLE "Revision" ADD COLUMN "guidelineVersion" INTEGER;

-- CreateTable
CREATE TABLE "Participation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "exampleId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Participation_exampleId_fkey" FOREIGN KEY ("exampleId") REFERENCES "Example" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Participation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Review" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "exampleId" TEXT NOT NULL,
    "revisionId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "verdict" TEXT,
    "submittedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Review_exampleId_fkey" FOREIGN KEY ("exampleId") REFERENCES "Example" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Review_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Flag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reviewId" TEXT NOT NULL,
    "exampleId" TEXT NOT NULL,
    "revisionId" TEXT NOT NULL,
    "start" INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "decision" TEXT,
    "decidedById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Flag_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "Review" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlagComment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "flagId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FlagComment_flagId_fkey" FOREIGN KEY ("flagId") REFERENCES "Flag" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "FlagComment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Example" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "stage" TEXT NOT NULL DEFAULT 'draft',
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "headRevisionId" TEXT,
    "claimedById" TEXT,
    "claimExpiresAt" DATETIME,
    "reviewRound" INTEGER NOT NULL DEFAULT 0,
    "reviewRevisionId" TEXT,
    CONSTRAINT "Example_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Example_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Example_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Example_headRevisionId_fkey" FOREIGN KEY ("headRevisionId") REFERENCES "Revision" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Example" ("createdAt", "createdById", "headRevisionId", "id", "projectId", "stage", "updatedAt") SELECT "createdAt", "createdById", "headRevisionId", "id", "projectId", "stage", "updatedAt" FROM "Example";
DROP TABLE "Example";
ALTER TABLE "new_Example" RENAME TO "Example";
CREATE UNIQUE INDEX "Example_headRevisionId_key" ON "Example"("headRevisionId");
CREATE INDEX "Example_projectId_stage_updatedAt_id_idx" ON "Example"("projectId", "stage", "updatedAt", "id");
CREATE INDEX "Example_projectId_updatedAt_id_idx" ON "Example"("projectId", "updatedAt", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Participation_userId_exampleId_idx" ON "Participation"("userId", "exampleId");

-- CreateIndex
CREATE UNIQUE INDEX "Participation_exampleId_userId_role_key" ON "Participation"("exampleId", "userId", "role");

-- CreateIndex
CREATE UNIQUE INDEX "Review_exampleId_round_reviewerId_key" ON "Review"("exampleId", "round", "reviewerId");

-- CreateIndex
CREATE INDEX "Flag_exampleId_idx" ON "Flag"("exampleId");

-- CreateIndex
CREATE INDEX "Flag_reviewId_idx" ON "Flag"("reviewId");

-- CreateIndex
CREATE INDEX "FlagComment_flagId_createdAt_idx" ON "FlagComment"("flagId", "createdAt");

