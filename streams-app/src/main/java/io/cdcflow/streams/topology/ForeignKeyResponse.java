package io.cdcflow.streams.topology;

import io.cdcflow.streams.model.SourceRow;

/**
 * What a foreign-key join's parent side sends back to a fact row that subscribed to a parent row: the parent's key
 * the subscription named (the fact row takes the response only while it still points there) and the parent's row as
 * it is now (null: none; a deleted row stays a marked row).
 */
record ForeignKeyResponse(String foreignKey, SourceRow parent) {
}
