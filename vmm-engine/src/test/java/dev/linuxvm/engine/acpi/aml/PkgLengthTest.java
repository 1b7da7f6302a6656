package dev.linuxvm.engine.acpi.aml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PkgLengthTest {
    @Test
    void one_byte_form_counts_itself_up_to_0x3f() {
        assertThat(PkgLength.encode(0)).containsExactly(0x01);
        assertThat(PkgLength.encode(0x3E)).containsExactly(0x3F);
    }

    @Test
    void two_byte_form_holds_the_low_nibble_then_the_next_byte() {
        // 0x3F content + 2 length bytes = 0x41: lead 01|00|0001, then 0x41 >> 4
        assertThat(PkgLength.encode(0x3F)).containsExactly(0x41, 0x04);
        // largest 2-byte total 0xFFF
        assertThat(PkgLength.encode(0xFFD)).containsExactly(0x4F, 0xFF);
    }

    @Test
    void three_and_four_byte_forms_start_where_the_smaller_form_overflows() {
        // 0xFFE + 2 would be 0x1000: needs 3 bytes, total 0x1001
        assertThat(PkgLength.encode(0xFFE)).containsExactly(0x81, 0x00, 0x01);
        // 0xFFFFC + 3 = 0xFFFFF, the largest 3-byte total; one more needs 4 bytes (total 0x100001)
        assertThat(PkgLength.encode(0xFFFFC)).containsExactly(0x8F, 0xFF, 0xFF);
        assertThat(PkgLength.encode(0xFFFFD)).containsExactly(0xC1, 0x00, 0x00, 0x01);
        assertThat(PkgLength.encode(PkgLength.MAX_LENGTH - 4)).containsExactly(0xCF, 0xFF, 0xFF, 0xFF);
    }

    @Test
    void rejects_a_package_beyond_28_bits() {
        assertThatThrownBy(() -> PkgLength.encode(PkgLength.MAX_LENGTH - 3))
                .isInstanceOf(AmlException.class).hasMessageContaining("28-bit");
    }
}
