package io.cdcflow.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One environment variable of a deployable, declared once: its name (and the names it also answers to), its default,
 * how its value is parsed and checked, and what it means. The configuration reads it with {@link #from(Env)};
 * README's table of the deployable's settings is rendered from the same declaration ({@link Settings#markdownTable()})
 * and a test compares the two, as Debezium's {@code Field} does for its connectors.
 *
 * @param <T> the parsed value
 */
public final class Setting<T> {
    /** Parses the variable {@code name} (the one that is set, or the main name) with {@code fallback} as its default. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Env env, String name, T fallback);
    }

    private final List<String> names;
    private final T defaultValue;
    private final String shownDefault;
    private final String meaning;
    private final Reader<T> reader;

    private Setting(List<String> names, T defaultValue, String shownDefault, String meaning, Reader<T> reader) {
        this.names = List.copyOf(names);
        this.defaultValue = defaultValue;
        this.shownDefault = shownDefault;
        this.meaning = meaning;
        this.reader = reader;
    }

    /** A setting of any type: {@code shownDefault} is README's default column (markdown), {@code null} for none. */
    public static <T> Setting<T> of(String name, T defaultValue, String shownDefault, String meaning, Reader<T> reader) {
        return new Setting<>(List.of(name), defaultValue, shownDefault == null ? "—" : shownDefault, meaning, reader);
    }

    /** Text; {@code defaultValue} null: unset is null. */
    public static Setting<String> text(String name, String defaultValue, String meaning) {
        return of(name, defaultValue, code(defaultValue), meaning, Env::string);
    }

    public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String meaning) {
        return of(name, defaultValue, code(defaultValue), meaning, (env, n, fallback) -> env.integer(n, fallback, min, max));
    }

    public static Setting<Long> longValue(String name, long defaultValue, long min, long max, String meaning) {
        return of(name, defaultValue, code(defaultValue), meaning, (env, n, fallback) -> env.longValue(n, fallback, min, max));
    }

    public static Setting<Boolean> bool(String name, boolean defaultValue, String meaning) {
        return of(name, defaultValue, code(defaultValue), meaning, Env::bool);
    }

    /** A duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    public static Setting<Duration> duration(String name, Duration defaultValue, String meaning) {
        return of(name, defaultValue, code(shown(defaultValue)), meaning, Env::duration);
    }

    /** One of an enum's constants, written in lower case ({@code exactly_once_v2}). */
    public static <E extends Enum<E>> Setting<E> choice(String name, E defaultValue, Class<E> type, String meaning) {
        return of(name, defaultValue, code(defaultValue.name().toLowerCase(Locale.ROOT)), meaning,
                (env, n, fallback) -> env.choice(n, fallback, type));
    }

    public static Setting<HostPort> hostPort(String name, String defaultValue, String meaning) {
        return of(name, HostPort.parse(defaultValue), code(defaultValue), meaning,
                (env, n, fallback) -> env.hostPort(n, fallback.toString()));
    }

    /** A comma-separated list; {@code defaultValue} null: unset is null. */
    public static Setting<List<String>> list(String name, List<String> defaultValue, String meaning) {
        return of(name, defaultValue, defaultValue == null ? null : code(String.join(",", defaultValue)), meaning, Env::list);
    }

    /** Every variable starting with {@code prefix}, as client properties ({@link Env#asProperties}). */
    public static Setting<Map<String, String>> properties(String prefix, String meaning) {
        return of(prefix + "*", Map.of(), null, meaning, (env, n, fallback) -> env.asProperties(prefix));
    }

    /** The same setting, also read from {@code others} (in that order) when its own name is not set. */
    public Setting<T> or(String... others) {
        List<String> all = new ArrayList<>(names);
        all.addAll(List.of(others));
        return new Setting<>(all, defaultValue, shownDefault, meaning, reader);
    }

    /** The same setting with README's default column given as markdown (a default computed from other settings). */
    public Setting<T> shownDefault(String markdown) {
        return new Setting<>(names, defaultValue, markdown == null ? "—" : markdown, meaning, reader);
    }

    /** The value: the first of the names that is set, else the declared default. */
    public T from(Env env) {
        return from(env, defaultValue);
    }

    /** The value, with {@code fallback} as the default (one computed from other settings). */
    public T from(Env env, T fallback) {
        String set = names.stream().filter(n -> env.optional(n).isPresent()).findFirst().orElse(names.get(0));
        return reader.read(env, set, fallback);
    }

    /** Whether the variable (or one of its other names) is set. */
    public boolean isSet(Env env) {
        return names.stream().anyMatch(n -> env.optional(n).isPresent());
    }

    /** The main name, as error messages name it. */
    public String name() {
        return names.get(0);
    }

    public List<String> names() {
        return names;
    }

    public String shownDefault() {
        return shownDefault;
    }

    public String meaning() {
        return meaning;
    }

    /** Whether {@code variable} is this setting: one of its names, or a variable its prefix covers. */
    boolean covers(String variable) {
        return names.stream().anyMatch(n -> n.endsWith("*") ? variable.startsWith(n.substring(0, n.length() - 1)) : n.equals(variable));
    }

    private static String code(Object value) {
        return value == null ? null : "`" + value + "`";
    }

    /** {@code 200ms}, {@code 10s}, {@code 2m}, {@code 1h}: the largest unit that divides the duration. */
    static String shown(Duration duration) {
        long ms = duration.toMillis();
        if (ms == 0 || ms % 1000 != 0) {
            return ms == 0 ? "0" : ms + "ms";
        }
        long s = ms / 1000;
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    @Override
    public String toString() {
        return String.join(" or ", names);
    }
}
