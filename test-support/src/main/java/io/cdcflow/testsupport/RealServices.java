package io.cdcflow.testsupport;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands real services to tests: declare a parameter of type {@link PostgresEndpoint},
 * {@link KafkaEndpoint} or {@link ClickHouseEndpoint} and the service is started (once per JVM) when first asked for.
 *
 * <p>When a service cannot start: with {@code CI=true} the test fails with the reason; elsewhere it is reported as
 * skipped (aborted) with the reason, never as passed.
 */
public final class RealServices implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresEndpoint.class || type == KafkaEndpoint.class || type == ClickHouseEndpoint.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        try {
            if (type == PostgresEndpoint.class) {
                return Services.postgres();
            }
            if (type == KafkaEndpoint.class) {
                return Services.kafka();
            }
            return Services.clickhouse();
        } catch (ServiceUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** With CI=true, a failure naming the service; elsewhere the test is aborted (reported as skipped) with the reason. */
    public static RuntimeException unavailable(ServiceUnavailableException e) {
        if (isCi()) {
            throw new ParameterResolutionException(e.getMessage() + " (CI=true: a missing service fails the run)", e);
        }
        Assumptions.abort(e.getMessage() + " (set CI=true to fail instead of skipping)");
        return e;
    }

    static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
