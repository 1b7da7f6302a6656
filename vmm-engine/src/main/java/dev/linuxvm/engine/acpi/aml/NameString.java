package dev.linuxvm.engine.acpi.aml;

import java.util.ArrayList;
import java.util.List;

/**
 * A NameString (ACPI 6.5 section 20.2.2, "Name Objects Encoding"): an optional root ({@code \})
 * or parent ({@code ^}) prefix, then NameSegs separated by dots, as written in ASL
 * ({@code "\_SB.COM1"}, {@code "_HID"}, {@code "^PCI0"}). Segments shorter than four
 * characters are padded with '_' as ASL does ({@code "_S5"} is {@code _S5_}).
 *
 * <p>Encoding: prefix chars, then one NameSeg as is, two after DualNamePrefix, three or more
 * after MultiNamePrefix and a count byte, none as NullName.
 */
public record NameString(String path) implements Aml {
    public NameString {
        segments(path); // validates
    }

    public static NameString of(String path) {
        return new NameString(path);
    }

    @Override
    public void emit(AmlSink sink) {
        int i = 0;
        while (i < path.length() && (path.charAt(i) == '\\' || path.charAt(i) == '^')) {
            sink.u8(path.charAt(i) == '\\' ? AmlOpcodes.ROOT_CHAR : AmlOpcodes.PARENT_PREFIX_CHAR);
            i++;
        }
        List<String> segs = segments(path);
        switch (segs.size()) {
            case 0 -> sink.u8(AmlOpcodes.NULL_NAME);
            case 1 -> {
            }
            case 2 -> sink.u8(AmlOpcodes.DUAL_NAME_PREFIX);
            default -> {
                sink.u8(AmlOpcodes.MULTI_NAME_PREFIX);
                sink.u8(segs.size());
            }
        }
        for (String seg : segs) {
            for (int c = 0; c < 4; c++) {
                sink.u8(seg.charAt(c));
            }
        }
    }

    /** The padded 4-character segments of {@code path}, validated. */
    static List<String> segments(String path) {
        if (path == null) {
            throw new AmlException("AML name: null path");
        }
        int i = 0;
        boolean root = false;
        while (i < path.length() && (path.charAt(i) == '\\' || path.charAt(i) == '^')) {
            if (path.charAt(i) == '\\') {
                if (i != 0) {
                    throw new AmlException("AML name '" + path + "': '\\' may only start a path");
                }
                root = true;
            } else if (root) {
                throw new AmlException("AML name '" + path + "': '^' cannot follow the root '\\'");
            }
            i++;
        }
        String rest = path.substring(i);
        List<String> out = new ArrayList<>();
        if (rest.isEmpty()) {
            return out;
        }
        for (String seg : rest.split("\\.", -1)) {
            out.add(nameSeg(seg, path));
        }
        if (out.size() > 255) {
            throw new AmlException("AML name '" + path + "': more than 255 segments");
        }
        return out;
    }

    /** One NameSeg: LeadNameChar (A-Z or _) then up to three NameChars (A-Z, 0-9, _), padded with '_'. */
    static String nameSeg(String seg, String path) {
        if (seg.isEmpty() || seg.length() > 4) {
            throw new AmlException("AML name '" + path + "': segment '" + seg
                    + "' must have 1 to 4 characters (A-Z, 0-9, _; not starting with a digit)");
        }
        for (int c = 0; c < seg.length(); c++) {
            char ch = seg.charAt(c);
            boolean lead = (ch >= 'A' && ch <= 'Z') || ch == '_';
            boolean ok = lead || (c > 0 && ch >= '0' && ch <= '9');
            if (!ok) {
                throw new AmlException("AML name '" + path + "': invalid character '" + ch + "' in segment '"
                        + seg + "' (use upper-case A-Z, 0-9 or _, not starting with a digit)");
            }
        }
        return (seg + "___").substring(0, 4);
    }
}
