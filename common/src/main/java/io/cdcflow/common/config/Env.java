package io.cdcflow.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of environment variables. Every failure is a {@link ConfigException} that names the variable,
 * shows the rejected value (never for a secret) and says what would be accepted.
 */
public final class Env {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final Map<String, String> vars;

    public Env(Map<String, String> vars) {
        this.vars = Map.copyOf(vars);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    /** The names of the variables that are set, sorted. */
    public java.util.SortedSet<String> names() {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        vars.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                names.add(name);
            }
        });
        return names;
    }

    /** The value, when set and not blank. */
    public Optional<String> optional(String name) {
        String value = vars.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The first of several names that is set: for variables with an alias (KAFKA_BOOTSTRAP_SERVERS). */
    public Optional<String> firstOf(String... names) {
        for (String name : names) {
            Optional<String> value = optional(name);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    public String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    public String required(String name, String whatItIs) {
        return optional(name).orElseThrow(() -> new ConfigException(
                name + " is not set: it must give " + whatItIs));
    }

    public int integer(String name, int defaultValue) {
        return (int) longValue(name, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public int integer(String name, int defaultValue, int min, int max) {
        return (int) longValue(name, defaultValue, min, max);
    }

    public long longValue(String name, long defaultValue, long min, long max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.get().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + raw.get() + "'");
        }
        if (value < min || value > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name + " must be true or false, got '" + raw.get() + "'");
        };
    }

    /** A duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}; a bare number is milliseconds. */
    public Duration duration(String name, Duration defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(raw.get().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(name + " must be a duration such as 500ms, 5s, 2m or 1h, got '" + raw.get() + "'");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    public <E extends Enum<E>> E choice(String name, E defaultValue, Class<E> type) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String wanted = raw.get().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        List<String> allowed = java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        throw new ConfigException(name + " must be one of " + allowed + ", got '" + raw.get() + "'");
    }

    public HostPort hostPort(String name, String defaultValue) {
        String raw = string(name, defaultValue);
        try {
            return HostPort.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + " must be host:port (such as 0.0.0.0:4195), got '" + raw + "'");
        }
    }

    /** A comma-separated list, trimmed, blanks dropped. */
    public List<String> list(String name, List<String> defaultValue) {
        return optional(name)
                .map(raw -> java.util.Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(defaultValue);
    }

    /**
     * Every variable that starts with {@code prefix}, as a client property: {@code KAFKA_SASL_MECHANISM}
     * becomes {@code sasl.mechanism}, the convention of the common Kafka images.
     */
    public Map<String, String> asProperties(String prefix) {
        Map<String, String> props = new TreeMap<>();
        vars.forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length() && value != null && !value.isBlank()) {
                props.put(name.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return props;
    }
}
