package io.cdcflow.streams.topology;

import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactRows;
import io.cdcflow.streams.model.JoinedRows;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes each changed fact row from its joined rows. A row whose expressions fail (division by zero, overflow, a
 * bad cast: the view would fail in PostgreSQL too) is counted, logged once per fact, and marked failed with the
 * error in a {@code cdc.error} header, for the dead-letter topic; ClickHouse keeps the fact's previous row.
 */
final class ComputeFacts implements FixedKeyProcessor<String, JoinedRows, ComputedFact> {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeFacts.class);

    private final FactPlan plan;
    private final Metrics.Counter failures;
    private FixedKeyProcessorContext<String, ComputedFact> context;
    private boolean logged;

    ComputeFacts(FactPlan plan, Metrics.Counter failures) {
        this.plan = plan;
        this.failures = failures;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ComputedFact> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, JoinedRows> record) {
        if (record.value() == null) {
            return;
        }
        try {
            context.forward(record.withValue(new ComputedFact(FactRows.compute(plan, record.value()), null, null)));
        } catch (FactRows.FactRowException e) {
            failures.inc(plan.name());
            String error = e.getMessage() + " (key " + record.key() + ")";
            if (!logged) {
                LOG.error("{}; the row goes to the dead-letter topic (logged once per fact, counted in streams_fact_errors_total)", error);
                logged = true;
            }
            record.headers().add(ParseEvents.ERROR_HEADER, error.getBytes(StandardCharsets.UTF_8));
            context.forward(record.withValue(new ComputedFact(null, error, record.value())));
        }
    }
}
