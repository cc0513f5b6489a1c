package io.cdcflow.writer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueuedDdlTest {

    @Test
    void clickHouse18ServersThatAreDownLetTheWriterGoOn() {
        // the message of ClickHouse 18.16 with one of three servers killed (seen in ClusterConvergenceIT's cluster)
        QueuedDdl queued = QueuedDdl.parse("ClickHouse at http://127.0.0.1:43947 failed on CREATE DATABASE IF NOT EXISTS x1 ON CLUSTER cdcflow: "
                + "Code: 159, e.displayText() = DB::Exception: Watching task /clickhouse/task_queue/ddl/query-0000000000 is executing "
                + "longer than distributed_ddl_task_timeout (=5) seconds. There are 1 unfinished hosts (0 of them are currently active), "
                + "they are going to execute the query in background, e.what() = DB::Exception");
        assertThat(queued).isEqualTo(new QueuedDdl(1, 0));
        assertThat(queued.onlyServersThatAreDown()).isTrue();
    }

    @Test
    void aRunningServerThatHasNotFinishedIsWaitedFor() {
        QueuedDdl queued = QueuedDdl.parse("Code: 159, e.displayText() = DB::Exception: Watching task /clickhouse/task_queue/ddl/query-0000000007 "
                + "is executing longer than distributed_ddl_task_timeout (=10) seconds. There are 2 unfinished hosts (1 of them are currently active), "
                + "they are going to execute the query in background");
        assertThat(queued.onlyServersThatAreDown()).isFalse();
    }

    @Test
    void currentServersCountTheInactiveOnes() {
        String prefix = "Code: 159. DB::Exception: Distributed DDL task /clickhouse/task_queue/ddl/query-0000000002 is not finished on ";
        assertThat(QueuedDdl.parse(prefix + "1 of 3 hosts (0 of them are currently executing the task, 1 are inactive). They are going to "
                + "execute the query in background. Was waiting for 10.1 seconds").onlyServersThatAreDown()).isTrue();
        // servers that never picked the task up (one that does not recognise itself in remote_servers) are not down
        assertThat(QueuedDdl.parse(prefix + "2 of 4 hosts (0 of them are currently executing the task, 0 are inactive). They are going to "
                + "execute the query in background").onlyServersThatAreDown()).isFalse();
    }

    @Test
    void otherTimeoutsAreNotTakenForAQueuedStatement() {
        assertThat(QueuedDdl.parse("Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 60.1 seconds, maximum: 60")).isNull();
        assertThat(QueuedDdl.parse(null)).isNull();
    }
}
