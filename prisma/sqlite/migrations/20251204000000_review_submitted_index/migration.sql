-- CreateIndex
CREATE INDEX "Review_submittedAt_idx" ON "Review"("submittedAt");
