package io.cdcflow.common.schema;

import java.util.List;

/** PostgreSQL's built-in types as {@link SqlType}s, by their fixed OIDs: for derived schemas and for tests. */
public final class SqlTypes {
    public static final SqlType INT2 = new SqlType(21, "int2", "smallint", -1, null, null, null);
    public static final SqlType INT4 = new SqlType(23, "int4", "integer", -1, null, null, null);
    public static final SqlType INT8 = new SqlType(20, "int8", "bigint", -1, null, null, null);
    public static final SqlType TEXT = new SqlType(25, "text", "text", -1, null, null, null);
    public static final SqlType BOOL = new SqlType(16, "bool", "boolean", -1, null, null, null);
    public static final SqlType FLOAT4 = new SqlType(700, "float4", "real", -1, null, null, null);
    public static final SqlType FLOAT8 = new SqlType(701, "float8", "double precision", -1, null, null, null);
    public static final SqlType NUMERIC = new SqlType(1700, "numeric", "numeric", -1, null, null, null);
    public static final SqlType DATE = new SqlType(1082, "date", "date", -1, null, null, null);
    public static final SqlType TIMESTAMP = new SqlType(1114, "timestamp", "timestamp without time zone", -1, null, null, null);
    public static final SqlType TIMESTAMPTZ = new SqlType(1184, "timestamptz", "timestamp with time zone", -1, null, null, null);
    public static final SqlType UUID = new SqlType(2950, "uuid", "uuid", -1, null, null, null);
    public static final SqlType BYTEA = new SqlType(17, "bytea", "bytea", -1, null, null, null);
    public static final SqlType JSONB = new SqlType(3802, "jsonb", "jsonb", -1, null, null, null);

    private SqlTypes() {
    }

    public static SqlType numeric(int precision, int scale) {
        return new SqlType(1700, "numeric", "numeric(" + precision + "," + scale + ")", ((precision << 16) | (scale & 0x7FF)) + 4,
                null, null, null);
    }

    public static SqlType varchar(int length) {
        return new SqlType(1043, "varchar", "character varying(" + length + ")", length + 4, null, null, null);
    }

    public static SqlType arrayOf(SqlType element, int arrayOid) {
        return new SqlType(arrayOid, "_" + element.name(), element.display() + "[]", element.typmod(), element, null, null);
    }

    public static SqlType enumOf(int oid, String name, List<String> labels) {
        return new SqlType(oid, name, name, -1, null, null, labels);
    }

    public static SqlType domainOf(int oid, String name, SqlType base) {
        return new SqlType(oid, name, name, -1, null, base, null);
    }
}
