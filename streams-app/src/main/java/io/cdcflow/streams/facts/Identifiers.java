package io.cdcflow.streams.facts;

/** PostgreSQL's identifier rules: an unquoted name folds to lower case, a quoted one is kept exactly. */
final class Identifiers {
    private Identifiers() {
    }

    static String fold(String identifier) {
        return io.cdcflow.common.facts.FactQueries.fold(identifier);
    }
}
