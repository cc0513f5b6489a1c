package io.cdcflow.common.config;

/** A setting that is missing or malformed. The message names the variable and says what is expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
