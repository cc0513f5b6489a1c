package io.cdcflow.streams.facts;

/** A facts file that cannot be run: the message names the file, the view, the construct and its line. */
public final class FactsException extends RuntimeException {
    public FactsException(String message) {
        super(message);
    }
}
