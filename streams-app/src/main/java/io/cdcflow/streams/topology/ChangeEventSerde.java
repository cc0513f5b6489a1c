package io.cdcflow.streams.topology;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Change events as the wal-producer writes them (the value only: the key is the record's). The source tables group
 * their events by the key they arrived with, so no event is ever repartitioned and this serde only completes the
 * grouping's declaration; were one written, it would read back as it was.
 */
final class ChangeEventSerde implements Serde<ChangeEvent> {
    @Override
    public Serializer<ChangeEvent> serializer() {
        return (topic, event) -> event == null ? null : ChangeEventCodec.valueBytes(event);
    }

    @Override
    public Deserializer<ChangeEvent> deserializer() {
        return (topic, bytes) -> bytes == null ? null : ChangeEventCodec.fromRecord(null, bytes);
    }
}
