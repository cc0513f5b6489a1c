package io.cdcflow.streams.topology;

import io.cdcflow.streams.facts.FactRow;
import io.cdcflow.streams.model.JoinedRows;

/**
 * A fact row computed from its joined rows, or why it could not be (kept with the joined rows for the dead-letter
 * topic).
 */
record ComputedFact(FactRow row, String error, JoinedRows joined) {
    boolean failed() {
        return error != null;
    }
}
