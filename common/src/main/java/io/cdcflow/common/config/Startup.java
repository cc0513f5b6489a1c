package io.cdcflow.common.config;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** How a deployable's main starts and stops: configuration or exit 2; its loop until SIGTERM, then a clean stop. */
public final class Startup {
    private Startup() {
    }

    /**
     * The configuration, or exit 2 with the error; a variable that looks like a setting of the deployable but is none
     * (a typo) is warned about first. {@code --help} prints the settings and exits; any other argument is an error.
     */
    public static <T> T configOrExit(Settings settings, String[] args, Function<Env, T> parse) {
        if (args.length > 0) {
            helpOrExit(settings, args, "");
        }
        Env env = Env.system();
        settings.unknown(env).forEach(warning -> System.err.println(settings.deployable() + ": WARNING: " + warning));
        try {
            return parse.apply(env);
        } catch (ConfigException e) {
            System.err.println(settings.deployable() + ": configuration error: " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /**
     * For {@code --help} or {@code -h}, prints the settings and exits 0; else prints the usage ({@code options}: the
     * deployable's own) and exits 2.
     */
    public static void helpOrExit(Settings settings, String[] args, String options) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(settings.help());
            System.exit(0);
        }
        System.err.println("usage: java -jar " + settings.deployable() + ".jar [--help]" + options
                + "  (configured by environment variables: --help lists them)");
        System.exit(2);
    }

    /** A deployable's main loop: returns when stopped. */
    public interface Loop {
        void run() throws Exception;
    }

    /**
     * Runs {@code loop} on this thread. On SIGTERM, {@code stop} asks the loop to end, the loop gets {@code grace} to
     * finish its work (flush, confirm, commit), and then {@code afterwards} are closed in order.
     */
    public static void runUntilShutdown(Loop loop, Runnable stop, Duration grace, AutoCloseable... afterwards) throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (AutoCloseable resource : afterwards) {
                try {
                    resource.close();
                } catch (Exception ignored) {
                    // the process is exiting
                }
            }
        }, "shutdown"));
        try {
            loop.run();
        } finally {
            finished.countDown();
        }
    }
}
