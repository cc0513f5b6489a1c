package io.cdcflow.streams.topology;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.internals.StateRestoreCallbackAdapter;

/**
 * A store's restoration seen from a wrapper: the inner store registers its restore callback with the context it is
 * initialized with, and every way its data comes back (an active task's restore, a standby's or a warm-up replica's
 * updates) goes through that callback. A wrapper initializes the inner store with {@link #through}'s context and sees
 * each restored batch before the inner store writes it.
 */
final class Restoring {
    private Restoring() {
    }

    /**
     * {@code context} with {@code register} wrapping the inner store's restore callback in {@code wrap}'s, and every other
     * call (the interfaces of Kafka Streams' own context included, which the inner store casts it to) passed on.
     */
    static StateStoreContext through(StateStoreContext context, UnaryOperator<RecordBatchingStateRestoreCallback> wrap) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> type = context.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> i : type.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    interfaces.add(i);
                }
            }
        }
        return (StateStoreContext) Proxy.newProxyInstance(Restoring.class.getClassLoader(), interfaces.toArray(Class[]::new),
                (proxy, method, args) -> {
                    if (method.getName().equals("register") && args != null && args.length >= 2
                            && args[1] instanceof StateRestoreCallback callback) {
                        args = args.clone();
                        args[1] = wrap.apply(StateRestoreCallbackAdapter.adapt(callback));
                    }
                    try {
                        return method.invoke(context, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
