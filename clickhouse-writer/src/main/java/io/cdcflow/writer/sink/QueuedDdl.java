package io.cdcflow.writer.sink;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ClickHouse says when an {@code ON CLUSTER} statement outlives {@code distributed_ddl_task_timeout} (code 159,
 * TIMEOUT_EXCEEDED): how many servers have not done it yet and how many of those are running. The statement stays in
 * the cluster's DDL queue (in ZooKeeper) either way; a server that is down does it when it starts again.
 *
 * <p>ClickHouse 18.16 to 21.x: "There are 1 unfinished hosts (0 of them are currently active), they are going to
 * execute the query in background"; later versions: "is not finished on 1 of 3 hosts (0 of them are currently
 * executing the task, 1 are inactive)".
 */
record QueuedDdl(int unfinished, int running) {
    private static final Pattern UNFINISHED_ACTIVE = Pattern.compile("There are (\\d+) unfinished hosts \\((\\d+) of them are currently active\\)");
    private static final Pattern NOT_FINISHED_INACTIVE = Pattern.compile("is not finished on (\\d+) of \\d+ hosts \\(\\d+ of them are currently executing the task, (\\d+) are inactive\\)");

    /** The counts in a timeout's message, or null when the message is not a DDL queue's timeout. */
    static QueuedDdl parse(String message) {
        if (message == null) {
            return null;
        }
        Matcher old = UNFINISHED_ACTIVE.matcher(message);
        if (old.find()) {
            return new QueuedDdl(Integer.parseInt(old.group(1)), Integer.parseInt(old.group(2)));
        }
        Matcher current = NOT_FINISHED_INACTIVE.matcher(message);
        if (current.find()) {
            int unfinished = Integer.parseInt(current.group(1));
            return new QueuedDdl(unfinished, unfinished - Integer.parseInt(current.group(2)));
        }
        return null;
    }

    /** Whether every server that has not done the statement is down (none is still working on it, or slow). */
    boolean onlyServersThatAreDown() {
        return unfinished > 0 && running == 0;
    }
}
