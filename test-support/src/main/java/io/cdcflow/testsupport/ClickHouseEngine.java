package io.cdcflow.testsupport;

/**
 * The two ClickHouse engines tests run on: the installed server (Debian 12's 18.16 in CI) and a current engine
 * (chDB 26.x behind {@link LocalChdb}). A test that takes one as a parameter runs on both.
 */
public enum ClickHouseEngine {
    INSTALLED_SERVER, CURRENT_CHDB;

    /** The engine's endpoint; when it cannot start, fails the test with CI=true and skips it otherwise. */
    public ClickHouseEndpoint endpoint() {
        try {
            return this == INSTALLED_SERVER ? Services.clickhouse() : Services.currentClickHouse();
        } catch (ServiceUnavailableException e) {
            throw RealServices.unavailable(e);
        }
    }
}
