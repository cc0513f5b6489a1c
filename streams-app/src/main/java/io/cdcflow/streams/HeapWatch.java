package io.cdcflow.streams;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.function.Consumer;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Tells when the heap stays nearly full after garbage collection: with the state in the heap
 * ({@code STREAMS_STATE_STORES=memory}), a heap too small for it makes the JVM collect without end instead of
 * failing, so the app says so, naming the settings, rather than slowing to a crawl in silence.
 */
final class HeapWatch implements AutoCloseable {
    private final List<MemoryPoolMXBean> pools;
    private final NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
    private final NotificationListener listener;

    /**
     * @param fraction    of each heap pool's maximum that, still used after a collection, is too much
     * @param onExceeded  called with the pool's name and the fraction used, at each collection that leaves it above
     */
    HeapWatch(double fraction, Consumer<Used> onExceeded) {
        pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported() && p.getUsage().getMax() > 0)
                .toList();
        listener = (notification, handback) -> {
            if (notification.getType().equals(MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED)) {
                MemoryNotificationInfo info = MemoryNotificationInfo.from((CompositeData) notification.getUserData());
                onExceeded.accept(new Used(info.getPoolName(), (double) info.getUsage().getUsed() / info.getUsage().getMax()));
            }
        };
        emitter.addNotificationListener(listener, null, null);
        pools.forEach(p -> p.setCollectionUsageThreshold(Math.max(1, (long) (p.getUsage().getMax() * fraction))));
    }

    /** What a collection left in use of a pool. */
    record Used(String pool, double fraction) {
    }

    @Override
    public void close() {
        pools.forEach(p -> p.setCollectionUsageThreshold(0));
        try {
            emitter.removeNotificationListener(listener);
        } catch (javax.management.ListenerNotFoundException e) {
            // already removed
        }
    }
}
