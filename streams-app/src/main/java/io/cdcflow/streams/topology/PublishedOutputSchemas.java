package io.cdcflow.streams.topology;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.streams.facts.FactSchemas;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output schemas derived from the schema topic's newest source schemas and published to the same topic before the
 * first record that names them. Thread-safe: stream threads share it.
 */
public final class PublishedOutputSchemas implements OutputSchemas {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedOutputSchemas.class);

    private final FactSchemas facts;
    private final SchemaTopicReader catalog;
    private final SchemaPublisher publisher;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** Output to its current schema id ({@link #NONE} when none can be derived); cleared when a new source schema arrives. */
    private final Map<String, String> ids = new ConcurrentHashMap<>();
    private static final String NONE = "";
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public PublishedOutputSchemas(FactSchemas facts, SchemaTopicReader catalog, SchemaPublisher publisher) {
        this.facts = facts;
        this.catalog = catalog;
        this.publisher = publisher;
    }

    @Override
    public void observe(String sourceSchemaId) {
        if (sourceSchemaId == null || seen.contains(sourceSchemaId)) {
            return;
        }
        catalog.get(sourceSchemaId); // reads the topic to its end when the id is new
        seen.add(sourceSchemaId);
        ids.clear();
    }

    @Override
    public String idFor(String output) {
        String id = ids.get(output);
        if (id != null) {
            return id.isEmpty() ? null : id;
        }
        RowSchema schema = derive(output);
        if (schema == null) {
            catalog.refresh();
            schema = derive(output);
        }
        if (schema == null) {
            if (warned.add(output)) {
                LOG.error("no schema for output {}: the schema topic {} has none for one of its source tables {}; its records "
                        + "go out without a {} header and the writer will dead-letter them", output, catalog.topic(),
                        facts.inputs().get(output), RowSchema.HEADER);
            }
            ids.put(output, NONE); // asked again only when a source schema not seen before arrives
            return null;
        }
        try {
            id = publisher.publish(schema);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the schema of " + output, e);
        }
        catalog.add(schema);
        ids.put(output, id);
        return id;
    }

    private RowSchema derive(String output) {
        return facts.derive(output, table -> catalog.latest(facts.subject(table)));
    }
}
