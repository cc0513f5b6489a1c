package io.cdcflow.testsupport;

import io.cdcflow.common.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * README's table of a deployable's settings (the first table under {@code ### <deployable>}) against the settings its
 * code declares. A test fails on any difference and says how to bring README up to date: run it again with
 * {@code -Dreadme.update=true}, which writes the declared table into README in place of the old one.
 */
public final class ReadmeSettings {
    private static final Path README = Path.of("..", "README.md");

    private ReadmeSettings() {
    }

    /** The difference between README's table and {@code settings}' own, or null when they agree (README updated if asked). */
    public static String drift(Settings settings) {
        String readme;
        try {
            readme = Files.readString(README);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] span = table(readme, settings.deployable());
        String written = readme.substring(span[0], span[1]);
        String declared = settings.markdownTable();
        if (written.equals(declared)) {
            return null;
        }
        if (Boolean.getBoolean("readme.update")) {
            try {
                Files.writeString(README, readme.substring(0, span[0]) + declared + readme.substring(span[1]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        }
        return "README's table of " + settings.deployable() + " settings differs from the settings its code declares "
                + "(run this test with -Dreadme.update=true to write the declared table into README):\n"
                + firstDifference(written, declared);
    }

    /** Where the first table under {@code ### <deployable>} starts and ends. */
    static int[] table(String readme, String deployable) {
        int section = readme.indexOf("\n### " + deployable + "\n");
        if (section < 0) {
            throw new IllegalStateException("README has no section '### " + deployable + "'");
        }
        int start = readme.indexOf("\n|", section) + 1;
        int end = start;
        while (end < readme.length() && readme.charAt(end) == '|') {
            end = readme.indexOf('\n', end) + 1;
        }
        return new int[] {start, end};
    }

    private static String firstDifference(String written, String declared) {
        String[] a = written.split("\n", -1);
        String[] b = declared.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String left = i < a.length ? a[i] : "(nothing)";
            String right = i < b.length ? b[i] : "(nothing)";
            if (!left.equals(right)) {
                return "README:   " + left + "\ndeclared: " + right;
            }
        }
        return "";
    }
}
