package dev.vela.gguf;

/** The metadata value types of GGUF, with their ids in the file. */
public enum ValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    public final int id;
    /** The fewest bytes one value of this type can take (a string's or array's length fields alone). */
    final int minBytes;

    ValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    static ValueType fromId(int id) {
        for (ValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
