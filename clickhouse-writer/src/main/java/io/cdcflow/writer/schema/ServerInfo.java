package io.cdcflow.writer.schema;

/**
 * What the ClickHouse server supports, from its version. Current servers get DateTime64 and Bool and a
 * ReplacingMergeTree that knows deleted rows; old ones (Debian's 18.16, which CI runs) get DateTime and UInt8.
 */
public record ServerInfo(int major, int minor, String version) {

    public static ServerInfo parse(String version) {
        String[] parts = version.trim().split("\\.");
        try {
            return new ServerInfo(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0, version.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unrecognised ClickHouse version '" + version + "'");
        }
    }

    private boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    public boolean hasDateTime64() {
        return atLeast(20, 1);
    }

    public boolean hasBool() {
        return atLeast(21, 12);
    }

    /** {@code ReplacingMergeTree(version, is_deleted)}: rows marked deleted vanish at merge time. */
    public boolean hasIsDeletedColumn() {
        return atLeast(23, 2);
    }

    public boolean hasAddColumnIfNotExists() {
        return atLeast(19, 1);
    }

    /** Date32 (1900 to 2299). */
    public boolean hasDate32() {
        return atLeast(21, 9);
    }

    /** Decimal256 and UInt128 without experimental settings. */
    public boolean hasWideNumbers() {
        return atLeast(21, 12);
    }

    /** LowCardinality without the experimental setting 18.x needs. */
    public boolean hasLowCardinality() {
        return atLeast(19, 9);
    }

    /** ALTER TABLE ... DELETE applied before the statement returns, with {@code mutations_sync}. */
    public boolean hasMutationsSync() {
        return atLeast(20, 1);
    }
}
