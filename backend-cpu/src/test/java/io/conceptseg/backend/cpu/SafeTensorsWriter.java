package io.conceptseg.backend.cpu;

import io.conceptseg.commons.safetensors.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Rewrites a safetensors file with tensors dropped, reshaped or stored as F16 (to damage package copies). */
final class SafeTensorsWriter {
    private SafeTensorsWriter() { }

    /** One tensor to write: dtype "F32" or "F16", shape, little-endian bytes. */
    record Entry(String dtype, long[] shape, byte[] data) { }

    /** The tensors of a file as F32 entries, in file order. */
    static Map<String, Entry> read(Path file) {
        SafeTensors st = SafeTensors.open(file);
        Map<String, Entry> out = new LinkedHashMap<>();
        for (String name : st.names()) {
            float[] f = st.tensor(name).floats();
            ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f);
            out.put(name, new Entry("F32", st.entries().get(name).shape(), b.array()));
        }
        return out;
    }

    /** Reads {@code file}, lets {@code edit} change the map, writes it back. */
    static void edit(Path file, UnaryOperator<Map<String, Entry>> edit) {
        write(file, edit.apply(read(file)));
    }

    /** An F16 copy of an F32 entry (round to nearest even). */
    static Entry toHalf(Entry e) {
        ByteBuffer in = ByteBuffer.wrap(e.data()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(e.data().length / 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putShort(floatToHalf(in.getFloat()));
        }
        return new Entry("F16", e.shape(), out.array());
    }

    static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (exp >= 31) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >> shift;
            int rest = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exp << 10) | (mant >> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    static void write(Path file, Map<String, Entry> tensors) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            StringBuilder shape = new StringBuilder();
            for (long d : e.getValue().shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            long end = offset + e.getValue().data().length;
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(e.getValue().dtype())
                    .append("\",\"shape\":[").append(shape).append("],\"data_offsets\":[").append(offset).append(',')
                    .append(end).append("]}");
            offset = end;
        }
        header.append('}');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + h.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        tensors.values().forEach(e -> out.put(e.data()));
        try {
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
