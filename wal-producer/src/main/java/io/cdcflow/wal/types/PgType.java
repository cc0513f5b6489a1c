package io.cdcflow.wal.types;

/**
 * What the value mapper needs to know of a PostgreSQL type, from {@code pg_type}.
 *
 * @param category {@code typcategory}: 'A' array, 'E' enum, 'N' numeric, 'B' boolean, ...
 * @param elementOid for an array, the element type; else 0
 * @param baseOid    for a domain, the underlying type; else 0
 */
public record PgType(int oid, String name, char category, int elementOid, int baseOid) {
}
