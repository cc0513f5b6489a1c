package io.cdcflow.streams.topology;

/**
 * Which schema each output record names in its {@code cdc.schema_id} header. The topology tells it every source
 * schema id it sees, so that a changed source table (ALTER TABLE) changes the outputs' schemas.
 */
public interface OutputSchemas {
    /** None: records go out without a schema header (for tools that do not run against a schema topic). */
    OutputSchemas NONE = new OutputSchemas() {
        @Override
        public void observe(String sourceSchemaId) {
        }

        @Override
        public String idFor(String output) {
            return null;
        }
    };

    /** A source record named this schema. */
    void observe(String sourceSchemaId);

    /** The id of the output's current schema, published before this returns; null when it cannot be derived. */
    String idFor(String output);
}
