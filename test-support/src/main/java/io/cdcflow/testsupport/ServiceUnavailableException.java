package io.cdcflow.testsupport;

/** A real service the tests need could not be found or started; the message says what is missing. */
public final class ServiceUnavailableException extends RuntimeException {
    public ServiceUnavailableException(String service, Throwable cause) {
        super(service + " is not available for integration tests: " + cause.getMessage(), cause);
    }
}
