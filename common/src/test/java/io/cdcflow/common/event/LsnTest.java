package io.cdcflow.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {
    @Test
    void textFormRoundTripsThroughNumber() {
        Lsn lsn = Lsn.parse("0/1A2B3C4");
        assertThat(lsn.value()).isEqualTo(0x1A2B3C4L);
        assertThat(lsn).hasToString("0/1A2B3C4");
        assertThat(Lsn.parse("16/B374D848").value()).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThat(Lsn.ZERO).hasToString("0/0");
        assertThat(new Lsn(-1L)).hasToString("FFFFFFFF/FFFFFFFF");
        assertThat(new Lsn((0x10L << 32) | 0xF0L)).hasToString("10/F0");
    }

    @Test
    void ordersAsUnsigned() {
        assertThat(Lsn.parse("FFFFFFFF/0").isAfter(Lsn.parse("1/0"))).isTrue();
        assertThat(Lsn.parse("0/10").compareTo(Lsn.parse("0/9"))).isPositive();
    }

    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> Lsn.parse("1A2B")).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> Lsn.parse("0/XYZ")).hasMessageContaining("not an LSN");
    }
}
