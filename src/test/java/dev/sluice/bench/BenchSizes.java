package dev.sluice.bench;

import java.util.Locale;

/**
 * How big each scenario is in a mode: {@code smoke} (the test: every path, tiny), {@code quick}
 * (~2 minutes), {@code full} (the sizes, under ~15 minutes).
 */
record BenchSizes(String mode, int s1Records, int s1Accounts, int s2Records, int s2NaiveRecords, int s2Accounts,
        int s3Records, int s4Backlog, int s4SmallBacklog, long s4WindowMillis, int s5Records, int warmupRecords) {

    static BenchSizes of(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "smoke" -> new BenchSizes("smoke", 2_000, 500, 1_000, 100, 1_000, 2_000, 3_000, 1_000, 3_000, 2_000, 0);
            case "quick" -> new BenchSizes("quick", 200_000, 100_000, 40_000, 1_000, 10_000, 200_000, 500_000, 20_000, 8_000, 40_000, 100_000);
            case "full" -> new BenchSizes("full", 1_000_000, 100_000, 150_000, 4_000, 10_000, 500_000, 5_000_000, 100_000, 30_000, 100_000, 200_000);
            default -> throw new IllegalArgumentException("bench.mode must be smoke, quick or full, was " + mode);
        };
    }
}
