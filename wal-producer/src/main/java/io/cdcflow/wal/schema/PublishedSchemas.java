package io.cdcflow.wal.schema;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Relation;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Describes a table from the catalog and makes sure the schema topic holds it before any record names it. A shape
 * already published for the table (the newest one for its subject, say after a restart) is reused with its id;
 * a new shape is published at the position it was first seen, acknowledged by Kafka before this returns.
 */
public final class PublishedSchemas implements SchemaSource {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedSchemas.class);

    private final SchemaSource catalog;
    private final SchemaTopicReader published;
    private final SchemaPublisher publisher;

    public PublishedSchemas(SchemaSource catalog, SchemaTopicReader published, SchemaPublisher publisher) {
        this.catalog = catalog;
        this.published = published;
        this.publisher = publisher;
    }

    @Override
    public RowSchema describe(Relation relation, List<String> keyColumns, long lsn) {
        return publish(catalog.describe(relation, keyColumns, lsn));
    }

    /** The schema records are published with: {@code candidate}, or the newest published one of the same shape. */
    public RowSchema publish(RowSchema candidate) {
        RowSchema latest = published.latest(candidate.subject());
        if (candidate.sameShape(latest)) {
            return latest;
        }
        try {
            publisher.publish(candidate);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the schema of " + candidate.subject(), e);
        }
        published.add(candidate);
        LOG.info("schema {} of {} published to {} ({} columns, key {}, about {} rows)", candidate.id(), candidate.subject(),
                publisher.topic(), candidate.columns().size(), candidate.primaryKey(), candidate.estimatedRows());
        return candidate;
    }
}
