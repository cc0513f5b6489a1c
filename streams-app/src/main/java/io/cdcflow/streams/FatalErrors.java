package io.cdcflow.streams;

import io.cdcflow.streams.config.StreamsAppConfig;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.streams.errors.MissingSourceTopicException;

/**
 * Which stream-thread failures no retry can fix, and what to change: the app stops with that one line instead of
 * replacing its thread forever. Everything else is transient.
 */
final class FatalErrors {
    private FatalErrors() {
    }

    /** The setting to change, in words, when {@code e} (or a cause) is fatal; null when it is worth retrying. */
    static String describe(Throwable e, StreamsAppConfig config) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InconsistentGroupProtocolException) {
                return "the consumer group " + config.applicationId() + " (STREAMS_APPLICATION_ID) is in use by a client of another "
                        + "kind, such as a clickhouse-writer (WRITER_GROUP_ID): give the streams-app an application id of its own";
            }
            if (t instanceof FencedInstanceIdException) {
                return "another streams-app instance runs with the same STREAMS_INSTANCE_ID (" + config.instanceId()
                        + "): give each instance its own";
            }
            if (t instanceof GroupAuthorizationException || t instanceof TopicAuthorizationException
                    || t instanceof ClusterAuthorizationException || t instanceof TransactionalIdAuthorizationException) {
                return "Kafka refuses access: " + t.getMessage() + " (grant the principal of the KAFKA_* credentials access to group "
                        + config.applicationId() + " and the topics it reads and writes)";
            }
            if (t instanceof UnsupportedVersionException) {
                return "the Kafka broker does not support what the streams-app needs: " + t.getMessage()
                        + (config.exactlyOnce() ? " (STREAMS_PROCESSING_GUARANTEE=at_least_once "
                        + "does without transactions)" : "");
            }
            if (t instanceof MissingSourceTopicException) {
                return "a source topic is missing: " + t.getMessage() + " (STREAMS_INPUT_TOPIC_PREFIX=" + config.inputPrefix()
                        + ", STREAMS_INPUT_SCHEMA=" + config.schema() + "; does the wal-producer capture the table?)";
            }
        }
        return null;
    }
}
