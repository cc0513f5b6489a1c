package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fact row computed from its joined rows, or why it could not be (kept with the joined rows for the dead-letter
 * topic).
 */
record ComputedFact(ObjectNode row, String error, JsonNode joined) {
    boolean failed() {
        return error != null;
    }
}
