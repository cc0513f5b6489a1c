package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.cdcflow.common.config.Env;
import io.cdcflow.streams.config.StreamsAppConfig;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/** The app's own topics' creation against an {@link Admin} that answers as a broker would, without a broker. */
class OwnTopicsTest {
    private static final StreamsAppConfig CONFIG = StreamsAppConfig.from(new Env(Map.of("POSTGRES_CDC_TOPIC_PREFIX", "shop",
            "STREAMS_APPLICATION_ID", "facts")));
    private static final String TOPIC = "facts-order_fact-c-subscriptions-changelog";

    @Test
    void asksAgainWhileTheBrokerDoesNotKnowATopicItJustCreated() throws Exception {
        FakeAdmin broker = new FakeAdmin(2, 4, null);

        OwnTopics.create(broker.admin(), CONFIG, Map.of(TOPIC, "customers"), topic -> 4);

        assertThat(broker.created).extracting(NewTopic::name, NewTopic::numPartitions).containsExactly(tuple(TOPIC, 4));
        assertThat(broker.created.get(0).configs()).containsEntry("cleanup.policy", "compact");
        assertThat(broker.describes.get()).isEqualTo(3);
    }

    @Test
    void aTopicPartitionedOtherwiseThanItsTableStopsTheStartNamingBoth() {
        FakeAdmin broker = new FakeAdmin(0, 2, null);

        assertThatThrownBy(() -> OwnTopics.create(broker.admin(), CONFIG, Map.of(TOPIC, "customers"), topic -> 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(TOPIC + " has 2 partitions")
                .hasMessageContaining(CONFIG.inputTopic("customers") + ", has 4")
                .hasMessageContaining("--application-id facts");
    }

    @Test
    void anotherRefusalIsNotAskedAgain() {
        FakeAdmin broker = new FakeAdmin(0, 4, new TopicAuthorizationException("not authorized to describe " + TOPIC));

        assertThatThrownBy(() -> OwnTopics.create(broker.admin(), CONFIG, Map.of(TOPIC, "customers"), topic -> 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot make the topics [" + TOPIC + "]")
                .hasMessageContaining("not authorized");
        assertThat(broker.describes.get()).isEqualTo(1);
    }

    /**
     * Creates every topic asked for; answers a description with "unknown topic" {@code unknownFor} times, then with
     * {@code refusal} if set, else with {@code partitions} partitions.
     */
    private static final class FakeAdmin {
        final List<NewTopic> created = new ArrayList<>();
        final AtomicInteger describes = new AtomicInteger();
        private final int unknownFor;
        private final int partitions;
        private final RuntimeException refusal;

        FakeAdmin(int unknownFor, int partitions, RuntimeException refusal) {
            this.unknownFor = unknownFor;
            this.partitions = partitions;
            this.refusal = refusal;
        }

        Admin admin() {
            return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[]{Admin.class}, (proxy, method, args) -> switch (method.getName()) {
                case "createTopics" -> create((Collection<?>) args[0]);
                case "describeTopics" -> describe((Collection<?>) args[0]); // the by-names call OwnTopics makes
                default -> throw new UnsupportedOperationException(method.getName());
            });
        }

        private CreateTopicsResult create(Collection<?> topics) {
            Map<String, KafkaFuture<CreateTopicsResult.TopicMetadataAndConfig>> done = new HashMap<>();
            for (Object topic : topics) {
                created.add((NewTopic) topic);
                done.put(((NewTopic) topic).name(), KafkaFuture.completedFuture(null));
            }
            return new CreateTopicsResult(done) {
            };
        }

        private DescribeTopicsResult describe(Collection<?> topics) {
            int call = describes.incrementAndGet();
            Map<String, KafkaFuture<TopicDescription>> answers = new HashMap<>();
            for (Object topic : topics) {
                KafkaFutureImpl<TopicDescription> answer = new KafkaFutureImpl<>();
                if (call <= unknownFor) {
                    answer.completeExceptionally(new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
                } else if (refusal != null) {
                    answer.completeExceptionally(refusal);
                } else {
                    Node node = new Node(1, "localhost", 9092);
                    List<TopicPartitionInfo> infos = new ArrayList<>();
                    for (int p = 0; p < partitions; p++) {
                        infos.add(new TopicPartitionInfo(p, node, List.of(node), List.of(node)));
                    }
                    answer.complete(new TopicDescription((String) topic, false, infos));
                }
                answers.put((String) topic, answer);
            }
            return new DescribeTopicsResult(null, answers) {
            };
        }
    }
}
