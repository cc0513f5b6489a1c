package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.RowSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas of the facts, derived by planning each view again against the newest schemas of its source tables:
 * a table that gained a column gives {@code alias.*} that column, a changed column type changes the fact's column.
 * Pure apart from logging a view that no longer plans.
 */
public final class FactSchemas {
    private static final Logger LOG = LoggerFactory.getLogger(FactSchemas.class);

    private final FactsFile file;
    private final String schema;

    /** @param schema the PostgreSQL schema of the source tables */
    public FactSchemas(FactsFile file, String schema) {
        this.file = file;
        this.schema = schema;
    }

    /** The source tables each output is derived from. */
    public Map<String, List<String>> inputs() {
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        file.views().forEach(v -> inputs.put(v.name(), new ArrayList<>(v.tables())));
        return inputs;
    }

    /** The subject of a source table in the schema topic. */
    public String subject(String table) {
        return schema + "." + table;
    }

    /**
     * The output's schema from the newest schema of each of its source tables, or null when one is unknown or the
     * view no longer plans against them (logged).
     *
     * @param sources the newest schema of a source table, or null
     */
    public RowSchema derive(String output, Function<String, RowSchema> sources) {
        FactsFile.View view = file.views().stream().filter(v -> v.name().equals(output)).findFirst().orElse(null);
        if (view == null) {
            return null;
        }
        long lsn = 0;
        for (String table : view.tables()) {
            RowSchema source = sources.apply(table);
            if (source == null) {
                return null;
            }
            lsn = Long.compareUnsigned(source.lsn(), lsn) > 0 ? source.lsn() : lsn;
        }
        try {
            return new FactPlanner(schema, sources).plan(view).schema(lsn);
        } catch (FactsException e) {
            LOG.error("the schema of {} cannot be derived from its source tables' newest schemas: {}", output, e.getMessage());
            return null;
        }
    }
}
