package io.cdcflow.wal.types;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The types the mapper knows by OID: the built-in ones PostgreSQL's OIDs fix forever, plus whatever was loaded from
 * {@code pg_type} (enums, domains, arrays of them), which the replication loop refreshes when pgoutput announces a
 * type it has not seen.
 */
public final class PgTypeRegistry {
    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    public static final int CHAR = 18;
    public static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT2 = 21;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    public static final int OID = 26;
    public static final int JSON = 114;
    public static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    public static final int BPCHAR = 1042;
    public static final int VARCHAR = 1043;
    public static final int DATE = 1082;
    public static final int TIME = 1083;
    public static final int TIMESTAMP = 1114;
    public static final int TIMESTAMPTZ = 1184;
    public static final int INTERVAL = 1186;
    public static final int TIMETZ = 1266;
    public static final int NUMERIC = 1700;
    public static final int UUID = 2950;
    public static final int JSONB = 3802;

    private final Map<Integer, PgType> types = new ConcurrentHashMap<>();

    public PgTypeRegistry() {
        scalar(BOOL, "bool", 'B', 1000);
        scalar(BYTEA, "bytea", 'U', 1001);
        scalar(CHAR, "char", 'S', 1002);
        scalar(NAME, "name", 'S', 1003);
        scalar(INT8, "int8", 'N', 1016);
        scalar(INT2, "int2", 'N', 1005);
        scalar(INT4, "int4", 'N', 1007);
        scalar(TEXT, "text", 'S', 1009);
        scalar(OID, "oid", 'N', 1028);
        scalar(JSON, "json", 'U', 199);
        scalar(FLOAT4, "float4", 'N', 1021);
        scalar(FLOAT8, "float8", 'N', 1022);
        scalar(BPCHAR, "bpchar", 'S', 1014);
        scalar(VARCHAR, "varchar", 'S', 1015);
        scalar(DATE, "date", 'D', 1182);
        scalar(TIME, "time", 'D', 1183);
        scalar(TIMESTAMP, "timestamp", 'D', 1115);
        scalar(TIMESTAMPTZ, "timestamptz", 'D', 1185);
        scalar(INTERVAL, "interval", 'T', 1187);
        scalar(TIMETZ, "timetz", 'D', 1270);
        scalar(NUMERIC, "numeric", 'N', 1231);
        scalar(UUID, "uuid", 'U', 2951);
        scalar(JSONB, "jsonb", 'U', 3807);
    }

    private void scalar(int oid, String name, char category, int arrayOid) {
        types.put(oid, new PgType(oid, name, category, 0, 0));
        types.put(arrayOid, new PgType(arrayOid, "_" + name, 'A', oid, 0));
    }

    public void register(PgType type) {
        types.put(type.oid(), type);
    }

    public boolean knows(int oid) {
        return types.containsKey(oid);
    }

    /** The type, or null when unknown (the value is then published as its text). */
    public PgType get(int oid) {
        return types.get(oid);
    }
}
