package io.cdcflow.streams.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.schema.SqlTypes;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PostgreSQL's results, as psql 15 printed them, for the operations facts compute. */
class PgValuesTest {
    @ParameterizedTest
    @CsvSource({
            "10, 4, 2.5000000000000000",
            "1, 3, 0.33333333333333333333",
            "2, 3, 0.66666666666666666667",
            "100000, 3, 33333.333333333333",
            "1.50, 0.5, 3.0000000000000000",
            "12345678901234567890, 7, 1763668414462081127",
            "0.000001, 3, 0.000000333333333333333333",
            "-7, 2, -3.5000000000000000",
            "0, 5, 0.00000000000000000000",
    })
    void numericDivisionHasPostgresScale(String a, String b, String expected) {
        Object q = PgArithmetic.arithmetic('/', new BigDecimal(a), new BigDecimal(b), SqlTypes.NUMERIC);
        assertThat(((BigDecimal) q).toPlainString()).isEqualTo(expected);
    }

    @Test
    void integerArithmeticTruncatesAndChecksRanges() {
        assertThat(PgArithmetic.arithmetic('/', -7L, 2L, SqlTypes.INT4)).isEqualTo(-3L);
        assertThat(PgArithmetic.arithmetic('%', -7L, 2L, SqlTypes.INT4)).isEqualTo(-1L);
        assertThatThrownBy(() -> PgArithmetic.arithmetic('*', 2_000_000_000L, 2L, SqlTypes.INT4)).hasMessage("integer out of range");
        assertThatThrownBy(() -> PgArithmetic.arithmetic('/', 1L, 0L, SqlTypes.INT4)).hasMessage("division by zero");
        assertThat(PgArithmetic.arithmetic('*', 2_000_000_000L, 2L, SqlTypes.INT8)).isEqualTo(4_000_000_000L);
    }

    @Test
    void numericMultiplicationAndAdditionKeepExactScales() {
        assertThat(((BigDecimal) PgArithmetic.arithmetic('*', new BigDecimal("3"), new BigDecimal("2.50"), SqlTypes.NUMERIC)).toPlainString())
                .isEqualTo("7.50");
        assertThat(((BigDecimal) PgArithmetic.arithmetic('+', new BigDecimal("1.5"), new BigDecimal("2.25"), SqlTypes.NUMERIC)).toPlainString())
                .isEqualTo("3.75");
    }

    @Test
    void castsRoundAsPostgresDoes() {
        assertThat(PgCasts.cast(new BigDecimal("2.5"), SqlTypes.NUMERIC, SqlTypes.INT4)).isEqualTo(3L);
        assertThat(PgCasts.cast(new BigDecimal("-2.5"), SqlTypes.NUMERIC, SqlTypes.INT4)).isEqualTo(-3L);
        assertThat(PgCasts.cast(2.5, SqlTypes.FLOAT8, SqlTypes.INT4)).isEqualTo(2L);
        assertThat(PgCasts.cast(3.5, SqlTypes.FLOAT8, SqlTypes.INT4)).isEqualTo(4L);
        assertThat(((BigDecimal) PgCasts.cast(new BigDecimal("1.005"), SqlTypes.NUMERIC, SqlTypes.numeric(5, 2))).toPlainString()).isEqualTo("1.01");
        assertThat(((BigDecimal) PgCasts.cast(0.1, SqlTypes.FLOAT8, SqlTypes.NUMERIC)).toPlainString()).isEqualTo("0.1");
        assertThat(PgCasts.cast("abcdef", SqlTypes.TEXT, SqlTypes.varchar(3))).isEqualTo("abc");
        assertThat(PgCasts.cast(true, SqlTypes.BOOL, SqlTypes.TEXT)).isEqualTo("true");
        assertThat(PgCasts.cast(" 42 ", SqlTypes.TEXT, SqlTypes.INT8)).isEqualTo(42L);
        assertThatThrownBy(() -> PgCasts.cast(new BigDecimal("1234.5"), SqlTypes.NUMERIC, SqlTypes.numeric(4, 1)))
                .hasMessageContaining("numeric field overflow");
        assertThatThrownBy(() -> PgCasts.cast("x", SqlTypes.TEXT, SqlTypes.INT4)).hasMessageContaining("invalid input syntax for type integer");
    }

    @Test
    void comparisonsOrderNumbersByValueAndNanLast() {
        assertThat(PgOrdering.compare(new BigDecimal("1.0"), new BigDecimal("1.00"))).isZero();
        assertThat(PgOrdering.compare(Double.NaN, 1e308)).isPositive();
        assertThat(PgOrdering.compare("NaN", new BigDecimal("99"))).isPositive();
    }
}
