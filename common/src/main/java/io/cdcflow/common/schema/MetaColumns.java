package io.cdcflow.common.schema;

import java.util.Collection;

/**
 * The names of the pipeline's own fields beside a row's columns: the version and delete flag a fact record carries and
 * a ClickHouse table stores, and the ingestion time the table adds. They are {@code _version}, {@code _deleted} and
 * {@code _ingested_at}, each prefixed with {@code _} until it names no column of the row: a source column called
 * {@code _version} reaches ClickHouse as a column like any other, and the version goes by {@code __version}. The
 * streams-app and the writer derive them from the same columns, so they agree.
 */
public record MetaColumns(String version, String deleted, String ingestedAt) {
    public static final MetaColumns DEFAULT = new MetaColumns("_version", "_deleted", "_ingested_at");

    /** The names for a row with these columns. */
    public static MetaColumns avoiding(Collection<String> columns) {
        if (!columns.contains(DEFAULT.version) && !columns.contains(DEFAULT.deleted) && !columns.contains(DEFAULT.ingestedAt)) {
            return DEFAULT;
        }
        return new MetaColumns(free(DEFAULT.version, columns), free(DEFAULT.deleted, columns), free(DEFAULT.ingestedAt, columns));
    }

    /** Whether {@code name} is one of these. */
    public boolean contains(String name) {
        return version.equals(name) || deleted.equals(name) || ingestedAt.equals(name);
    }

    private static String free(String name, Collection<String> columns) {
        while (columns.contains(name)) {
            name = "_" + name;
        }
        return name;
    }
}
