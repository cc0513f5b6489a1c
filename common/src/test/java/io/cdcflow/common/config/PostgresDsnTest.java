package io.cdcflow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresDsnTest {
    @Test
    void parsesTheSeedsUrlForm() {
        PostgresDsn dsn = PostgresDsn.parse("postgres://postgres:s3cr%40t@typeorm-oltp-postgres:5432/typeorm_db?sslmode=disable");
        assertThat(dsn.host()).isEqualTo("typeorm-oltp-postgres");
        assertThat(dsn.port()).isEqualTo(5432);
        assertThat(dsn.database()).isEqualTo("typeorm_db");
        assertThat(dsn.user()).isEqualTo("postgres");
        assertThat(dsn.password()).isEqualTo("s3cr@t");
        assertThat(dsn.params()).containsEntry("sslmode", "disable");
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://typeorm-oltp-postgres:5432/typeorm_db");
    }

    @Test
    void parsesJdbcUrls() {
        PostgresDsn dsn = PostgresDsn.parse("jdbc:postgresql://db:6543/app?user=cdc&password=pw&sslmode=verify-full");
        assertThat(dsn.user()).isEqualTo("cdc");
        assertThat(dsn.password()).isEqualTo("pw");
        assertThat(dsn.port()).isEqualTo(6543);
        assertThat(dsn.params()).containsOnlyKeys("sslmode");
    }

    @Test
    void neverShowsThePassword() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://u:hunter2@h/db?sslpassword=hunter3");
        assertThat(dsn.toString()).doesNotContain("hunter2").doesNotContain("hunter3").contains("u:***@h:5432/db");
        assertThatThrownBy(() -> PostgresDsn.parse("mysql://u:hunter2@h/db")).message().doesNotContain("hunter2");
    }

    @Test
    void aServerElsewhereReachedWithoutVerifyFullIsWarnedAboutWithoutThePassword() {
        assertThat(PostgresDsn.parse("postgres://u:pw@localhost:5432/db?sslmode=disable").transportWarning()).isNull();
        assertThat(PostgresDsn.parse("postgres://u:pw@127.0.0.1:5432/db").transportWarning()).isNull();
        assertThat(PostgresDsn.parse("postgres://u:pw@db.internal:5432/db?sslmode=verify-full&sslrootcert=/ca.pem").transportWarning()).isNull();
        assertThat(PostgresDsn.parse("postgres://u:pw@db.internal:5432/db?sslmode=require").transportWarning())
                .contains("db.internal:5432", "sslmode=require", "verify-full").doesNotContain("pw");
        assertThat(PostgresDsn.parse("postgres://u:pw@10.0.0.5/db").transportWarning()).contains("sslmode=prefer");
    }
}
