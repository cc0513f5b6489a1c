package io.cdcflow.streams.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The columns of a source table its store keeps: those the facts read from it (select list, WHERE, join keys, the
 * primary key), or all of them when a fact selects {@code alias.*} of it (which follows columns added later).
 * Changes to any other column are not work for anyone.
 *
 * @param columns the columns kept, or null for all
 */
public record Projection(Set<String> columns) {
    public static final Projection ALL = new Projection(null);

    public static Projection of(Set<String> columns) {
        return new Projection(Set.copyOf(columns));
    }

    public boolean keeps(String column) {
        return columns == null || columns.contains(column);
    }

    /** The kept columns of a change event's payload, in its order (the table's), as a new object. */
    public ObjectNode of(ObjectNode payload) {
        ObjectNode kept = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> column = it.next();
            if (keeps(column.getKey())) {
                kept.set(column.getKey(), column.getValue());
            }
        }
        return kept;
    }
}
