package dev.linuxvm.engine.fdt;

import dev.linuxvm.engine.VmmException;

/** A device tree could not be written (builder misuse) or read (malformed blob). */
public class FdtException extends VmmException {
    /**
     * The thrower says whose problem it is: {@link Kind#INTERNAL} from {@link FdtWriter} (the
     * engine builds every tree it writes), {@link Kind#BAD_INPUT} from {@link FdtReader} and
     * {@link FdtNode} (a blob someone gave us).
     */
    public FdtException(Kind kind, String message) {
        super(kind, message);
    }
}
