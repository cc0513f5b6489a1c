package org.apache.kafka.common.utils;

import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * The one method of Kafka's {@code Sanitizer} that Debezium 3.6 (the decoding stage's peer) calls, which kafka-clients
 * 4.4 no longer has: a metric name quoted for JMX unless it is made only of characters JMX takes as they are (the
 * same rule as Kafka's class). For the benchmark's classpath only; nothing of ours calls it.
 */
public final class Sanitizer {
    private static final Pattern MBEAN_VALUE = Pattern.compile("[\\w-%\\. \t]*");

    private Sanitizer() {
    }

    public static String jmxSanitize(String name) {
        return MBEAN_VALUE.matcher(name).matches() ? name : ObjectName.quote(name);
    }
}
