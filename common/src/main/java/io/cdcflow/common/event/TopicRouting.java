package io.cdcflow.common.event;

/**
 * Which topic a table's changes go to: one topic per table, {@code <prefix>.<schema>.<table>} (default
 * {@code cdc.public.orders}), or every table in one topic, like the seed's {@code cdc_events}.
 *
 * @param prefix      topic prefix in per-table mode
 * @param singleTopic when not null, the one topic for every table
 */
public record TopicRouting(String prefix, String singleTopic) {
    public static final String DEFAULT_PREFIX = "cdc";

    public static TopicRouting perTable(String prefix) {
        return new TopicRouting(prefix, null);
    }

    public static TopicRouting single(String topic) {
        return new TopicRouting(DEFAULT_PREFIX, topic);
    }

    public boolean isSingleTopic() {
        return singleTopic != null;
    }

    public String topicFor(String schema, String table) {
        if (singleTopic != null) {
            return singleTopic;
        }
        return (prefix == null || prefix.isEmpty() ? "" : prefix + ".") + schema + "." + table;
    }
}
