package io.cdcflow.common.ops;

/** Error text for people: client libraries wrap the useful message (the server's own words) a few causes down. */
public final class Errors {
    private Errors() {
    }

    /** The message and every distinct cause message, outermost first: {@code "insert failed <- Connection refused"}. */
    public static String describe(Throwable error) {
        StringBuilder sb = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable c = error.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(" <- ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
