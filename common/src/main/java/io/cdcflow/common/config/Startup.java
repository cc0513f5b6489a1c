package io.cdcflow.common.config;

import java.util.function.Function;

/** The first step of every deployable's main: read the configuration, or say what is wrong and exit 2. */
public final class Startup {
    private Startup() {
    }

    public static <T> T configOrExit(String deployable, Function<Env, T> parse) {
        try {
            return parse.apply(Env.system());
        } catch (ConfigException e) {
            System.err.println(deployable + ": configuration error: " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }
}
