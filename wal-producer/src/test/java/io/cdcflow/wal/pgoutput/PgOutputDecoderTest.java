package io.cdcflow.wal.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.wal.pgoutput.PgOutputMessage.Begin;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Commit;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Delete;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Insert;
import io.cdcflow.wal.pgoutput.PgOutputMessage.LogicalMessage;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Relation;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Truncate;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Type;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Update;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {
    private final List<PgOutputMessage> messages = Capture.messages();

    @Test
    void decodesBeginAndCommitOfTheCapturedTransaction() {
        Begin begin = (Begin) messages.get(0);
        Commit commit = (Commit) messages.get(4);
        assertThat(begin.finalLsn()).isEqualTo(commit.commitLsn());
        assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
        assertThat(begin.commitTime()).isEqualTo(commit.commitTime());
        assertThat(begin.commitTime()).isAfter(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(begin.xid()).isEqualTo(729);
    }

    @Test
    void decodesTypeAndRelation() {
        assertThat(messages.get(1)).isEqualTo(new Type(16385, "public", "mood"));
        Relation t = (Relation) messages.get(2);
        assertThat(t.schema()).isEqualTo("public");
        assertThat(t.table()).isEqualTo("t");
        assertThat(t.replicaIdentity()).isEqualTo(PgOutputMessage.ReplicaIdentity.DEFAULT);
        assertThat(t.columns()).extracting(PgOutputMessage.Column::name).containsExactly("id", "name", "big", "m", "tags");
        assertThat(t.columns().get(0).partOfKey()).isTrue();
        assertThat(t.columns().get(1).partOfKey()).isFalse();
        assertThat(t.columns().get(0).typeOid()).isEqualTo(23);
        assertThat(t.columns().get(3).typeOid()).isEqualTo(16385);
        Relation full = (Relation) messages.get(15);
        assertThat(full.replicaIdentity()).isEqualTo(PgOutputMessage.ReplicaIdentity.FULL);
    }

    @Test
    void decodesTuplesWithTextNullAndUnchangedToast() {
        Insert insert = (Insert) messages.get(3);
        assertThat(insert.newTuple().values().get(0)).isEqualTo(new TupleData.Text("1"));
        assertThat(((TupleData.Text) insert.newTuple().values().get(2)).text()).hasSize(12800);

        Update nameChange = (Update) messages.get(6);
        assertThat(nameChange.oldTuple()).isNull();
        assertThat(nameChange.newTuple().values().get(2)).isInstanceOf(TupleData.UnchangedToast.class);

        Update keyChange = (Update) messages.get(9);
        assertThat(keyChange.oldKind()).isEqualTo('K');
        assertThat(keyChange.oldTuple().values()).containsExactly(new TupleData.Text("1"), TupleData.NULL, TupleData.NULL,
                TupleData.NULL, TupleData.NULL);
        assertThat(keyChange.newTuple().values().get(0)).isEqualTo(new TupleData.Text("2"));
    }

    @Test
    void decodesDeletesUnderBothIdentities() {
        Delete byKey = (Delete) messages.get(12);
        assertThat(byKey.oldKind()).isEqualTo('K');
        Update fullUpdate = (Update) messages.get(19);
        assertThat(fullUpdate.oldKind()).isEqualTo('O');
        assertThat(fullUpdate.oldTuple().values()).containsExactly(new TupleData.Text("1"), new TupleData.Text("x"));
        Delete full = (Delete) messages.get(22);
        assertThat(full.oldKind()).isEqualTo('O');
        assertThat(full.oldTuple().values()).containsExactly(new TupleData.Text("1"), new TupleData.Text("y"));
    }

    @Test
    void decodesTruncateAndLogicalMessage() {
        Truncate truncate = (Truncate) messages.get(28);
        assertThat(truncate.relationOids()).hasSize(2);
        assertThat(truncate.cascade()).isFalse();
        LogicalMessage message = (LogicalMessage) messages.get(31);
        assertThat(message.transactional()).isTrue();
        assertThat(message.prefix()).isEqualTo("pfx");
        assertThat(new String(message.content(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void decodesOriginAndBinaryValues() {
        ByteBuffer origin = ByteBuffer.allocate(32).put((byte) 'O').putLong(0x1234).put("node_a\0".getBytes());
        assertThat(PgOutputDecoder.decode(origin.flip())).isEqualTo(new PgOutputMessage.Origin(0x1234, "node_a"));

        ByteBuffer insert = ByteBuffer.allocate(32).put((byte) 'I').putInt(7).put((byte) 'N').putShort((short) 1)
                .put((byte) 'b').putInt(2).put(new byte[] {1, 2});
        Insert decoded = (Insert) PgOutputDecoder.decode(insert.flip());
        assertThat(((TupleData.Binary) decoded.newTuple().values().get(0)).bytes()).containsExactly(1, 2);
    }

    @Test
    void rejectsUnknownAndTruncatedMessages() {
        assertThatThrownBy(() -> PgOutputDecoder.decode(ByteBuffer.wrap(new byte[] {'Z'})))
                .isInstanceOf(PgOutputFormatException.class).hasMessageContaining("unknown pgoutput message type 'Z'");
        assertThatThrownBy(() -> PgOutputDecoder.decode(ByteBuffer.wrap(new byte[] {'B', 0, 0})))
                .isInstanceOf(PgOutputFormatException.class).hasMessageContaining("truncated");
    }

    @Test
    void aValueLongerThanAskedIsSkippedWithoutBeingReadAndTheRestDecodes() {
        byte[] big = "x".repeat(10_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(64 + big.length);
        b.put((byte) 'I').putInt(16385).put((byte) 'N').putShort((short) 3);
        b.put((byte) 't').putInt(2).put("42".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.put((byte) 't').putInt(big.length).put(big);
        b.put((byte) 't').putInt(3).put("end".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.flip();
        Insert insert = (Insert) PgOutputDecoder.decode(b, 1_000);
        assertThat(insert.newTuple().values()).containsExactly(new TupleData.Text("42"), new TupleData.Oversized(10_000),
                new TupleData.Text("end"));
        assertThat(b.remaining()).isZero();
    }
}
