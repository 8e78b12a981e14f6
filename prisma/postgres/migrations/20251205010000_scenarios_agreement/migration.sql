-- AlterTable
ALTER TABLE "Example" ADD COLUMN     "agreement" DOUBLE PRECISION;

-- CreateIndex
CREATE INDEX "Example_projectId_stage_agreement_updatedAt_idx" ON "Example"("projectId", "stage", "agreement", "updatedAt");

-- CreateIndex
CREATE INDEX "Example_projectId_stage_scenarioId_idx" ON "Example"("projectId", "stage", "scenarioId");
