package io.cdcflow.common.ops;

/** Whether a deployable is ready to serve, and if not, why, in words an operator can act on. */
public record Health(boolean ready, String detail) {
    public static Health ready(String detail) {
        return new Health(true, detail);
    }

    public static Health notReady(String why) {
        return new Health(false, why);
    }
}
