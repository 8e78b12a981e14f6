-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowEndsAt" BIGINT NOT NULL DEFAULT 0,
    "checking" INTEGER NOT NULL DEFAULT 0,
    "checkingUntil" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);
