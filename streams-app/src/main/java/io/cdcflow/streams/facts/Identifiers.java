package io.cdcflow.streams.facts;

import java.util.Locale;

/** PostgreSQL's identifier rules: an unquoted name folds to lower case, a quoted one is kept exactly. */
final class Identifiers {
    private Identifiers() {
    }

    static String fold(String identifier) {
        if (identifier.length() >= 2 && identifier.startsWith("\"") && identifier.endsWith("\"")) {
            return identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
        }
        return identifier.toLowerCase(Locale.ROOT);
    }
}
