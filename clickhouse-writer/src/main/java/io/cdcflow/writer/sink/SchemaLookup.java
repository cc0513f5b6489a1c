package io.cdcflow.writer.sink;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaTopicReader;

/** The schemas records name, as the sink reads them ({@link SchemaTopicReader} over the schema topic, or a map in tests). */
interface SchemaLookup extends AutoCloseable {
    /** The schema with this id, or null when the schema topic does not hold it. */
    RowSchema get(String id);

    /** The newest schema of a subject read so far. */
    RowSchema latest(String subject);

    /** Where the schemas are read from, for messages. */
    String topic();

    @Override
    void close();

    static SchemaLookup of(SchemaTopicReader catalog) {
        return new SchemaLookup() {
            @Override
            public RowSchema get(String id) {
                return catalog.get(id);
            }

            @Override
            public RowSchema latest(String subject) {
                return catalog.latest(subject);
            }

            @Override
            public String topic() {
                return catalog.topic();
            }

            @Override
            public void close() {
                catalog.close();
            }
        };
    }
}
