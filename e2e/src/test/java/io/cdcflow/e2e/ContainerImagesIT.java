package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalImages;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.ServiceUnavailableException;
import io.cdcflow.testsupport.Waiting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three images built from the repository's own Dockerfiles (on base images made from Debian's packages:
 * {@link LocalImages}) and run with podman against the test services: each container's healthcheck turns healthy, the
 * images run as their own user, the JVM takes its heap from the container's memory limit, and the pipeline reaches the
 * invariant through a SIGTERM and SIGKILLs of its containers mid-load.
 */
@ExtendWith(RealServices.class)
class ContainerImagesIT {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @BeforeAll
    static void buildImages() {
        try {
            LocalImages.DEPLOYABLES.forEach(d -> LocalImages.build(REPOSITORY, d));
        } catch (ServiceUnavailableException e) {
            throw RealServices.unavailable(e);
        }
    }

    @Test
    void theContainersReachTheInvariantThroughASigtermAndSigkills(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_containers");
        DemoWorkload workload = new DemoWorkload(db, 6);
        workload.createSchema();
        workload.seed();
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, Pipeline.Facts.defaults(), Map.of(), Map.of(), true)) {
            pipeline.startAll();
            workload.run(80);
            pipeline.awaitReady();
            for (Deployable d : List.of(pipeline.walProducer, pipeline.streamsApp, pipeline.writer)) {
                assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofSeconds(1), d::healthy))
                        .as("the healthcheck of %s's image reports healthy", d.name).isTrue();
                assertThat(LocalImages.podman("exec", d.container(), "id", "-u").output().trim())
                        .as("%s runs as the image's own user", d.name).isEqualTo("10001");
            }
            workload.run(60);
            pipeline.streamsApp.stop();
            assertThat(pipeline.streamsApp.exitCode()).as("a SIGTERM stops the streams-app within the grace period, not by a kill")
                    .isIn(0, 143);
            assertThat(pipeline.streamsApp.log()).doesNotContain("OutOfMemoryError");
            workload.run(60);
            pipeline.streamsApp.start();
            workload.run(40);
            pipeline.writer.kill();
            workload.run(60);
            pipeline.writer.start();
            workload.run(40);
            pipeline.walProducer.kill();
            workload.run(60);
            pipeline.walProducer.start();
            workload.run(40);
            pipeline.awaitReady();
            db.execute(pipeline.facts.sql());
            FactViews.assertEqual(db, ch, pipeline);
        }
    }

    @Test
    void theJvmTakesItsHeapFromTheContainersMemoryLimit() {
        List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "host", "--memory", "512m",
                "--env", "JAVA_TOOL_OPTIONS=-Xlog:gc+init", "--env", "WRITER_BATCH_ROWS=0"));
        run.addAll(LocalImages.LIMITS);
        run.add(LocalImages.image("clickhouse-writer"));
        LocalImages.Result result = LocalImages.podman(Duration.ofMinutes(2), run);
        // the image's own entry point (-XX:MaxRAMPercentage=75) on 512 MB; a bad setting then stops it with exit code 2
        assertThat(result.output()).contains("Memory: 512M", "Heap Max Capacity: 384M",
                "clickhouse-writer: configuration error: WRITER_BATCH_ROWS must be between 1 and 10000000, got 0");
        assertThat(result.exitCode()).isEqualTo(2);
    }
}
