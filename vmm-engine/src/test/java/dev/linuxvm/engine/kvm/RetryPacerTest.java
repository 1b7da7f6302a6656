package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPacerTest {
    private final List<Long> parked = new ArrayList<>();
    private final RetryPacer pacer = new RetryPacer(parked::add);

    @Test
    void first_retries_are_free_then_pauses_double_up_to_the_cap() {
        for (int i = 0; i < RetryPacer.FREE_RETRIES; i++) {
            assertThat(pacer.retry()).isZero();
        }
        assertThat(parked).isEmpty();
        for (int i = 0; i < 40; i++) {
            pacer.retry();
        }
        assertThat(parked.subList(0, 4)).containsExactly(1_000L, 2_000L, 4_000L, 8_000L);
        assertThat(parked).isSorted().last().isEqualTo(RetryPacer.MAX_DELAY_NANOS);
        assertThat(parked).allSatisfy(d -> assertThat(d).isBetween(1L, RetryPacer.MAX_DELAY_NANOS));
    }

    @Test
    void any_other_exit_resets_the_pacing() {
        for (int i = 0; i < RetryPacer.FREE_RETRIES + 5; i++) {
            pacer.retry();
        }
        pacer.reset();
        assertThat(pacer.retry()).isZero();
    }

    @Test
    void never_overflows_after_a_very_long_wait() {
        for (int i = 0; i < 100; i++) {
            pacer.retry();
        }
        assertThat(pacer.retry()).isEqualTo(RetryPacer.MAX_DELAY_NANOS);
    }
}
