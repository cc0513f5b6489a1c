package io.cdcflow.common.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every setting of one deployable, in README's order: what its configuration reads, what README's table shows, and
 * what a variable that looks like one of its settings but is none (a typo) is compared with.
 *
 * @param deployable the deployable's name, as README's section names it ({@code ### wal-producer})
 * @param prefixes   the prefixes of variables that belong to it: one of these that no setting covers is a mistake
 * @param all        the settings, in README's order
 */
public record Settings(String deployable, List<String> prefixes, List<Setting<?>> all) {

    public Settings {
        prefixes = List.copyOf(prefixes);
        all = List.copyOf(all);
    }

    /** The settings of a deployable from groups of them (a shared module's, the deployable's own), in order. */
    @SafeVarargs
    public static Settings of(String deployable, List<String> prefixes, List<? extends Setting<?>>... groups) {
        List<Setting<?>> all = new ArrayList<>();
        for (List<? extends Setting<?>> group : groups) {
            all.addAll(group);
        }
        return new Settings(deployable, prefixes, all);
    }

    /** README's table: one row per setting, its names, its default and its meaning. */
    public String markdownTable() {
        StringBuilder table = new StringBuilder("| variable | default | meaning |\n|---|---|---|\n");
        for (Setting<?> setting : all) {
            table.append("| ").append(String.join(" or ", setting.names().stream().map(n -> "`" + n + "`").toList()))
                    .append(" | ").append(setting.shownDefault())
                    .append(" | ").append(setting.meaning()).append(" |\n");
        }
        return table.toString();
    }

    /** What {@code --help} prints: each setting, its default and its meaning, as plain text wrapped at 100 columns. */
    public String help() {
        StringBuilder text = new StringBuilder(deployable + ": every setting is an environment variable (README, Configuration)\n");
        for (Setting<?> setting : all) {
            text.append('\n').append(String.join(" or ", setting.names())).append("  (default: ")
                    .append(plain(setting.shownDefault()).replace("—", "none")).append(")\n");
            StringBuilder line = new StringBuilder("    ");
            for (String word : plain(setting.meaning()).split(" ")) {
                if (line.length() + word.length() > 100 && line.length() > 4) {
                    text.append(line.toString().stripTrailing()).append('\n');
                    line = new StringBuilder("    ");
                }
                line.append(word).append(' ');
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    /** Markdown as plain text: code spans without their backticks, links as their text. */
    private static String plain(String markdown) {
        return markdown.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").replace("`", "");
    }

    /** Whether {@code variable} is one of these settings (a name, an older name, or under a prefix such as {@code KAFKA_*}). */
    public boolean declares(String variable) {
        return all.stream().anyMatch(s -> s.covers(variable));
    }

    /**
     * Variables of {@code env} that start with one of {@link #prefixes} but are no setting, each with the setting whose
     * name is closest: {@code POSTGRES_CDC_TABLE is not a setting of the wal-producer (POSTGRES_CDC_TABLES?)}.
     */
    public List<String> unknown(Env env) {
        List<String> messages = new ArrayList<>();
        for (String variable : env.names()) {
            if (prefixes.stream().anyMatch(variable::startsWith) && !declares(variable)) {
                String closest = all.stream().flatMap(s -> s.names().stream()).filter(n -> !n.endsWith("*"))
                        .min(Comparator.comparingInt(n -> distance(n, variable))).orElse(null);
                messages.add(variable + " is not a setting of the " + deployable
                        + (closest != null && distance(closest, variable) <= 3 ? " (did you mean " + closest + "?)" : "")
                        + ": it is ignored");
            }
        }
        return messages;
    }

    /** Levenshtein's edit distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
