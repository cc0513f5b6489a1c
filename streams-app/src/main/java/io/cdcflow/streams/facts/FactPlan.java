package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.MetaColumns;
import io.cdcflow.common.schema.RowSchema;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One fact, planned: its root table (whose primary key is the fact's key), the foreign-key joins that reach the other
 * tables, the select list and the WHERE, typed against the source tables' schemas. Pure data; {@link FactRows}
 * computes rows from it and the topology runs its joins.
 *
 * @param columns    the output's columns with their types and NOT NULL, {@code *} expanded for the schemas planned with
 * @param key        the output columns that hold the root's primary key, in its order
 * @param rootKey    the root table's primary-key columns, in key order
 */
public record FactPlan(String name, Source root, List<Join> joins, List<Item> items, Expr where, List<Column> columns,
                       List<String> key, List<String> rootKey) {

    /** The table a fact is rooted at, under its alias. */
    public record Source(String alias, String table) {
    }

    /**
     * A join along a foreign key: the parent's {@code parentColumns} equal the joined table's primary key
     * {@code keyColumns} (both in key order), so each fact row finds at most one row of it.
     *
     * @param inner an INNER JOIN: without a row there, the fact row does not exist (it is emitted as deleted)
     */
    public record Join(String alias, String table, boolean inner, String parentAlias, List<String> parentColumns,
                       List<String> keyColumns) {
    }

    /** An entry of the select list. */
    public sealed interface Item {
    }

    /** {@code expression AS name}. */
    public record Output(String name, Expr expr) implements Item {
    }

    /** {@code alias.*} (or {@code *} of a view without joins): every column of that row, also columns added later. */
    public record AllOf(String alias) implements Item {
    }

    /** Every source table the fact reads. */
    public Set<String> tables() {
        Set<String> tables = new LinkedHashSet<>();
        tables.add(root.table());
        joins.forEach(j -> tables.add(j.table()));
        return tables;
    }

    /** The position of an alias's row among a fact row's joined rows: the root's 0, join {@code i}'s {@code i + 1}. */
    public int position(String alias) {
        if (root.alias().equals(alias)) {
            return 0;
        }
        for (int i = 0; i < joins.size(); i++) {
            if (joins.get(i).alias().equals(alias)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no alias " + alias + " in fact " + name);
    }

    /** The alias at a position among a fact row's joined rows ({@link #position}'s inverse). */
    public String alias(int position) {
        return position == 0 ? root.alias() : joins.get(position - 1).alias();
    }

    /** The table an alias names. */
    public String table(String alias) {
        int position = position(alias);
        return position == 0 ? root.table() : joins.get(position - 1).table();
    }

    /** The names of the version and delete flag beside this fact's columns in its records. */
    public MetaColumns meta() {
        return MetaColumns.avoiding(columns.stream().map(Column::name).toList());
    }

    /** The output's schema as of {@code lsn}. */
    public RowSchema schema(long lsn) {
        return RowSchema.fact(name, lsn, columns, key);
    }
}
