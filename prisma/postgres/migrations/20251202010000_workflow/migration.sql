-- DropIndex
DROP INDEX "Example_projectId_stage_idx";

-- DropIndex
DROP INDEX "Example_projectId_updatedAt_idx";

-- AlterTable
ALTER TABLE "Example" ADD COLUMN     "claimExpiresAt" TIMESTAMP(3),
ADD COLUMN     "claimedById" TEXT,
ADD COLUMN     "reviewRevisionId" TEXT,
ADD COLUMN     "reviewRound" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Revision" ADD COLUMN     "guidelineVersion" INTEGER;

-- CreateTable
CREATE TABLE "Participation" (
    "id" TEXT NOT NULL,
    "exampleId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Participation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" TEXT NOT NULL,
    "exampleId" TEXT NOT NULL,
    "revisionId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "verdict" TEXT,
    "submittedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Flag" (
    "id" TEXT NOT NULL,
    "reviewId" TEXT NOT NULL,
    "exampleId" TEXT NOT NULL,
    "revisionId" TEXT NOT NULL,
    "start" INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "decision" TEXT,
    "decidedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Flag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlagComment" (
    "id" TEXT NOT NULL,
    "flagId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FlagComment_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Example_projectId_stage_updatedAt_id_idx" ON "Example"("projectId", "stage", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "Example_projectId_updatedAt_id_idx" ON "Example"("projectId", "updatedAt", "id");

-- AddForeignKey
ALTER TABLE "Example" ADD CONSTRAINT "Example_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participation" ADD CONSTRAINT "Participation_exampleId_fkey" FOREIGN KEY ("exampleId") REFERENCES "Example"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participation" ADD CONSTRAINT "Participation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_exampleId_fkey" FOREIGN KEY ("exampleId") REFERENCES "Example"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "Review"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlagComment" ADD CONSTRAINT "FlagComment_flagId_fkey" FOREIGN KEY ("flagId") REFERENCES "Flag"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlagComment" ADD CONSTRAINT "FlagComment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

